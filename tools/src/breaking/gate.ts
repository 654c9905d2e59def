/**
 * Compares two bundled specs: the engine's findings on the normalised documents, our rules and
 * checks, the generated types of both sides, then the decision and the release notes.
 */
import { dirname } from "node:path";
import { ownChecks } from "./checks.js";
import { readDocument } from "./document.js";
import { type Engine, startEngine } from "./engine.js";
import { compareGenerated, loadGenerator } from "./generated.js";
import { forEngine, normalise } from "./normalise.js";
import { type Notes, notesOf } from "./notes.js";
import { rerate } from "./policy.js";
import { decide, type Verdict } from "./verdict.js";

export interface Compared extends Verdict {
  notes: Notes;
}

/**
 * Without an `engine` already started, starts one in the revision's (temporary) folder.
 * `accepted` holds the ids of "cannot tell" changes a reviewer accepted.
 */
export async function compareSpecs(
  baseFile: string,
  revisionFile: string,
  engine?: Engine,
  accepted: ReadonlySet<string> = new Set(),
): Promise<Compared> {
  void loadGenerator();
  const own = engine ?? (await startEngine(dirname(revisionFile)));
  try {
    const bundled = await Promise.all([readDocument(baseFile), readDocument(revisionFile)]);
    const [base, revision] = bundled.map(normalise);
    const pair = { base, revision };
    // The types are generated while the engine runs (it is a child process).
    const [found, types] = await Promise.all([
      own.compare(pair, { base: forEngine(base), revision: forEngine(revision) }),
      compareGenerated(bundled[0], bundled[1]),
    ]);
    const changes = [...found.map((change) => rerate(change, pair)), ...ownChecks(pair)];
    const verdict = decide(
      changes,
      String(base?.info?.version ?? ""),
      String(revision?.info?.version ?? ""),
      types,
      accepted,
    );
    return { ...verdict, notes: notesOf(changes, types, pair) };
  } finally {
    own.stop();
  }
}
