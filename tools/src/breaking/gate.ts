/**
 * Compares two bundled specs: the engine's findings on the normalised documents, our rules and
 * checks, the generated types of both sides, then the decision and the release notes.
 */

import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ownChecks } from "./checks.js";
import { parseDocument } from "./document.js";
import { type Engine, startEngine } from "./engine.js";
import { compareTypes } from "./generated.js";
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
  const own = engine ?? (await startEngine(dirname(revisionFile)));
  try {
    const texts = await Promise.all([baseFile, revisionFile].map((file) => readFile(file, "utf8")));
    const bundled = [baseFile, revisionFile].map((file, i) => parseDocument(file, texts[i] ?? ""));
    const [base, revision] = await Promise.all(bundled);
    const pair = { base: normalise(base), revision: normalise(revision) };
    // The types are generated (or read from the cache) while the engine runs: a child process.
    const [found, types] = await Promise.all([
      own.compare(pair, { base: forEngine(pair.base), revision: forEngine(pair.revision) }),
      compareTypes({ text: texts[0] ?? "", doc: base }, { text: texts[1] ?? "", doc: revision }),
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
