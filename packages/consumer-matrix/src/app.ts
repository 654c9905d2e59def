/**
 * The consumer project: a folder outside the workspace where npm installs the packed tarballs, as a
 * user's project would, with one sub-folder per kind of consumer. The TypeScript ones get the
 * quickstart (the code the root README quotes), the matrix's check and a main file, under the
 * strictest options `tsc --init` writes today.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { transform } from "esbuild";
import { mustRun } from "./run.js";
import { OPENTELEMETRY_API, TYPES_NODE } from "./versions.js";

const fixtures = new URL("../fixtures/", import.meta.url);
const fixture = (name: string) => readFile(new URL(name, fixtures), "utf8");

/** The options every TypeScript consumer compiles under. */
const STRICTEST = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  target: "es2022",
  lib: ["es2022"],
  types: ["node"],
  rootDir: ".",
};

/**
 * The TypeScript consumers: module options, the main files written (with the extension their
 * relative imports take), and the files that run once built (the bundler one is built by esbuild).
 */
export const TS_PROJECTS = {
  nodenext: {
    compilerOptions: { module: "nodenext" },
    type: "module",
    sources: { "main.mts": ".mjs", "main.cts": ".cjs" },
    runs: { import: "main.mjs", require: "main.cjs" },
  },
  node16: {
    compilerOptions: { module: "node16" },
    type: "commonjs",
    sources: { "main.ts": ".js" },
    runs: { require: "main.js" },
  },
  commonjs: {
    compilerOptions: { module: "commonjs", esModuleInterop: true },
    type: "commonjs",
    sources: { "main.ts": ".js" },
    runs: { require: "main.js" },
  },
  bundler: {
    compilerOptions: { module: "preserve", moduleResolution: "bundler", noEmit: true },
    type: "module",
    sources: { "main.ts": ".js" },
    runs: { import: "main.mjs", require: "main.cjs" },
  },
} as const;
export type TsProject = keyof typeof TS_PROJECTS;

export interface App {
  dir: string;
}

export async function createApp(dir: string, tarballs: string[], quickstart: string): Promise<App> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "pingback-consumer", private: true }, null, 2)}\n`,
  );
  await mustRun(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--prefer-offline",
      ...tarballs,
      TYPES_NODE,
      OPENTELEMETRY_API,
    ],
    { cwd: dir, timeoutMs: 600_000 },
  );

  // Plain JavaScript: the check with its types stripped, as ESM and as CommonJS.
  // The same for the user's test against @pingback/testing's fake.
  const check = await fixture("check.ts");
  const fake = await fixture("fake.ts");
  const production = await fixture("production.ts");
  const plain = join(dir, "plain");
  await mkdir(plain);
  for (const [name, source] of [
    ["check", check],
    ["fake", fake],
    ["production", production],
  ] as const) {
    for (const format of ["esm", "cjs"] as const) {
      const { code } = await transform(source, { loader: "ts", format, target: "es2022" });
      await writeFile(join(plain, `${name}.${format === "esm" ? "mjs" : "cjs"}`), code);
    }
  }
  for (const file of ["esm.mjs", "cjs.cjs", "dual.mjs", "worker.mjs"]) {
    await copyFile(new URL(file, fixtures), join(plain, file));
  }

  // TypeScript: the same sources in each project, renamed to .mts/.cts where the project needs it.
  const main = await fixture("main.ts");
  // production.ts is compiled (the types of the optional entry points under each module option),
  // and run by the JavaScript consumers.
  const sources = { check, fake, production, quickstart: await readFile(quickstart, "utf8") };
  for (const [name, project] of Object.entries(TS_PROJECTS)) {
    const folder = join(dir, `ts-${name}`);
    await mkdir(folder);
    await writeFile(join(folder, "package.json"), `{ "type": "${project.type}" }\n`);
    await writeFile(
      join(folder, "tsconfig.json"),
      `${JSON.stringify({ compilerOptions: { ...STRICTEST, ...project.compilerOptions }, include: ["*.ts", "*.mts", "*.cts"] }, null, 2)}\n`,
    );
    for (const [file, jsExtension] of Object.entries(project.sources)) {
      const tsExtension = file.slice(file.lastIndexOf("."));
      await writeFile(join(folder, file), main.replaceAll('.js";', `${jsExtension}";`));
      for (const [source, text] of Object.entries(sources)) {
        await writeFile(join(folder, `${source}${tsExtension}`), text);
      }
    }
  }
  return { dir };
}
