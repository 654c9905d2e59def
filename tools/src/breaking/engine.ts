/** The engine: `redocly diff --format json`, mapped onto our `Change`. */
import { dirname } from "node:path";
import { breakingWhy, type Change, compatibleWhy } from "./change.js";
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

/** Every change `redocly diff` finds between two bundled documents, rated by its own rules. */
export async function redoclyChanges(
  baseFile: string,
  revisionFile: string,
  pair: Pair,
): Promise<Change[]> {
  const args = ["diff", baseFile, revisionFile, "--format", "json", "--fail-on", "none"];
  const result = await redocly(args, dirname(revisionFile));
  let report: { changes?: RedoclyChange[] };
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new EngineError(
      `\`redocly diff\` gave no JSON report (exit code ${result.code}):\n${withoutBanner(result.stderr + result.stdout)}`,
    );
  }
  return (report.changes ?? []).flatMap((change) => toChanges(change, pair));
}

/** Engine rules that break only what clients send. */
const requestRules = new Set(["required-properties-added", "parameter-became-required"]);

function toChanges(change: RedoclyChange, pair: Pair): Change[] {
  const verdicts = change.verdicts?.length ? change.verdicts : [unruled(change)];
  return verdicts.map((verdict) => {
    const definedAt = verdict.location?.pointer ?? change.revision?.pointer ?? change.base?.pointer;
    const where = locate(pair, change.path, definedAt);
    const breaking = verdict.impact === "major";
    // A schema on both sides is reported once, wherever the engine met it first: a rule that can
    // only break what clients send is a request-side break, whichever side that was.
    if (breaking && requestRules.has(verdict.ruleId) && /sent by/.test(where.location)) {
      where.side = "request";
    }
    return {
      rule: verdict.ruleId,
      engine: "redocly",
      breaking,
      side: where.side,
      operation: where.operation,
      location: where.location,
      message: verdict.message,
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
  const what = change.property ? `\`${change.property}\` of ${change.typeName}` : change.typeName;
  const [before, after] = [change.base?.value, change.revision?.value];
  const values =
    change.kind === "modified" && isScalar(before) && isScalar(after)
      ? ` from '${before}' to '${after}'`
      : "";
  const verb = change.kind === "modified" ? "changed" : change.kind;
  return { ruleId: change.kind, impact: change.impact, message: `${what} ${verb}${values}.` };
}

function isScalar(value: unknown): value is string | number | boolean {
  return ["string", "number", "boolean"].includes(typeof value);
}
