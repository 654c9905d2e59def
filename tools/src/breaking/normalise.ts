/**
 * Both documents are normalised before they are compared, so that a refactor that leaves the
 * contract as it was is not read as a change: the engine compares text, we compare meaning.
 */
import { stripDecorations } from "./decorations.js";
import { deref, METHODS, type Node, reachableFrom } from "./document.js";

/** Keywords that document a schema without constraining it. */
export const ANNOTATIONS = new Set([
  "description",
  "title",
  "summary",
  "example",
  "examples",
  "$comment",
  "externalDocs",
]);

/** A keyword that says something about a schema without changing the values it accepts: the
 * annotations above, and every `x-` extension (e.g. `x-error-catalogue`). */
export function isAnnotation(key: string): boolean {
  return ANNOTATIONS.has(key) || key.startsWith("x-");
}

/**
 * A copy of `doc` as its operations see it: our decorators' output stripped, path-level
 * parameters moved into each operation, each operation's effective `security` and `servers` (with
 * server variables at their defaults), `allOf`s that only wrap or merge objects resolved, and each
 * schema used on both sides split in two, so that each side is judged by its own rules.
 */
export function normalise(doc: Node): Node {
  const copy = unwrapAllOf(structuredClone(doc), doc);
  stripDecorations(copy);
  for (const item of Object.values<Node>(copy?.paths ?? {})) mergePathParameters(copy, item);
  effectiveSecurityAndServers(copy);
  splitSides(copy);
  return copy;
}

/**
 * What the engine compares: the normalised document without what our own checks compare (the
 * catalogue, links, servers, discriminator mappings), without examples and `x-` extensions.
 */
export function forEngine(doc: Node): Node {
  const strip = (node: Node, key?: string): Node => {
    if (Array.isArray(node)) return node.map((value) => strip(value));
    if (node === null || typeof node !== "object") return node;
    const out: Node = {};
    const named = NAMED_MAPS.has(key ?? "");
    for (const [name, value] of Object.entries<Node>(node)) {
      if (!named && (name.startsWith("x-") || name === "links" || name === "servers")) continue;
      // Example payloads are data; a `properties` map may hold a property named "examples".
      if (!named && (name === "examples" || name === "example")) continue;
      if (name === "mapping" && key === "discriminator") continue;
      out[name] = strip(value, name);
    }
    return out;
  };
  const out = strip(doc);
  if (out.components) delete out.components.examples;
  return out;
}

/** Maps keyed by names of the API's own (a header `x-request-id`, a property `examples`). */
const NAMED_MAPS = new Set([
  "paths",
  "webhooks",
  "headers",
  "properties",
  "patternProperties",
  "$defs",
  "dependentSchemas",
  "schemas",
  "parameters",
  "responses",
  "requestBodies",
  "securitySchemes",
  "callbacks",
  "pathItems",
  "content",
  "encoding",
  "variables",
  "scopes",
]);

/** Where `doc` says nothing, an operation inherits the document's `security` and servers. */
function effectiveSecurityAndServers(doc: Node): void {
  for (const item of Object.values<Node>(doc?.paths ?? {})) {
    const path = deref(doc, item);
    for (const method of METHODS) {
      const op = path?.[method];
      if (!op) continue;
      const security = op.security ?? doc.security;
      if (security !== undefined) op.security = structuredClone(security);
      const servers = op.servers ?? path.servers ?? doc.servers ?? [{ url: "/" }];
      op.servers = servers.map(withDefaults);
    }
    if (path) delete path.servers;
  }
  delete doc.security;
  delete doc.servers;
}

/** `https://{region}.example.com` with `region` defaulting to `api` → `https://api.example.com`. */
export function withDefaults(server: Node): Node {
  const variables: Node = server?.variables ?? {};
  const url = String(server?.url ?? "/").replace(/\{([^}]+)\}/g, (whole, name) =>
    variables[name]?.default !== undefined ? String(variables[name].default) : whole,
  );
  return { url };
}

/** Suffix of the copy of a schema that both requests and responses use, as requests see it. */
export const REQUEST_COPY = "@request";

/**
 * A schema used by requests and responses is reported by the engine once, on the side it meets
 * first. Requests get a copy of their own (`Name@request`), so each side is judged on its own.
 */
