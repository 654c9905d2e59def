import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** A JSON value of the bundled OpenAPI document. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** The bundled spec, with the file it was read from (Prism reads the same file). */
export interface Spec {
  path: string;
  document: JsonObject;
}

/** One operation of the spec, with path-level and operation-level parameters merged. */
export interface Operation {
  operationId: string;
  method: string;
  path: string;
  /** JSON pointer of the operation object, e.g. `/paths/~1contacts/get`. */
  pointer: string;
  operation: JsonObject;
  parameters: Located<JsonObject>[];
}

/** A value found in the document, with the JSON pointer where it really lives (after `$ref`s). */
export interface Located<T extends Json = Json> {
  value: T;
  pointer: string;
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** The bundled spec of `@pingback/spec`, or the file named by `PINGBACK_SPEC` (a mutated copy, say). */
export function loadSpec(path = process.env.PINGBACK_SPEC || defaultSpecPath()): Spec {
  return { path, document: JSON.parse(readFileSync(path, "utf8")) as JsonObject };
}

export function defaultSpecPath(): string {
  return createRequire(import.meta.url).resolve("@pingback/spec/openapi.json");
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function escapePointer(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Follows local `$ref`s until it reaches a value that is not one. */
export function resolve(document: JsonObject, value: Json, pointer: string): Located {
  const seen = new Set<string>();
  let current: Located = { value, pointer };
  while (isObject(current.value) && typeof current.value.$ref === "string") {
    const ref = current.value.$ref;
    if (!ref.startsWith("#/") || seen.has(ref)) {
      throw new Error(
        `Cannot follow $ref "${ref}" at ${current.pointer}: only local, acyclic refs are supported.`,
      );
    }
    seen.add(ref);
    current = { value: at(document, ref.slice(1)), pointer: ref.slice(1) };
  }
  return current;
}

/** Resolves `$ref`s and insists on an object, naming the place when it is not one. */
export function resolveObject(
  document: JsonObject,
  value: Json,
  pointer: string,
): Located<JsonObject> {
  const found = resolve(document, value, pointer);
  if (!isObject(found.value))
    throw new Error(`Expected an object at ${found.pointer} of the spec.`);
  return found as Located<JsonObject>;
}

/** The value at a JSON pointer of the document. */
export function at(document: JsonObject, pointer: string): Json {
  let node: Json = document;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const next: Json | undefined = isObject(node)
      ? node[key]
      : Array.isArray(node)
        ? node[Number(key)]
        : undefined;
    if (next === undefined) throw new Error(`The spec has nothing at ${pointer}.`);
    node = next;
  }
  return node;
}

/** Every operation of the spec, in document order. */
export function operations(document: JsonObject): Operation[] {
  const found: Operation[] = [];
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolveObject(document, rawItem, `/paths/${escapePointer(path)}`);
    for (const method of HTTP_METHODS) {
      const operation = item.value[method];
      if (!isObject(operation)) continue;
      const pointer = `${item.pointer}/${method}`;
      if (typeof operation.operationId !== "string") {
        throw new Error(
          `${method.toUpperCase()} ${path} has no operationId; every operation needs one.`,
        );
      }
      found.push({
        operationId: operation.operationId,
        method,
        path,
        pointer,
        operation,
        parameters: mergeParameters(document, item, operation, pointer),
      });
    }
  }
  return found;
}

/** Operation parameters override path-item parameters of the same name and location. */
function mergeParameters(
  document: JsonObject,
  item: Located<JsonObject>,
  operation: JsonObject,
  pointer: string,
): Located<JsonObject>[] {
  const byKey = new Map<string, Located<JsonObject>>();
  const lists: [Json | undefined, string][] = [
    [item.value.parameters, `${item.pointer}/parameters`],
    [operation.parameters, `${pointer}/parameters`],
  ];
  for (const [list, base] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((raw, index) => {
      const parameter = resolveObject(document, raw, `${base}/${index}`);
      byKey.set(`${parameter.value.in}:${parameter.value.name}`, parameter);
    });
  }
  return [...byKey.values()];
}

/**
 * Whether an operation takes the API key: its `security` (or, when it has none, the spec's) has a
 * requirement that names a scheme. `security: []` (a webhook intake) takes none.
 */
export function requiresApiKey(document: JsonObject, op: Operation): boolean {
  const security = op.operation.security ?? document.security;
  return (
    Array.isArray(security) && security.some((req) => isObject(req) && Object.keys(req).length > 0)
  );
}
