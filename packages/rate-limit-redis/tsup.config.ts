import { defineConfig } from "tsup";

// No runtime dependency: the Redis client is the user's, and the store's shape is declared here.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "es2022",
});
