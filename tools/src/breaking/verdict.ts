/** The gate's decision: breaking changes pass only when `info.version` declares a new major version. */
import type { Change } from "./change.js";
import { type Release, releaseOf } from "./release.js";

export interface Verdict {
  /** True when the gate lets the change through. */
  pass: boolean;
  breaking: Change[];
  compatible: Change[];
  baseVersion: string;
  revisionVersion: string;
  /** True when the revision's major version is above the base's. */
  majorBump: boolean;
  /** The smallest release of each public package the changes need. */
  release: Release;
}

export function decide(changes: Change[], baseVersion: string, revisionVersion: string): Verdict {
  const breaking = changes.filter((change) => change.breaking);
  const majorBump = major(revisionVersion) > major(baseVersion);
  return {
    pass: breaking.length === 0 || majorBump,
    breaking,
    compatible: changes.filter((change) => !change.breaking),
    baseVersion,
    revisionVersion,
    majorBump,
    release: releaseOf(changes),
  };
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
