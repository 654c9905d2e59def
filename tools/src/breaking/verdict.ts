/**
 * The gate's decision: breaking changes pass only when `info.version` declares a new major version;
 * changes it cannot judge, only when a reviewer accepted them (or the major is declared).
 */
import { createHash } from "node:crypto";
import type { Change } from "./change.js";
import { type Release, releaseOf } from "./release.js";
import type { TypesDiff } from "./types-diff.js";

export interface Verdict {
  /** True when the gate lets the change through. */
  pass: boolean;
  breaking: Change[];
  /** Changes the gate cannot judge ("cannot tell: review"), with whether a reviewer accepted each. */
  review: Reviewed[];
  compatible: Change[];
  baseVersion: string;
  revisionVersion: string;
  /** True when the revision's major version is above the base's. */
  majorBump: boolean;
  /** The smallest release of each public package the changes need. */
  release: Release;
  /** The comparison of the generated files of `@pingback/types`. */
  types: TypesDiff;
}

export interface Reviewed {
  change: Change;
  /** The id a reviewer lists to accept it (see `reviewId`). */
  id: string;
  accepted: boolean;
}

export function decide(
  changes: Change[],
  baseVersion: string,
  revisionVersion: string,
  types: TypesDiff,
  accepted: ReadonlySet<string> = new Set(),
): Verdict {
  const breaking = changes.filter((change) => change.breaking);
  const review = changes
    .filter((change) => change.review && !change.breaking)
    .map((change) => {
      const id = reviewId(change);
      return { change, id, accepted: accepted.has(id) };
    });
  const majorBump = major(revisionVersion) > major(baseVersion);
  const open = review.filter((item) => !item.accepted);
  return {
    pass: (breaking.length === 0 && open.length === 0) || majorBump,
    breaking,
    review,
    compatible: changes.filter((change) => !change.breaking && !change.review),
    baseVersion,
    revisionVersion,
    majorBump,
    release: releaseOf(changes, types),
    types,
  };
}

/** A short id for a change, stable across runs: where it is, and the values before and after. */
export function reviewId(change: Change): string {
  const text = JSON.stringify([change.pointer, change.before, change.after]);
  return `review-${createHash("sha256").update(text).digest("hex").slice(0, 10)}`;
}

/** The major number of a semantic version (`2.1.0` → 2), or NaN when it is not one. */
export function major(version: string): number {
  const match = /^v?(\d+)\.\d+\.\d+/.exec(version.trim());
  return match ? Number(match[1]) : Number.NaN;
}

/** The version to declare for a breaking change: the next major after the base. */
export function nextMajor(baseVersion: string): string {
  const current = major(baseVersion);
  return Number.isNaN(current) ? "a new major version" : `${current + 1}.0.0`;
}
