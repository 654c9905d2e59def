/** Our own checks: changes that `redocly diff` does not report, or reports without their meaning. */
import { sameSchema } from "./accepts.js";
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
  return [
    ...matchOperations(pair).flatMap(([before, after]) => [
      ...renamedPathParameters(before, after),
      ...requiredBodyAdded(pair.revision, before, after),
      ...serversChanged(pair, before, after),
      ...successBodyAdded(pair, before, after),
    ]),
    ...schemaExportsRemoved(pair),
  ];
}

type Finding = Pick<Change, "rule" | "breaking" | "side" | "location" | "message" | "why"> &
  Partial<Pick<Change, "bump" | "kind" | "pointer">>;

function change(op: Operation, finding: Finding): Change {
  return {
    engine: "pingback",
    operation: describeOperation(op),
    pointer: pointerOf(op),
    bump: finding.breaking ? "major" : "minor",
    kind: "modified",
    ...finding,
  };
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
      change(after, {
        rule: "pingback/path-parameter-renamed",
        breaking: true,
        side: "request",
        location: `parameter \`${renamed}\` (path)`,
        message: `Path parameter \`${name}\` was renamed to \`${renamed}\` (${before.path} → ${after.path}).`,
        why: `request side: typed clients pass it by name (\`params.path.${name}\`), so existing calls no longer compile`,
      }),
    ];
  });
}

/** The engine rates a new request body as an addition, even when clients must now send it. */
function requiredBodyAdded(revision: Node, before: Operation, after: Operation): Change[] {
  if (before.node.requestBody || !after.node.requestBody) return [];
  if (deref(revision, after.node.requestBody)?.required !== true) return [];
  return [
    change(after, {
      rule: "pingback/required-request-body-added",
      breaking: true,
      side: "request",
      location: "request body",
      message: "A required request body was added.",
      why: "request side: existing clients send no body, and such requests are now refused",
      pointer: `${pointerOf(after)}/requestBody`,
    }),
  ];
}

/**
 * `servers` of an operation, else of its path, else of the document: the first is where clients
 * call. The engine files a new `servers` on a path or an operation as an addition.
 */
function serversChanged(pair: Pair, before: Operation, after: Operation): Change[] {
  const [from, to] = [serverOf(pair.base, before), serverOf(pair.revision, after)];
  if (from === to) return [];
  return [
    change(after, {
      rule: "pingback/servers-changed",
      breaking: true,
      side: "operation",
      location: "servers",
      message: `The operation's server changed from \`${from}\` to \`${to}\`.`,
      why: "existing clients keep calling the old server for it",
    }),
  ];
}

function serverOf(doc: Node, op: Operation): string {
  const servers = op.node.servers ?? deref(doc, doc.paths[op.path])?.servers ?? doc.servers;
  return servers?.[0]?.url ?? "/";
}

/**
 * A new 2xx status whose body is unlike every documented success body: openapi-fetch's `data`
 * becomes a union (code reading the old shape stops compiling) and `status === 201` checks fail.
 */
function successBodyAdded(pair: Pair, before: Operation, after: Operation): Change[] {
  const old = successBodies(pair.base, before);
  return Object.entries(successBodies(pair.revision, after)).flatMap(([status, schema]) => {
    if (status in old || schema === undefined) return [];
    const bodies = Object.values(old);
    const same = (node: Node) =>
      node !== undefined &&
      sameSchema({ doc: pair.base, node }, { doc: pair.revision, node: schema });
    if (bodies.some(same)) return [];
    return [
      change(after, {
        rule: "pingback/success-body-added",
        breaking: true,
        side: "response",
        location: `response ${status}`,
        message: `Success status ${status} was added with a body unlike the other success responses.`,
        why: "response side: the typed success `data` becomes a union that existing code does not handle, and the status is one clients do not expect",
        kind: "added",
      }),
    ];
  });
}

/** The JSON body schema of each 2xx response (`undefined` for a response without one). */
function successBodies(doc: Node, op: Operation): Record<string, Node> {
  const bodies: Record<string, Node> = {};
  for (const [status, raw] of Object.entries<Node>(op.node.responses ?? {})) {
    if (!/^2/.test(status)) continue;
    const content = deref(doc, raw)?.content ?? {};
    const json = Object.entries<Node>(content).find(([type]) => /json/.test(type));
    bodies[status] = json?.[1]?.schema;
  }
  return bodies;
}

/**
 * `@pingback/types` exports one type per schema: a schema removed or renamed takes its export with
 * it. The wire is unchanged, so the API version need not move; the types package's major does.
 */
function schemaExportsRemoved({ base, revision }: Pair): Change[] {
  const after: Record<string, Node> = revision?.components?.schemas ?? {};
  return Object.entries<Node>(base?.components?.schemas ?? {}).flatMap(([name, schema]) => {
    if (name in after) return [];
    const renamed = Object.entries(after).find(
      ([other, node]) =>
        !(other in (base.components.schemas ?? {})) &&
        sameSchema({ doc: base, node: schema }, { doc: revision, node }),
    )?.[0];
    return [
      {
        rule: "pingback/schema-export-removed",
        engine: "pingback",
        breaking: false,
        bump: "major",
        kind: "removed",
        side: "operation",
        operation: "@pingback/types",
        location: `schema ${name}`,
        message: renamed
          ? `Schema \`${name}\` was renamed to \`${renamed}\`.`
          : `Schema \`${name}\` was removed.`,
        why: `the wire is unchanged, but the type \`${name}\` that @pingback/types exports is gone: code that imports it stops compiling (a major release of @pingback/types)`,
        pointer: `#/components/schemas/${name}`,
      },
    ];
  });
}

function pointerOf(op: Operation): string {
  return `#/paths/${op.path.replaceAll("~", "~0").replaceAll("/", "~1")}/${op.method}`;
}

function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? "");
}
