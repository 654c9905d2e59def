import type { Plugin } from "esbuild";
import { defineConfig } from "tsup";

/**
 * The CommonJS build must read `import createClient from "openapi-fetch"` as openapi-fetch's own
 * CommonJS build defines it: `exports.default` (it sets `__esModule`). esbuild instead follows how
 * Node's ESM loader sees a CommonJS file (the whole `module.exports`) for every file it takes for
 * Node ESM, which is every file of a `"type": "module"` package (esbuild issue 3852), and the CJS
 * client then crashed on its first call: `import_openapi_fetch.default is not a function`.
 * esbuild applies that mode only to paths it resolved itself, so this plugin resolves our own
 * source files (through esbuild's resolver, unchanged) and hands back just the path.
 */
const typeScriptInterop: Plugin = {
  name: "typescript-commonjs-interop",
  setup(build) {
    const own = Symbol("resolved by typescript-commonjs-interop");
    build.onResolve({ filter: /^\.{0,2}\/|\.ts$/ }, async ({ path, pluginData, ...args }) => {
      if (pluginData === own) return undefined;
      const resolved = await build.resolve(path, { ...args, pluginData: own });
      if (resolved.errors.length > 0 || resolved.external) return resolved;
      return { path: resolved.path, sideEffects: resolved.sideEffects };
    });
  },
};

// @pingback/types stays an external dependency (not inlined into the .d.ts), so the API's types
// have one source that the client and its users share.
export default defineConfig({
  // The core, and the optional parts a client pays for only when it imports them.
  entry: {
    index: "src/index.ts",
    drift: "src/drift/index.ts",
    otel: "src/otel/index.ts",
    logger: "src/logger.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: false,
  target: "es2022",
  esbuildPlugins: [typeScriptInterop],
});
