/**
 * Where our policy rates a change differently from the engine (see tools/README.md, "Policy").
 */
import type { Change } from "./change.js";
import { at, deref, type Node, parsePointer } from "./document.js";
import type { Pair } from "./location.js";

export function rerate(change: Change, pair: Pair): Change {
  if (change.rule === "enum-values-added" && isOpenEnum(pair.revision, change.pointer)) {
    return {
      ...change,
      rule: "pingback/open-enum-value-added",
      engine: "pingback",
      breaking: false,
      why: "compatible: the enum is open (`anyOf` with a plain string), so clients already accept any value",
    };
  }
  if (change.rule === "removed" && change.side === "request" && isProperty(change.pointer)) {
    const name = parsePointer(change.pointer).at(-1);
    return {
      ...change,
      rule: "pingback/request-property-removed",
      engine: "pingback",
      breaking: true,
      message: `Request property \`${name}\` was removed.`,
      why: "request side: typed clients that send it no longer compile, and the API may drop or refuse it",
    };
  }
  return change;
}

/** An enum inside `anyOf`/`oneOf` beside a branch without one (`{ type: string }`) is open. */
function isOpenEnum(doc: Node, pointer: string): boolean {
  const segments = parsePointer(pointer);
  const combinator = segments.at(-2);
  if (combinator !== "anyOf" && combinator !== "oneOf") return false;
  const branches: Node[] = at(doc, segments.slice(0, -1)) ?? [];
  const own = Number(segments.at(-1));
  return branches.some((branch, index) => {
    if (index === own) return false;
    const schema = deref(doc, branch);
    return schema?.enum === undefined && schema?.const === undefined && schema?.type !== undefined;
  });
}

function isProperty(pointer: string): boolean {
  return parsePointer(pointer).at(-2) === "properties";
}
