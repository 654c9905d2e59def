import { defineConfig, type Options } from "tsup";

// The spec is bundled into the package (it is private to the repository): the fake reads its routes,
// parameters, schemas, error catalogue and examples from the same document the types come from.
// No runtime dependency; msw stays the user's (an optional peer), imported only by `./msw`.
const shared: Options = {
  clean: true,
  sourcemap: false,
  target: "es2022",
  noExternal: ["@pingback/spec"],
  external: ["msw"],
  // Keep `node:http` as written: a Worker's bundler leaves `node:*` to the runtime, not bare `http`.
  removeNodeProtocol: false,
};

export default defineConfig([
  { ...shared, entry: ["src/index.ts", "src/msw.ts"], format: ["esm", "cjs"], dts: true },
  // The command is ESM only (it awaits at the top level); `clean` stays with the first build.
  { ...shared, clean: false, entry: ["src/cli.ts"], format: ["esm"], dts: false },
]);
