/**
 * What one call costs the type checker, as `tsc --extendedDiagnostics` counts it: type
 * instantiations of a file that makes one valid call, or one call with a wrong path, on the built
 * `@pingback/client` and on bare openapi-fetch over the same `paths`. Instantiations are counted,
 * not timed, so the figure is the same on a loaded machine. It shows the cost an editor pays per
 * call as the spec grows; it does not prove how long an editor takes to show it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** `getContact`'s path: copy 1 of a grown spec is the spec itself, so it exists at every factor. */
const VALID_CALL = `void client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });`;
// Statements, not exports: an exported result would also make tsc write out its type (at 1,000
// operations, a wrong path's is too long to write). `@ts-expect-error` makes the probe fail, and
// report no figure, if a wrong path ever compiles.
const WRONG_CALL = `// @ts-expect-error: no such path\nvoid client.GET("/contact");`;

const CLIENTS = {
  client: `import { createPingbackClient } from "@pingback/client";\nconst client = createPingbackClient({ apiKey: "k" });`,
  "openapi-fetch": `import type { paths } from "@pingback/types";\nimport createClient from "openapi-fetch";\nconst client = createClient<paths>({ baseUrl: "http://127.0.0.1" });`,
} as const;

/** The probes by the name of their row in the counts table. */
export const TYPE_COST_PROBES: ReadonlyMap<string, string> = new Map(
  Object.entries(CLIENTS).flatMap(([name, setup]) => [
    [`instantiations: one call (${name})`, `${setup}\n${VALID_CALL}\n`],
    [`instantiations: wrong path (${name})`, `${setup}\n${WRONG_CALL}\n`],
  ]),
);

/** `Instantiations:  5894` of tsc's extended diagnostics. */
export function instantiations(output: string): number | null {
  const match = /^Instantiations:\s+(\d+)$/m.exec(output);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/**
 * Runs every probe in `repo`'s client package (where `@pingback/client` resolves to its own built
 * `dist`, as it does for a user), each file alone. A probe that does not compile gives `null`, and
 * its output is kept in `log`.
 */
export function typeCost(repo: string, log: (name: string, output: string) => void) {
  const dir = join(repo, "packages/client/scale-probe");
  mkdirSync(dir, { recursive: true });
  const counts = new Map<string, number | null>();
  let index = 0;
  for (const [name, source] of TYPE_COST_PROBES) {
    const file = `probe-${index++}`;
    writeFileSync(join(dir, `${file}.ts`), source);
    writeFileSync(
      join(dir, `${file}.tsconfig.json`),
      JSON.stringify({
        extends: "../../../tsconfig.base.json",
        compilerOptions: { types: [] },
        files: [`${file}.ts`],
      }),
    );
    const result = spawnSync(
      join(repo, "packages/client/node_modules/.bin/tsc"),
      ["-p", `${file}.tsconfig.json`, "--extendedDiagnostics"],
      { cwd: dir, encoding: "utf8" },
    );
    const output = `${result.stdout}${result.stderr}`;
    counts.set(name, result.status === 0 ? instantiations(output) : null);
    if (result.status !== 0) log(name, output);
  }
  return counts;
}
