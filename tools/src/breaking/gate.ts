/** Compares two bundled specs: the engine's findings on the normalised documents, our rules and checks, then the decision. */
import { writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ownChecks } from "./checks.js";
import { readDocument } from "./document.js";
import { redoclyChanges } from "./engine.js";
import { normalise } from "./normalise.js";
import { rerate } from "./policy.js";
import { decide, type Verdict } from "./verdict.js";

/**
 * Reads both files, and writes their normalised forms for the engine into the revision's folder
 * (a temporary one: the engine must not find a `redocly.yaml` there).
 */
export async function compareSpecs(baseFile: string, revisionFile: string): Promise<Verdict> {
  const [base, revision] = (
    await Promise.all([readDocument(baseFile), readDocument(revisionFile)])
  ).map(normalise);
  const normal = (name: string) => join(dirname(revisionFile), `${basename(name)}.normal.json`);
  const files = [normal(`base-${basename(baseFile)}`), normal(revisionFile)] as const;
  await Promise.all([
    writeFile(files[0], JSON.stringify(base)),
    writeFile(files[1], JSON.stringify(revision)),
  ]);
  const pair = { base, revision };
  const found = await redoclyChanges(files[0], files[1], pair);
  const changes = [...found.map((change) => rerate(change, pair)), ...ownChecks(pair)];
  return decide(changes, String(base?.info?.version ?? ""), String(revision?.info?.version ?? ""));
}
