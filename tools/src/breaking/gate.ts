/** Compares two bundled specs: the engine's findings on the normalised documents, our rules and checks, then the decision. */
import { dirname } from "node:path";
import { ownChecks } from "./checks.js";
import { readDocument } from "./document.js";
import { type Engine, startEngine } from "./engine.js";
import { normalise } from "./normalise.js";
import { rerate } from "./policy.js";
import { decide, type Verdict } from "./verdict.js";

/** Without an `engine` already started, starts one in the revision's (temporary) folder. */
export async function compareSpecs(
  baseFile: string,
  revisionFile: string,
  engine?: Engine,
): Promise<Verdict> {
  const own = engine ?? (await startEngine(dirname(revisionFile)));
  try {
    const [base, revision] = (
      await Promise.all([readDocument(baseFile), readDocument(revisionFile)])
    ).map(normalise);
    const pair = { base, revision };
    const found = await own.compare(pair);
    const changes = [...found.map((change) => rerate(change, pair)), ...ownChecks(pair)];
    return decide(
      changes,
      String(base?.info?.version ?? ""),
      String(revision?.info?.version ?? ""),
    );
  } finally {
    own.stop();
  }
}