function splitSides(doc: Node): void {
  const schemas: Node = doc?.components?.schemas;
  if (!schemas) return;
  const prefix = "#/components/schemas/";
  const requestParts: Node[] = [];
  const responseParts: Node[] = [];
  for (const item of Object.values<Node>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = deref(doc, item)?.[method];
      if (!op) continue;
      requestParts.push(op.parameters, op.requestBody);
      responseParts.push(op.responses);
    }
  }
  const schemasFrom = (parts: Node[]) => {
    const found = new Set<string>();
    for (const part of parts) {
      for (const ref of reachableFrom(doc, part)) {
        if (ref.startsWith(prefix)) found.add(ref.slice(prefix.length));
      }
    }
    return found;
  };
  const sent = schemasFrom(requestParts);
  const received = schemasFrom(responseParts);
  const shared = new Set([...sent].filter((name) => received.has(name)));
  if (shared.size === 0) return;
  const rewrite = (node: Node): void => {
    if (node === null || typeof node !== "object") return;
    if (typeof node.$ref === "string" && node.$ref.startsWith(prefix)) {
      const name = node.$ref.slice(prefix.length);
      if (shared.has(name)) node.$ref = `${prefix}${name}${REQUEST_COPY}`;
    }
    for (const [key, value] of Object.entries<Node>(node)) {
      if (key !== "example" && key !== "examples") rewrite(value);
    }
  };
  for (const name of shared) schemas[`${name}${REQUEST_COPY}`] = structuredClone(schemas[name]);
  for (const name of sent) rewrite(schemas[shared.has(name) ? `${name}${REQUEST_COPY}` : name]);
  for (const part of requestParts) rewrite(part);
  // Shared parameters and request bodies are only ever sent.
  for (const group of ["parameters", "requestBodies"]) {
    for (const value of Object.values<Node>(doc.components?.[group] ?? {})) rewrite(value);
  }
}

/**
 * `parameters` of a path item apply to each of its operations (an operation's own, same `in` and
 * `name`, wins): moving one from the path into every operation changes nothing for a client.
 */
export function mergePathParameters(doc: Node, item: Node): void {
  if (!Array.isArray(item?.parameters)) return;
  const key = (raw: Node) => {
    const parameter = deref(doc, raw);
    return `${parameter?.in}:${parameter?.name}`;
  };
  for (const method of METHODS) {
    const op = item[method];
    if (!op) continue;
    const own = new Set((op.parameters ?? []).map(key));
    op.parameters = [
      ...item.parameters.filter((p: Node) => !own.has(key(p))),
      ...(op.parameters ?? []),
    ];
  }
  delete item.parameters;
}

/**
 * `{ allOf: [X], description }` means X (with a description): it is how a `$ref` gets one. The
 * branch replaces the wrapper when the wrapper's other keywords are annotations only.
 */
export function unwrapAllOf(node: Node, doc?: Node): Node {
  if (Array.isArray(node)) return node.map((value) => unwrapAllOf(value, doc));
  if (node === null || typeof node !== "object") return node;
  const out: Node = {};
  for (const [key, value] of Object.entries<Node>(node)) {
    // Example payloads are data, not schemas.
    out[key] = key === "example" || key === "examples" ? value : unwrapAllOf(value, doc);
  }
  const siblings = Object.keys(out).filter((key) => key !== "allOf");
  if (Array.isArray(out.allOf) && out.allOf.length > 1) return mergeObjects(out, doc) ?? out;
  if (!Array.isArray(out.allOf) || out.allOf.length !== 1) return out;
  if (!siblings.every(isAnnotation)) return out;
  const [branch] = out.allOf;
  if (branch === null || typeof branch !== "object") return out;
  // A `$ref` keeps no siblings: annotations beside it would only be read as a change of text.
  if (typeof branch.$ref === "string") return { $ref: branch.$ref };
  const merged = { ...branch };
  for (const key of siblings) merged[key] ??= out[key];
  return merged;
}

const MERGEABLE = new Set(["type", "properties", "required"]);

/**
 * `allOf` of objects that only list properties (inline or by `$ref`) accepts what one object with
 * all their properties and `required` accepts.
 */
function mergeObjects(node: Node, doc: Node): Node | undefined {
  const parts: Node[] = [node, ...node.allOf.map((part: Node) => (doc ? deref(doc, part) : part))];
  if (parts.some((part) => part === null || typeof part !== "object" || "$ref" in part)) {
    return undefined;
  }
  const objects = parts.map((part, i) =>
    Object.keys(part).filter((key) => !(i === 0 && key === "allOf") && !isAnnotation(key)),
  );
  const mergeable = parts.every(
    (part, i) =>
      (part.type === undefined || part.type === "object") &&
      (objects[i] ?? []).every((key) => MERGEABLE.has(key)),
  );
  if (!mergeable) return undefined;
  const merged: Node = { type: "object", properties: {}, required: [] };
  for (const part of parts) {
    for (const [name, schema] of Object.entries<Node>(part.properties ?? {})) {
      if (name in merged.properties) return undefined;
      merged.properties[name] = schema;
    }
    merged.required.push(...(part.required ?? []));
  }
  for (const key of Object.keys(node)) {
    if (isAnnotation(key)) merged[key] = node[key];
  }
  if (merged.required.length === 0) delete merged.required;
  return merged;
}
