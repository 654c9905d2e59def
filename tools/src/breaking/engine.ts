/** The engine: `redocly diff --format json`, mapped onto our `Change`. */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { mkdtemp, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { breakingWhy, type Change, compatibleWhy } from "./change.js";
import type { Node } from "./document.js";
import { locate, type Pair } from "./location.js";
import { redocly, withoutBanner } from "./redocly.js";

interface RedoclyLocation {
  pointer: string;
  value?: unknown;
}

interface RedoclyVerdict {
  ruleId: string;
  impact: "major" | "minor" | "patch";
  message: string;
  location?: RedoclyLocation;
}

interface RedoclyChange {
  path: string;
  typeName: string;
  kind: "added" | "removed" | "modified";
  impact: "major" | "minor" | "patch";
  property?: string;
  verdicts?: RedoclyVerdict[];
  base?: RedoclyLocation;
  revision?: RedoclyLocation;
}

export class EngineError extends Error {
  override name = "EngineError";
}

/** `redocly diff`, waiting for the two documents to compare. */
export interface Engine {
  /**
   * Feeds it `feed` (what it compares: the normalised pair without what our checks compare), and
   * locates what it finds in `pair` (the normalised pair): every change, rated by its own rules.
   */
  compare(pair: Pair, feed?: Pair): Promise<Change[]>;
  /** Ends it if it was never fed. */
  stop(): void;
}

/**
 * Starts `redocly diff` before its inputs exist: it reads them from two named pipes, so the half
 * second the CLI takes to load overlaps the bundling of the specs. `workDir` must hold no
 * `redocly.yaml` (its rules would apply).
 */
export async function startEngine(workDir: string): Promise<Engine> {
  const dir = await mkdtemp(join(workDir, "engine-"));
  const files = [join(dir, "base.json"), join(dir, "revision.json")] as const;
  await promisify(execFile)("mkfifo", [...files]);
  const abort = new AbortController();
  const args = ["diff", ...files, "--format", "json", "--fail-on", "none"];
  const run = redocly(args, dir, abort.signal);
  // Should it end before it opens a pipe, a reader of our own releases the writer (which then fails).
  const release = run.then(() =>
    Promise.all(
      files.map((file) =>
        open(file, constants.O_RDONLY | constants.O_NONBLOCK).then((handle) => handle.close()),
      ),
    ).catch(() => {}),
  );
  return {
    async compare(pair, fed = pair) {
      const feed = (file: string, doc: Node) =>
        writeFile(file, JSON.stringify(doc)).catch(() => {});
      await Promise.all([feed(files[0], fed.base), feed(files[1], fed.revision)]);
      const result = await run;
      await release;
      let report: { changes?: RedoclyChange[] };
      try {
        report = JSON.parse(result.stdout);
      } catch {
        throw new EngineError(
          `\`redocly diff\` gave no JSON report (exit code ${result.code}):\n${withoutBanner(result.stderr + result.stdout)}`,
        );
      }
      return (report.changes ?? []).flatMap((change) => toChanges(change, pair));
    },
    stop: () => abort.abort(),
  };
}

function toChanges(change: RedoclyChange, pair: Pair): Change[] {
  const verdicts = change.verdicts?.length ? change.verdicts : [unruled(change)];
  return verdicts.map((verdict) => {
    const definedAt = verdict.location?.pointer ?? change.revision?.pointer ?? change.base?.pointer;
    const where = locate(pair, change.path, definedAt);
    const breaking = verdict.impact === "major";
    return {
      rule: verdict.ruleId,
      engine: "redocly",
      breaking,
      side: where.side,
      operation: where.operation,
      location: where.location,
      // The engine's rules say which fields; its notes only that `required` changed.
      message: (change.verdicts?.length ? undefined : requiredMessage(change)) ?? verdict.message,
      why: breaking ? breakingWhy(where.side) : compatibleWhy,
      pointer: change.path,
      bump: verdict.impact,
      kind: change.kind,
      property: change.property,
      before: change.base?.value,
      after: change.revision?.value,
    };
  });
}

/** A change no rule rated (an addition, a new description): redocly calls these minor or patch. */
function unruled(change: RedoclyChange): RedoclyVerdict {
  const [holder, name] = change.path.split("/").slice(-2);
  const what = change.property
    ? `\`${change.property}\` of ${change.typeName}`
    : holder === "properties" && change.typeName === "Schema"
      ? `Property \`${decodeURIComponent(name ?? "")
          .replaceAll("~1", "/")
          .replaceAll("~0", "~")}\``
      : change.typeName;
  const [before, after] = [change.base?.value, change.revision?.value];
  const values =
    change.kind === "modified" && isScalar(before) && isScalar(after)
      ? ` from '${before}' to '${after}'`
      : "";
  const verb = change.kind === "modified" ? "changed" : `was ${change.kind}`;
  return { ruleId: change.kind, impact: change.impact, message: `${what} ${verb}${values}.` };
}

function isScalar(value: unknown): value is string | number | boolean {
  return ["string", "number", "boolean"].includes(typeof value);
}

/** `\`error\`, \`requestId\` now required.` for a changed `required` list. */
function requiredMessage(change: RedoclyChange): string | undefined {
  const [before, after] = [change.base?.value ?? [], change.revision?.value ?? []];
  if (change.property !== "required" || !Array.isArray(before) || !Array.isArray(after)) {
    return undefined;
  }
  const list = (names: unknown[]) => names.map((name) => `\`${name}\``).join(", ");
  const added = after.filter((name) => !before.includes(name));
  const removed = before.filter((name) => !after.includes(name));
  const parts = [
    added.length ? `${list(added)} now required` : "",
    removed.length ? `${list(removed)} no longer required` : "",
  ].filter(Boolean);
  return parts.length ? `${parts.join("; ")}.` : undefined;
}
