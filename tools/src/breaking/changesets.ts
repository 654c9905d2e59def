/**
 * Do the pending changesets declare the release the spec change needs? Read with
 * `@changesets/read`, the reader `changeset version` itself uses.
 *
 * Against the released baseline, every pending changeset counts: together they are the next
 * release, and the baseline is the last one. `scripts/version-packages` consumes them and records
 * the baseline in the same commit, so right after a release the spec equals the baseline, nothing
 * is needed, and nothing is pending. Against a branch (a pull request), only the changesets the
 * branch adds count: each pull request declares its own change.
 */
import readChangesets from "@changesets/read";
import { CLIENT, covers, higher, type Level, type Release, TYPES } from "./release.js";

export type Declared = Record<string, Level>;

/** The highest bump each package gets from the pending changesets (added since `sinceRef`, when given). */
export async function declaredBumps(repoRoot: string, sinceRef?: string): Promise<Declared> {
  const declared: Declared = {};
  for (const changeset of await readChangesets(repoRoot, sinceRef)) {
    for (const { name, type } of changeset.releases) {
      if (type === "none") continue;
      declared[name] = higher(declared[name] ?? "none", type);
    }
  }
  return declared;
}

export interface Check {
  pass: boolean;
  message: string;
}

/** Compares what is needed with what is declared, and says exactly what to add when it falls short. */
export function checkChangesets(
  needed: Release,
  declared: Declared,
  base: string,
  proposals: Record<string, string> = {},
): Check {
  const packages = [TYPES, CLIENT] as const;
  const short = packages.filter((name) => !covers(declared[name] ?? "none", needed[name]));
  const describe = (name: (typeof packages)[number]) =>
    `${name} ${needed[name]} (declared: ${declared[name] ?? "none"})`;
  if (short.length === 0) {
    const what = packages.filter((name) => needed[name] !== "none").map(describe);
    return {
      pass: true,
      message: what.length
        ? `PASS: the pending changesets declare what the spec change since ${base} needs: ${what.join(", ")}.`
        : `PASS: the spec is unchanged since ${base} for the public packages; no changeset needed.`,
    };
  }
  const frontmatter = short.map((name) => `"${name}": ${needed[name]}`);
  const proposed = short.filter((name) => proposals[name]);
  return {
    pass: false,
    message: [
      `FAIL: the spec change since ${base} needs a release the pending changesets do not declare: ${short.map(describe).join(", ")}.`,
      `Run \`pnpm changeset\`, select ${short.join(" and ")}, choose ${[...new Set(short.map((name) => needed[name]))].join("/")}, describe the change (tools/reports/spec-changelog.md has it), and commit the file it writes.`,
      ...(proposed.length === short.length
        ? [
            "Or commit these, which carry the release notes, one per package (`changeset version` writes each into its package's CHANGELOG.md):",
            ...proposed.flatMap((name) => [
              "",
              `.changeset/api-${name.replace("@pingback/", "")}.md:`,
              proposals[name] ?? "",
            ]),
          ]
        : [
            "Or commit this as .changeset/<any-name>.md:",
            "---",
            ...frontmatter,
            "---",
            "",
            "<what changed in the API, for the changelog>",
          ]),
    ].join("\n"),
  };
}
