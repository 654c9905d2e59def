/**
 * Where our policy rates a change differently from the engine (see tools/README.md, "Policy").
 * Each rule is a pure function of the change and the two (normalised) documents.
 */
import { isCombined, judge } from "./accepts.js";
import type { Bump, Change } from "./change.js";
import { at, parsePointer } from "./document.js";
import type { Pair } from "./location.js";
import { judgePattern } from "./pattern.js";

type Rating = Pick<Change, "rule" | "breaking" | "why" | "bump"> & {
  message?: string;
  review?: boolean;
};

/** Our rating of one change, or the engine's when no rule of ours applies. */
export function rerate(change: Change, pair: Pair): Change {
  const rating =
    patternRule(change) ??
    keywordRule(change) ??
    combinatorRule(change, pair) ??
    propertyRule(change);
  return rating ? { ...change, engine: "pingback", ...rating } : change;
}

/**
 * A changed `pattern`, judged by the strings it accepts (pattern.ts): requests may accept more,
 * responses may return less. A change it cannot judge is neither passed nor failed: a reviewer
 * decides ("cannot tell: review").
 */
function patternRule(change: Change): Rating | undefined {
  if (change.property !== "pattern") return undefined;
  const judgement = judgePattern(change.before, change.after);
  const request = change.side === "request";
  const message = `\`pattern\` changed from ${show(change.before)} to ${show(change.after)}.`;
  if (judgement === "other") {
    return {
      ...rate(
        "pingback/pattern-review",
        false,
        "minor",
        "cannot tell: the gate cannot compare these patterns; a reviewer decides whether every value the old one accepted still matches",
        message,
      ),
      review: true,
    };
  }
  const breaks = request ? judgement === "narrower" : judgement === "wider";
  if (breaks) {
    return rate(
      "pingback/pattern-narrowed",
      true,
      "major",
      request
        ? "request side: values that clients send can now be refused"
        : "response side: clients may now receive values the old pattern ruled out",
      message,
    );
  }
  return rate(
    "pingback/pattern-compatible",
    false,
    judgement === "same" ? "patch" : "minor",
    request
      ? "compatible: requests accept more values"
      : "compatible: responses return fewer kinds of values",
    message,
  );
}

const rate = (rule: string, breaking: boolean, bump: Bump, why: string, message?: string) => ({
  rule,
  breaking,
  bump,
  why,
  ...(message ? { message } : {}),
});

/** Keywords the engine files as notes, though they change what a client must send or gets back. */
function keywordRule(change: Change): Rating | undefined {
  const { property, before, after, side } = change;
  if (property === "default" && side === "request" && before !== undefined) {
    return rate(
      "pingback/request-default-changed",
      true,
      "major",
      "request side: clients that leave it out relied on the old default, and now get another behaviour silently",
      `The default changed from ${show(before)} to ${show(after)}.`,
    );
  }
  if (property === "readOnly" && side === "request" && after === true && before !== true) {
    return rate(
      "pingback/read-only-in-request",
      true,
      "major",
      "request side: a readOnly property is no longer sent (it disappears from the request types), so clients that send it break",
      "The request property became readOnly.",
    );
  }
  if (property === "writeOnly" && side === "response" && after === true && before !== true) {
    return rate(
      "pingback/write-only-in-response",
      true,
      "major",
      "response side: a writeOnly property is no longer returned, so clients that read it break",
      "The response property became writeOnly.",
    );
  }
  if (property === "deprecated" && after === true && before !== true) {
    return rate(
      "pingback/deprecated",
      false,
      "minor",
      "compatible: it still works, and clients are told to move off it (a minor release, by semver)",
      "It was deprecated.",
    );
  }
  const inHeader = parsePointer(change.pointer).includes("headers");
  if (property === "required" && inHeader && side === "response" && before === true && !after) {
    return rate(
      "pingback/response-header-optional",
      true,
      "major",
      "response side: clients that read the header may no longer find it",
      "The response header is no longer required.",
    );
  }
  return undefined;
}

/**
 * A change at a schema that uses `oneOf`, `anyOf` or `allOf` (before or after) is judged by the
 * values it accepts: the request side may accept more, the response side may return less.
 */
function combinatorRule(change: Change, pair: Pair): Rating | undefined {
  const segments = schemaNodeOf(change.pointer);
  const before = at(pair.base, segments);
  const after = at(pair.revision, segments);
  if (before === undefined || after === undefined) return undefined;
  if (!isCombined(before) && !isCombined(after)) return undefined;
  const judgement = judge({ doc: pair.base, node: before }, { doc: pair.revision, node: after });
  const request = change.side === "request";
  if (judgement === "same" && change.rule === "enum-values-added") {
    return rate(
      "pingback/open-enum-value-added",
      false,
      "minor",
      "compatible: the enum is open (a branch accepts any string), so clients already accept any value",
    );
  }
  if (judgement === "same") {
    return rate(
      "pingback/same-values",
      false,
      "patch",
      "compatible: the schema accepts the same values",
    );
  }
  if (judgement === "wider") {
    return request
      ? rate(
          "pingback/request-accepts-more",
          false,
          "minor",
          "compatible: requests accept more values",
        )
      : rate(
          "pingback/response-returns-more",
          true,
          "major",
          "response side: clients may now receive values they do not handle",
        );
  }
  if (judgement === "narrower") {
    return request
      ? rate(
          "pingback/request-accepts-less",
          true,
          "major",
          "request side: values that clients send can now be refused",
        )
      : rate(
          "pingback/response-returns-less",
          false,
          "minor",
          "compatible: responses return fewer kinds of values",
        );
  }
  return undefined;
}

/** The engine rates a removed request property compatible (the schema allows others); typed clients break. */
function propertyRule(change: Change): Rating | undefined {
  const segments = parsePointer(change.pointer);
  if (change.rule !== "removed" || change.side !== "request" || segments.at(-2) !== "properties") {
    return undefined;
  }
  return rate(
    "pingback/request-property-removed",
    true,
    "major",
    "request side: typed clients that send it no longer compile, and the API may drop or refuse it",
    `Request property \`${segments.at(-1)}\` was removed.`,
  );
}

/** `…/score/oneOf/1` and `…/score/oneOf` → `…/score`: the schema whose combinator changed. */
export function schemaNodeOf(pointer: string): string[] {
  const segments = parsePointer(pointer);
  const combinator = (s: string | undefined) => s === "anyOf" || s === "oneOf" || s === "allOf";
  if (/^\d+$/.test(segments.at(-1) ?? "") && combinator(segments.at(-2))) {
    return segments.slice(0, -2);
  }
  return combinator(segments.at(-1)) ? segments.slice(0, -1) : segments;
}

function show(value: unknown): string {
  return value === undefined
    ? "none"
    : `'${typeof value === "string" ? value : JSON.stringify(value)}'`;
}
