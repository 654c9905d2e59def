import { defineConfig } from "tsup";

// @pingback/client is a peer dependency: its types and its local limiter are the user's copy.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "es2022",
});
