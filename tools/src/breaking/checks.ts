/** Our own checks: breaking changes that `redocly diff` does not report. */
import type { Change } from "./change.js";
import {
  deref,
  describeOperation,
  listOperations,
  type Node,
  type Operation,
  pathShape,
} from "./document.js";
import type { Pair } from "./location.js";

export function ownChecks(pair: Pair): Change[] {
  return matchOperations(pair).flatMap(([before, after]) => [
    ...renamedPathParameters(before, after),
    ...requiredBodyAdded(pair.revision, before, after),
  ]);
}

/** Operations present on both sides, matched by method and path shape (`/things/{}`). */
function matchOperations({ base, revision }: Pair): [Operation, Operation][] {
  const before = new Map(
    listOperations(base).map((op) => [`${op.method} ${pathShape(op.path)}`, op]),
  );
  return listOperations(revision).flatMap((after) => {
    const match = before.get(`${after.method} ${pathShape(after.path)}`);
    return match ? [[match, after] as [Operation, Operation]] : [];
  });
}

/** The engine matches `/things/{thingId}` to `/things/{id}` and stays silent; typed clients break. */
function renamedPathParameters(before: Operation, after: Operation): Change[] {
  const oldNames = templateNames(before.path);
  const newNames = templateNames(after.path);
  return oldNames.flatMap((name, index) => {
    const renamed = newNames[index];
    if (renamed === undefined || renamed === name) return [];
    return [
      {
        rule: "pingback/path-parameter-renamed",
        engine: "pingback",
        breaking: true,
        side: "request",
        operation: describeOperation(after),
        location: `parameter \`${renamed}\` (path)`,
        message: `Path parameter \`${name}\` was renamed to \`${renamed}\` (${before.path} → ${after.path}).`,
        why: `request side: typed clients pass it by name (\`params.path.${name}\`), so existing calls no longer compile`,
        pointer: `#/paths/${after.path.replaceAll("~", "~0").replaceAll("/", "~1")}`,
      },
    ];
  });
}

/** The engine rates a new request body as an addition, even when clients must now send it. */
function requiredBodyAdded(revision: Node, before: Operation, after: Operation): Change[] {
  if (before.node.requestBody || !after.node.requestBody) return [];
  if (deref(revision, after.node.requestBody)?.required !== true) return [];
  return [
    {
      rule: "pingback/required-request-body-added",
      engine: "pingback",
      breaking: true,
      side: "request",
      operation: describeOperation(after),
      location: "request body",
      message: "A required request body was added.",
      why: "request side: existing clients send no body, and such requests are now refused",
      pointer: `#/paths/${after.path.replaceAll("~", "~0").replaceAll("/", "~1")}/${after.method}/requestBody`,
    },
  ];
}

function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? "");
}
