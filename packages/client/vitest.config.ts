import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The README's example imports the package by name; tests run it from source, not from dist.
  resolve: {
    alias: [
      ["drift", "drift/index.ts"],
      ["otel", "otel/index.ts"],
      ["logger", "logger.ts"],
    ]
      .map(([entry, file]) => ({
        find: `@pingback/client/${entry}`,
        replacement: fileURLToPath(new URL(`./src/${file}`, import.meta.url)),
      }))
      .concat({
        find: "@pingback/client",
        replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)),
      }),
  },
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
  },
});
