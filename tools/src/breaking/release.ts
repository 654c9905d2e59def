/**
 * Semver from the contract: the smallest release each public package needs for a spec change,
 * and the changelog of the change.
 *
 * `@pingback/types` is generated from the whole spec: a change needs the bump the policy gives it
 * (breaking → major, addition → minor, documentation → patch), and a removed schema export is a
 * major too. `@pingback/client` re-exports nothing of the schemas, but its public signatures are
 * typed by `paths` (every call, `paginate`) and `ErrorCode` of @pingback/types, a dependency
 * pinned to the exact version: a change to an operation changes its typed surface just as much,
 * so it needs the same minor or major. Documentation (patch) and schema exports do not reach its
 * surface; Changesets already patches it whenever @pingback/types moves.
 */
import type { Bump, Change } from "./change.js";

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
export function releaseOf(changes: Change[]): Release {
  let types: Level = "none";
  let client: Level = "none";
  for (const change of changes) {
    types = higher(types, change.bump);
    if (reachesClient(change)) client = higher(client, change.bump);
  }
  return { [TYPES]: types, [CLIENT]: client };
}

/** The client's typed surface is the operations (`paths`): not documentation, not schema exports. */
function reachesClient(change: Change): boolean {
  return change.bump !== "patch" && change.pointer.startsWith("#/paths/");
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

/** A Markdown changelog a release can use: one section per kind of change, one line per change. */
export function formatChangelog(changes: Change[], release: Release): string {
  const heading = `## API changes: ${TYPES} ${release[TYPES]}, ${CLIENT} ${release[CLIENT]}`;
  if (changes.length === 0) return `${heading}\n\nNo change to the contract.\n`;
  const sections: Section[] = ["Breaking", "Deprecated", "Added", "Changed"];
  const parts = sections.flatMap((section) => {
    const lines = changes
      .filter((change) => sectionOf(change) === section)
      .map((change) => `- ${change.operation} · ${change.location}: ${change.message}`);
    return lines.length ? [`### ${section}\n\n${[...new Set(lines)].join("\n")}`] : [];
  });
  return `${heading}\n\n${parts.join("\n\n")}\n`;
}
