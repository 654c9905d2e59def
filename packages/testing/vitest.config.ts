import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The README's example imports the package by name; here it runs from source, not from dist.
  resolve: {
    alias: { "@pingback/testing": fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts", "examples/test/**/*.test.ts"],
    testTimeout: 20_000,
  },
});
