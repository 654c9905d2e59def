/**
 * What the fake reads from the spec: its operations (method, path template, parameters, body,
 * security), the error catalogue, each operation's documented examples and the page size of its
 * lists. Nothing here names an operation: an operation added to the spec is routed and validated
 * with no edit.
 */
import bundled from "@pingback/spec/openapi.json";
import { assertCheckable } from "./schema.js";

export type JsonObject = { [key: string]: unknown };

/** One parameter as the fake checks it. */
export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonObject;
}

export interface Operation {
  operationId: string;
  /** Upper case, as on the wire. */
  method: string;
  /** `/contacts/{email}`. */
  path: string;
  match: RegExp;
  pathNames: string[];
  parameters: Parameter[];
  body: { required: boolean; schema: JsonObject } | undefined;
  /** False for operations with `security: []` (the webhook intake). */
  needsKey: boolean;
  /** status → documented JSON examples' values, in document order. */
  examples: Map<string, unknown[]>;
  /** Items per page of a list answer (the page schema's `data.maxItems`), when the answer is a page. */
  pageSize: number | undefined;
}

export interface ErrorEntry {
  status: number;
  message: string;
}

export interface SpecModel {
  document: JsonObject;
  /** `/v2`: the path of the first server URL, which every route sits under. */
  basePath: string;
  operations: Operation[];
  catalogue: Map<string, ErrorEntry>;
}

const METHODS = ["get", "put", "post", "delete", "patch"];
export const CATALOGUE_POINTER = "/components/schemas/KnownErrorCode/x-error-catalogue";

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The spec bundled with the package: the one `@pingback/types` and `@pingback/client` are built from. */
export const BUNDLED_SPEC = bundled as unknown as JsonObject;

/** Follows `#/…` refs within the document. */
export function resolve(document: JsonObject, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string"; hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${current.$ref}`);
    current = pointer(document, current.$ref.replace(/^#/, ""));
  }
  return current;
}

export function pointer(document: JsonObject, path: string): unknown {
  let node: unknown = document;
  for (const raw of path.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    node = isObject(node) || Array.isArray(node) ? (node as JsonObject)[key] : undefined;
    if (node === undefined) throw new Error(`The spec has nothing at #${path}.`);
  }
  return node;
}

export function readSpec(document: JsonObject): SpecModel {
  const server = Array.isArray(document.servers) ? document.servers[0] : undefined;
  const basePath =
    isObject(server) && typeof server.url === "string"
      ? new URL(server.url, "http://x").pathname.replace(/\/+$/, "")
      : "";
  const rootSecurity = Array.isArray(document.security) ? document.security : [];
  const operations: Operation[] = [];
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = resolve(document, rawItem);
    if (!isObject(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const operationId = typeof op.operationId === "string" ? op.operationId : `${method} ${path}`;
      const parameters = new Map<string, Parameter>();
      for (const raw of [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ]) {
        const p = resolve(document, raw);
        if (!isObject(p) || typeof p.name !== "string") continue;
        if (p.in !== "path" && p.in !== "query" && p.in !== "header") continue;
        const name = p.in === "header" ? p.name.toLowerCase() : p.name;
        parameters.set(`${p.in}:${name}`, {
          name,
          in: p.in,
          required: p.required === true,
          schema: (resolve(document, p.schema) as JsonObject | undefined) ?? {},
        });
      }
      const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
      const source = path
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("([^/]+)");
      const requestBody = resolve(document, op.requestBody);
      const json =
        isObject(requestBody) && isObject(requestBody.content)
          ? requestBody.content["application/json"]
          : undefined;
      const security = Array.isArray(op.security) ? op.security : rootSecurity;
      const { examples, pageSize } = answers(document, op);
      for (const p of parameters.values())
        assertCheckable(document, p.schema, `${operationId} ${p.in} parameter ${p.name}`);
      if (isObject(json) && json.schema)
        assertCheckable(document, json.schema, `${operationId} body`);
      operations.push({
        operationId,
        method: method.toUpperCase(),
        path,
        match: new RegExp(`^${source}$`),
        pathNames,
        parameters: [...parameters.values()],
        body: isObject(requestBody)
          ? {
              required: requestBody.required === true,
              schema: isObject(json) && isObject(json.schema) ? json.schema : {},
            }
          : undefined,
        needsKey: security.length > 0,
        examples,
        pageSize,
      });
    }
  }
  return { document, basePath, operations, catalogue: readCatalogue(document) };
}

function answers(
  document: JsonObject,
  op: JsonObject,
): { examples: Map<string, unknown[]>; pageSize: number | undefined } {
  const examples = new Map<string, unknown[]>();
  let pageSize: number | undefined;
  for (const [status, raw] of Object.entries(isObject(op.responses) ? op.responses : {})) {
    const response = resolve(document, raw);
    const content = isObject(response) && isObject(response.content) ? response.content : {};
    const media = content["application/json"];
    if (!isObject(media)) continue;
    const values = Object.values(isObject(media.examples) ? media.examples : {})
      .map((example) => resolve(document, example))
      .filter(isObject)
      .map((example) => example.value);
    examples.set(status, values);
    if (status.startsWith("2")) pageSize ??= pageSizeOf(document, media.schema);
  }
  return { examples, pageSize };
}

/** A page is an envelope whose `data` holds `page`, `total` and a `data` array with `maxItems`. */
function pageSizeOf(document: JsonObject, schema: unknown): number | undefined {
  const envelope = resolve(document, schema);
  const properties = isObject(envelope) && isObject(envelope.properties) ? envelope.properties : {};
  const page = resolve(document, properties.data);
  const fields = isObject(page) && isObject(page.properties) ? page.properties : {};
  const items = resolve(document, fields.data);
  if (!("page" in fields) || !("total" in fields) || !isObject(items)) return undefined;
  return typeof items.maxItems === "number" ? items.maxItems : undefined;
}

function readCatalogue(document: JsonObject): Map<string, ErrorEntry> {
  let raw: unknown;
  try {
    raw = pointer(document, CATALOGUE_POINTER);
  } catch {
    raw = undefined;
  }
  if (!isObject(raw))
    throw new Error(
      `The spec has no error catalogue at ${CATALOGUE_POINTER}: the fake answers every error from it.`,
    );
  const catalogue = new Map<string, ErrorEntry>();
  for (const [code, entry] of Object.entries(raw)) {
    if (!isObject(entry) || typeof entry.status !== "number")
      throw new Error(`${CATALOGUE_POINTER}/${code} needs { status: integer, message: string }.`);
    catalogue.set(code, {
      status: entry.status,
      message: typeof entry.message === "string" ? entry.message : code,
    });
  }
  return catalogue;
}
