/** Our own checks: changes that `redocly diff` does not report, or reports without their meaning. */
import { sameSchema } from "./accepts.js";
import { type Change, compatibleWhy } from "./change.js";
import {
  deref,
  describeOperation,
  listOperations,
  type Node,
  type Operation,
  pathShape,
  reachableFrom,
} from "./document.js";
import type { Pair } from "./location.js";

export function ownChecks(pair: Pair): Change[] {
  return [
    ...matchOperations(pair).flatMap(([before, after]) => [
      ...renamedPathParameters(before, after),
      ...requiredBodyAdded(pair.revision, before, after),
      ...serversChanged(pair, before, after),
      ...successBodyAdded(pair, before, after),
      ...linksChanged(pair, before, after),
      ...examplesAdded(pair, before, after),
    ]),
    ...catalogueChanged(pair),
    ...mappingsChanged(pair),
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
 * The first of an operation's effective servers is where clients call: another one breaks them.
 * Those listed after it are alternatives (compatible).
 */
function serversChanged(_pair: Pair, before: Operation, after: Operation): Change[] {
  const [old, now] = [urlsOf(before), urlsOf(after)];
  const [from, to] = [old[0], now[0]];
  if (from === to) {
    if (old.join(" ") === now.join(" ")) return [];
    return [
      change(after, {
        rule: "pingback/servers-listed",
        breaking: false,
        side: "operation",
        location: "servers",
        message: `The servers listed after the first changed: ${
          now
            .slice(1)
            .map((url) => `\`${url}\``)
            .join(", ") || "none"
        }.`,
        why: compatibleWhy,
        bump: "patch",
      }),
    ];
  }
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

/** The operation's effective servers (normalise.ts puts them on each operation, variables at their defaults). */
function urlsOf(op: Operation): string[] {
  return (op.node.servers ?? []).map((server: Node) => String(server?.url));
}

/**
 * A new 2xx status whose body is unlike every documented success body: openapi-fetch's `data`
 * becomes a union (code reading the old shape stops compiling) and `status === 201` checks fail.
 */
function successBodyAdded(pair: Pair, before: Operation, after: Operation): Change[] {
  const old = successBodies(pair.base, before);
  const bodies = Object.values(old);
  return Object.entries(successBodies(pair.revision, after)).flatMap(([status, schema]) => {
    if (status in old) return [];
    if (schema === undefined) {
      if (bodies.every((body) => body === undefined)) return [];
      return [
        change(after, {
          rule: "pingback/success-without-body-added",
          breaking: true,
          side: "response",
          location: `response ${status}`,
          message: `Success status ${status} was added without a body, beside success responses with one.`,
          why: "response side: code that reads the success body may now get none (openapi-fetch's `data` becomes possibly undefined, so it stops compiling)",
          kind: "added",
        }),
      ];
    }
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

function pointerOf(op: Operation): string {
  return `#/paths/${op.path.replaceAll("~", "~0").replaceAll("/", "~1")}/${op.method}`;
}

function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? "");
}

/** Each error code of the catalogue (`x-error-catalogue`): its status and message are contract. */
function catalogueChanged({ base, revision }: Pair): Change[] {
  const [old, now] = [catalogueOf(base), catalogueOf(revision)];
  const finding = (
    code: string,
    rest: Omit<Change, "engine" | "operation" | "location" | "pointer" | "side">,
  ): Change => ({
    engine: "pingback",
    operation: "error catalogue",
    location: `error code \`${code}\``,
    side: "response",
    pointer: `#/x-error-catalogue/${code}`,
    ...rest,
  });
  const entry = (e: Node) => `(${e?.status}): ${firstLine(String(e?.message ?? ""))}`;
  const changes: Change[] = [];
  for (const [code, e] of Object.entries<Node>(now)) {
    const before = old[code];
    if (before?.known) continue;
    if (!before) {
      changes.push(
        finding(code, {
          rule: "pingback/error-code-added",
          breaking: false,
          bump: "minor",
          kind: "added",
          message: `Error code \`${code}\` ${entry(e)}`,
          why: "compatible: clients already accept any error code",
        }),
      );
    } else if (before.status !== e.status) {
      changes.push(
        finding(code, {
          rule: "pingback/error-code-status-changed",
          breaking: true,
          bump: "major",
          kind: "modified",
          message: `Error code \`${code}\` moved from status ${before.status} to ${e.status}.`,
          why: "response side: clients that expect the code with its documented status stop recognising it",
          before: before.status,
          after: e.status,
        }),
      );
    } else if (before.message !== e.message) {
      changes.push(
        finding(code, {
          rule: "pingback/error-code-message-changed",
          breaking: false,
          bump: "patch",
          kind: "modified",
          message: `Error code \`${code}\` has a new message: ${firstLine(String(e.message))}`,
          why: compatibleWhy,
        }),
      );
    }
  }
  for (const code of Object.keys(old)) {
    if (code in now || (old[code]?.known && Object.keys(now).length === 0)) continue;
    changes.push(
      finding(code, {
        rule: "pingback/error-code-removed",
        breaking: false,
        bump: "minor",
        kind: "removed",
        message: `Error code \`${code}\` is no longer documented.`,
        why: "compatible: clients keep accepting any error code",
      }),
    );
  }
  return changes;
}

/**
 * The catalogue of a document; a document from before the catalogue had one gets the codes of
 * `KnownErrorCode`'s enum (with no status or message to compare), so they do not read as new.
 */
function catalogueOf(doc: Node): Record<string, Node> {
  const schemas = Object.entries<Node>(doc?.components?.schemas ?? {});
  const own = schemas.find(
    ([name, schema]) => !name.endsWith("@request") && schema?.["x-error-catalogue"],
  );
  if (own) return own[1]["x-error-catalogue"];
  const codes: unknown[] = doc?.components?.schemas?.KnownErrorCode?.enum ?? [];
  return Object.fromEntries(codes.map((code) => [String(code), { known: true }]));
}

/** Each link of each response, by name: its target and parameters are contract. */
function linksChanged(pair: Pair, before: Operation, after: Operation): Change[] {
  const [old, now] = [linksOf(pair.base, before), linksOf(pair.revision, after)];
  const changes: Change[] = [];
  const describe = (link: Node) => {
    const values = Object.entries<Node>(link.parameters ?? {}).map(
      ([name, value]) =>
        `\`${name}\` = \`${value}\`${link["x-page-increment"] ? ` + ${link["x-page-increment"]}` : ""}`,
    );
    const target = link.operationId ?? link.operationRef;
    return `\`${target}\`${values.length ? ` with ${values.join(", ")}` : ""}`;
  };
  for (const [key, link] of Object.entries<Node>(now)) {
    const [status, name] = key.split(" ");
    const was = old[key];
    const base = { location: `response ${status}`, side: "operation" as const };
    if (!was) {
      changes.push(
        change(after, {
          ...base,
          rule: "pingback/link-added",
          breaking: false,
          bump: "minor",
          kind: "added",
          message: `Link \`${name}\` → ${describe(link)}: ${firstSentence(String(link.description ?? ""))}`,
          why: compatibleWhy,
        }),
      );
    } else if (describe(was) !== describe(link)) {
      changes.push(
        change(after, {
          ...base,
          rule: "pingback/link-changed",
          breaking: true,
          message: `Link \`${name}\` now leads to ${describe(link)} (was ${describe(was)}).`,
          why: "clients that follow the link now call something else",
        }),
      );
    } else if (was.description !== link.description) {
      changes.push(
        change(after, {
          ...base,
          rule: "pingback/link-described",
          breaking: false,
          bump: "patch",
          message: `Link \`${name}\` has a new description: ${firstLine(String(link.description ?? ""))}`,
          why: compatibleWhy,
        }),
      );
    }
  }
  for (const key of Object.keys(old)) {
    if (key in now) continue;
    const [status, name] = key.split(" ");
    changes.push(
      change(after, {
        rule: "pingback/link-removed",
        breaking: true,
        side: "operation",
        location: `response ${status}`,
        message: `Link \`${name}\` was removed.`,
        why: "clients that follow the link find it gone",
        kind: "removed",
      }),
    );
  }
  return changes;
}

function linksOf(doc: Node, op: Operation): Record<string, Node> {
  const links: Record<string, Node> = {};
  for (const [status, raw] of Object.entries<Node>(op.node.responses ?? {})) {
    for (const [name, link] of Object.entries<Node>(deref(doc, raw)?.links ?? {})) {
      links[`${status} ${name}`] = deref(doc, link);
    }
  }
  return links;
}

/** Examples added to an operation's requests and responses (documentation: a patch). */
function examplesAdded(pair: Pair, before: Operation, after: Operation): Change[] {
  const old = new Set(Object.keys(examplesOf(pair.base, before)));
  return Object.entries(examplesOf(pair.revision, after)).flatMap(([key, where]) => {
    if (old.has(key)) return [];
    const name = key.split(" ").at(-1) ?? key;
    return [
      change(after, {
        rule: "pingback/example-added",
        breaking: false,
        bump: "patch",
        kind: "added",
        side: "operation",
        location: where,
        message: `Example \`${name}\` added.`,
        why: compatibleWhy,
      }),
    ];
  });
}

function examplesOf(doc: Node, op: Operation): Record<string, string> {
  const found: Record<string, string> = {};
  const media = (content: Node, where: string) => {
    for (const [type, value] of Object.entries<Node>(content ?? {})) {
      for (const name of Object.keys(value?.examples ?? {})) {
        found[`${where} ${type} ${name}`] = `${where} (${type})`;
      }
    }
  };
  media(deref(doc, op.node.requestBody)?.content, "request body");
  for (const [status, raw] of Object.entries<Node>(op.node.responses ?? {})) {
    media(deref(doc, raw)?.content, `response ${status}`);
  }
  return found;
}

/**
 * A discriminator's `mapping`, by the schema each value leads to (`Cat` and
 * `#/components/schemas/Cat` are the same): a value is what clients send or switch on.
 */
function mappingsChanged({ base, revision }: Pair): Change[] {
  const changes: Change[] = [];
  const old: Record<string, Node> = base?.components?.schemas ?? {};
  for (const [name, schema] of Object.entries<Node>(revision?.components?.schemas ?? {})) {
    const [was, now] = [mappingOf(old[name]), mappingOf(schema)];
    if (!was || !now) continue;
    const request = name.endsWith("@request") || sentOnly(revision, name);
    const removed = Object.keys(was).filter((key) => now[key] !== was[key]);
    const added = Object.keys(now).filter((key) => now[key] !== was[key]);
    if (removed.length === 0 && added.length === 0) continue;
    const breaking = request ? removed.length > 0 : added.length > 0;
    const list = (keys: string[]) => keys.map((key) => `'${key}'`).join(", ");
    const parts = [
      removed.length ? `lost ${list(removed)}` : "",
      added.length ? `gained ${list(added)}` : "",
    ].filter(Boolean);
    const display = name.replace("@request", "");
    changes.push({
      rule: "pingback/discriminator-mapping-changed",
      engine: "pingback",
      breaking,
      bump: breaking ? "major" : "minor",
      kind: "modified",
      side: request ? "request" : "response",
      operation: `schema ${display}`,
      location: `discriminator \`${schema.discriminator?.propertyName}\``,
      message: `The discriminator mapping of \`${display}\` ${parts.join(" and ")}.`,
      why: breaking
        ? request
          ? "request side: a value clients send is no longer accepted"
          : "response side: clients may now receive a kind they do not handle"
        : compatibleWhy,
      pointer: `#/components/schemas/${name}/discriminator/mapping`,
    });
  }
  return changes;
}

function mappingOf(schema: Node): Record<string, string> | undefined {
  const mapping = schema?.discriminator?.mapping;
  if (!mapping) return undefined;
  return Object.fromEntries(
    Object.entries<Node>(mapping).map(([key, value]) => [
      key,
      String(value).startsWith("#") ? String(value) : `#/components/schemas/${value}`,
    ]),
  );
}

/** True when only requests use the schema (normalise.ts has already split the shared ones). */
function sentOnly(doc: Node, name: string): boolean {
  const ref = `#/components/schemas/${name}`;
  return listOperations(doc).some(
    (op) =>
      reachableFrom(doc, op.node.parameters).has(ref) ||
      reachableFrom(doc, op.node.requestBody).has(ref),
  );
}

/** `The next page of contacts: the same call…` → `The next page of contacts.` */
function firstSentence(text: string): string {
  const sentence = firstLine(text).split(/(?<=[.:;])\s/)[0] ?? "";
  return sentence.replace(/[:;]$/, ".");
}

function firstLine(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
