import { defineConfig } from "tsup";

// @pingback/types stays an external dependency (not inlined into the .d.ts), so the API's types
// have one source that the client and its users share.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "es2022",
});
