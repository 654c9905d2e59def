import { defineConfig } from "tsup";

// The spec is bundled into the package (it is private to the repository): the fake reads its routes,
// parameters, schemas, error catalogue and examples from the same document the types come from.
// No runtime dependency; msw stays the user's (an optional peer), imported only by `./msw`.
export default defineConfig({
  entry: ["src/index.ts", "src/msw.ts", "src/cli.ts"],
  format: ["esm", "cjs"],
  dts: { entry: ["src/index.ts", "src/msw.ts"] },
  clean: true,
  sourcemap: false,
  target: "es2022",
  noExternal: ["@pingback/spec"],
  external: ["msw"],
});
