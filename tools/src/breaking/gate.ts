/** Compares two bundled specs: the engine's findings plus our own checks, then the decision. */
import { ownChecks } from "./checks.js";
import { readDocument } from "./document.js";
import { redoclyChanges } from "./engine.js";
import { rerate } from "./policy.js";
import { decide, type Verdict } from "./verdict.js";

export async function compareSpecs(baseFile: string, revisionFile: string): Promise<Verdict> {
  const [base, revision] = await Promise.all([readDocument(baseFile), readDocument(revisionFile)]);
  const pair = { base, revision };
  const found = await redoclyChanges(baseFile, revisionFile, pair);
  const changes = [...found.map((change) => rerate(change, pair)), ...ownChecks(pair)];
  return decide(changes, String(base?.info?.version ?? ""), String(revision?.info?.version ?? ""));
}
