/**
 * Semver from what each package exposes, and the release notes of the change.
 *
 * `@pingback/types` is judged on its generated files (types-diff.ts): unchanged → none, comments
 * only → patch, additions → minor, anything a consumer's code could stop compiling on → major.
 * `@pingback/client` on whether a caller's code or a caller's requests can break: every change to
 * what an operation sends or receives (document-level `security`, `securitySchemes`, servers and
 * the error catalogue included) rated as the policy rates it, and every change of the types its
 * methods are typed by (`paths`, `operations`): not documentation, not a schema's own export.
 */
import type { Bump, Change } from "./change.js";
import type { TypesDiff } from "./types-diff.js";

export const TYPES = "@pingback/types";
export const CLIENT = "@pingback/client";

export type Level = Bump | "none";

export type Release = Record<typeof TYPES | typeof CLIENT, Level>;

const order: Level[] = ["none", "patch", "minor", "major"];

export function higher(a: Level, b: Level): Level {
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

/** True when `declared` is at least `needed`. */
export function covers(declared: Level, needed: Level): boolean {
  return order.indexOf(declared) >= order.indexOf(needed);
}

/** The smallest release of each public package that the changes need. */
export function releaseOf(changes: Change[], types: TypesDiff): Release {
  let client: Level = "none";
  for (const change of changes) client = higher(client, clientLevel(change));
  for (const finding of types.findings) {
    if (finding.surface === "operations") client = higher(client, finding.level);
  }
  return { [TYPES]: types.level, [CLIENT]: client };
}

/** What a change means for callers of `@pingback/client`. */
export function clientLevel(change: Change): Level {
  if (!reachesCallers(change)) return "none";
  if (change.breaking) return "major";
  // Not yet judged: once a reviewer accepts it as compatible, it is a change callers may notice.
  if (change.review) return "minor";
  return change.bump === "patch" ? "none" : change.bump;
}

/** What an operation sends or receives, where it is sent, and with which credentials. */
function reachesCallers(change: Change): boolean {
  if (/^pingback\/(link|example)-/.test(change.rule)) return false;
  return /^#\/(paths\/|security|components\/securitySchemes|x-error-catalogue)/.test(
    change.pointer,
  );
}

export type Section = "Breaking" | "Deprecated" | "Added" | "Changed";

export function sectionOf(change: Change): Section {
  if (change.breaking || change.bump === "major") return "Breaking";
  if (change.property === "deprecated" && change.after === true) return "Deprecated";
  if (change.kind === "added") return "Added";
  // A new value in an enum is an addition to the types' union.
  if (change.rule === "enum-values-added" || change.rule === "pingback/open-enum-value-added") {
    return "Added";
  }
  return "Changed";
}
