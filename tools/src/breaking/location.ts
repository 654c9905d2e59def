/** Turns a change's JSON pointer into the operation it touches and a location a reviewer can read. */
import type { Side } from "./change.js";
import {
  at,
  describeOperation,
  listOperations,
  METHODS,
  type Node,
  type Operation,
  parsePointer,
  reachableRefs,
} from "./document.js";
import { REQUEST_COPY } from "./normalise.js";

export interface Located {
  side: Side;
  operation: string;
  location: string;
}

/** The two documents being compared; pointers are looked up in the revision first, then the base. */
export interface Pair {
  base: Node;
  revision: Node;
}

export function locate(pair: Pair, pointer: string, definedAt?: string): Located {
  const segments = parsePointer(pointer);
  const [root, pathKey, maybeMethod] = segments;
  const component = componentOf(definedAt);
  if (root === "paths" && pathKey !== undefined) {
    const method = METHODS.includes(maybeMethod ?? "") ? maybeMethod : undefined;
    const rest = segments.slice(method ? 3 : 2);
    const owner = method ? segments.slice(0, 3) : segments.slice(0, 2);
    const { side, location } = describeRest(pair, owner, rest);
    const direct = operationsAt(pair, pathKey, method);
    const others = component
      ? usersOf(pair, component).filter(
          (op) => !direct.some((d) => d.method === op.method && d.path === op.path),
        )
      : [];
    const operation = [
      direct.map(describeOperation).join(", ") || `path ${pathKey}`,
      ...(others.length
        ? [`also ${others.map((op) => op.operationId ?? op.path).join(", ")}`]
        : []),
    ].join("; ");
    return {
      side,
      operation,
      location: component
        ? `${location} (${component.kind} ${component.name.replace(REQUEST_COPY, "")}${bothSides(pair, component)})`
        : location,
    };
  }
  if (root === "security")
    return { side: "request", operation: "every operation", location: "security" };
  if (root === "components" && pathKey === "securitySchemes") {
    return {
      side: "request",
      operation: "every operation",
      location: `security scheme ${maybeMethod}`,
    };
  }
  return {
    side: "operation",
    operation: "the API",
    location: segments.join("/") || "document",
  };
}

function describeRest(
  pair: Pair,
  owner: string[],
  rest: string[],
): { side: Side; location: string } {
  const [head, key, third, mediaType, fourth, ...schema] = rest;
  if (head === "parameters" && key !== undefined) {
    const parameter = lookup(pair, [...owner, "parameters", key]);
    return { side: "request", location: `parameter \`${parameter?.name}\` (${parameter?.in})` };
  }
  if (head === "requestBody") {
    const [, content, bodyType, bodySchema, ...bodyPath] = rest;
    const body = content === "content" && bodyType ? `request body (${bodyType})` : "request body";
    const field = bodySchema === "schema" ? schemaPath(bodyPath) : "";
    return { side: "request", location: field ? `${body} › ${field}` : body };
  }
  if (head === "responses" && key !== undefined) {
    if (third === "headers" && mediaType) {
      return { side: "response", location: `response ${key} header \`${mediaType}\`` };
    }
    const response =
      third === "content" && mediaType ? `response ${key} (${mediaType})` : `response ${key}`;
    const field = fourth === "schema" ? schemaPath(schema) : "";
    return { side: "response", location: field ? `${response} › ${field}` : response };
  }
  if (head === "security") return { side: "request", location: "security" };
  return { side: "operation", location: rest.join("/") || "operation" };
}

/** `["properties", "data", "items", "properties", "id"]` → `data[].id`. */
export function schemaPath(segments: string[]): string {
  let text = "";
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const next = segments[i + 1];
    if (segment === "items") text += "[]";
    else if (segment === "properties" && next !== undefined)
      text += `${text ? "." : ""}${segments[++i]}`;
    else if (/^(anyOf|oneOf|allOf|prefixItems)$/.test(segment ?? "") && next !== undefined) {
      text += `<${segment}[${segments[++i]}]>`;
    } else text += `${text ? "." : ""}${segment}`;
  }
  return text;
}

function lookup(pair: Pair, segments: string[]): Node {
  return at(pair.revision, segments) ?? at(pair.base, segments);
}

const componentKinds: Record<string, string> = {
  schemas: "schema",
  parameters: "parameter",
  responses: "response",
  requestBodies: "request body",
  headers: "header",
};

/** The shared component a change is defined in: every operation that uses it is affected. */
function componentOf(pointer: string | undefined): Component | undefined {
  const [root, kind, name] = parsePointer(pointer ?? "");
  const label = componentKinds[kind ?? ""];
  if (root !== "components" || !label || name === undefined) return undefined;
  return { ref: `#/components/${kind}/${name}`, kind: label, name };
}

interface Component {
  ref: string;
  kind: string;
  name: string;
}

function operationsAt(pair: Pair, path: string, method: string | undefined): Operation[] {
  const match = (doc: Node) =>
    listOperations(doc).filter((op) => op.path === path && (!method || op.method === method));
  const inRevision = match(pair.revision);
  return inRevision.length ? inRevision : match(pair.base);
}

/** The operations that reach a shared component, in the revision (or the base when it is gone there). */
function usersOf(pair: Pair, { ref }: Component): Operation[] {
  const find = (doc: Node) => listOperations(doc).filter((op) => reachableRefs(doc, op).has(ref));
  const inRevision = find(pair.revision);
  return inRevision.length ? inRevision : find(pair.base);
}

/**
 * `, as sent by createThing` or `, as received from getThing` for a schema that requests and
 * responses both use: each side is judged on its own (normalise.ts gives requests a copy).
 */
function bothSides(pair: Pair, { ref, name }: Component): string {
  const own = name.endsWith(REQUEST_COPY);
  const copy = own ? ref : `${ref}${REQUEST_COPY}`;
  const shared = [pair.revision, pair.base].some((doc) => at(doc, parsePointer(copy), false));
  if (!shared) return "";
  const users = usersOf(pair, { ref, name, kind: "schema" }).map((op) => op.operationId ?? op.path);
  return own ? `, as sent by ${users.join(", ")}` : `, as received from ${users.join(", ")}`;
}
