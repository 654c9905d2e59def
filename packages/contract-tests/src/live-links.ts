import type { RequestSpec } from "./cases.js";
import { escapePointer, isObject, type Json, type JsonObject, operations } from "./spec.js";

/** An OpenAPI link of a response: after `source` answers `status`, `target` can be called with its values. */
export interface Link {
  /** The link's name in the spec (e.g. `getContact`, `nextPage`). */
  name: string;
  source: string;
  status: string;
  target: string;
  /** Parameter name (optionally `path.`/`query.`/`header.`-qualified) → runtime expression or value. */
  parameters: Record<string, Json>;
  requestBody?: Json;
  /** `x-page-increment`: added to a numeric parameter value (the next page). */
  increment?: number;
  pointer: string;
}

/** Every link of every response of the spec, in document order; refused when its target does not exist. */
export function links(document: JsonObject): Link[] {
  const ops = operations(document);
  const ids = new Set(ops.map((op) => op.operationId));
  const found: Link[] = [];
  for (const op of ops) {
    const all = isObject(op.operation.responses) ? op.operation.responses : {};
    for (const [status, raw] of Object.entries(all)) {
      const response = isObject(raw) ? raw : {};
      const map = isObject(response.links) ? response.links : {};
      for (const [name, rawLink] of Object.entries(map)) {
        if (!isObject(rawLink)) continue;
        const pointer = `${op.pointer}/responses/${status}/links/${escapePointer(name)}`;
        const target = rawLink.operationId;
        if (typeof target !== "string" || !ids.has(target)) {
          throw new Error(
            `The link at ${pointer} targets operationId "${String(target)}", which the spec does not have; only operationId links are supported.`,
          );
        }
        const increment = rawLink["x-page-increment"];
        found.push({
          name,
          source: op.operationId,
          status,
          target,
          parameters: isObject(rawLink.parameters) ? rawLink.parameters : {},
          ...(rawLink.requestBody !== undefined && { requestBody: rawLink.requestBody }),
          ...(typeof increment === "number" && { increment }),
          pointer,
        });
      }
    }
  }
  return found;
}

/** What a runtime expression can read: the request sent and the answer received. */
export interface ExpressionContext {
  url: string;
  request: RequestSpec;
  response: { status: number; headers: Headers; body: unknown };
}

/**
 * Evaluates an OpenAPI runtime expression (`$url`, `$method`, `$statusCode`,
 * `$request.{path,query,header}.name`, `$request.body#/pointer`, `$response.header.name`,
 * `$response.body#/pointer`), a string with `{$…}` embedded, or a constant (returned as is).
 * An expression that finds nothing yields `undefined`; a malformed one throws, naming it.
 */
export function evaluate(expression: Json, context: ExpressionContext): Json | undefined {
  if (typeof expression !== "string") return expression;
  if (!expression.startsWith("$")) {
    if (!/\{\$/.test(expression)) return expression;
    return expression.replace(/\{(\$[^}]+)\}/g, (_, inner: string) => {
      const value = evaluateOne(inner, context);
      return value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
    });
  }
  return evaluateOne(expression, context);
}

function evaluateOne(expression: string, { url, request, response }: ExpressionContext) {
  if (expression === "$url") return url;
  if (expression === "$method") return request.method.toUpperCase();
  if (expression === "$statusCode") return response.status;
  const match = /^\$(request|response)\.(path|query|header|body)(?:\.([^#]+)|(#.*)?)$/.exec(
    expression,
  );
  if (!match)
    throw new Error(`"${expression}" is not an OpenAPI runtime expression this suite can read.`);
  const [, side, source, name, pointer] = match;
  if (source === "body") {
    const body = side === "request" ? request.body : (response.body as Json | undefined);
    return pointer === undefined || pointer === "#" ? body : atPointer(body, pointer.slice(1));
  }
  if (name === undefined) throw new Error(`"${expression}" names no ${source} field.`);
  if (source === "header") {
    if (side === "response") return response.headers.get(name) ?? undefined;
    const key = Object.keys(request.headers).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : request.headers[key];
  }
  if (side === "response")
    throw new Error(`"${expression}": a response has no ${source} parameters.`);
  return (source === "path" ? request.pathParams : request.query)[name];
}

/** The value at a JSON pointer (`/data/email`), or undefined. */
export function atPointer(value: Json | undefined, pointer: string): Json | undefined {
  if (pointer === "") return value;
  let node = value;
  for (const raw of pointer.split("/").slice(1)) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    node = Array.isArray(node) ? node[Number(key)] : isObject(node) ? node[key] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * The target's request with the link's values in place: each parameter goes where the target
 * declares it (a qualified `path.x` name wins), the body is replaced when the link gives one.
 * Returns the names of the values the link could not evaluate.
 */
export function applyLink(
  link: Link,
  target: RequestSpec,
  locations: Map<string, string>,
  context: ExpressionContext,
): { request: RequestSpec; missing: string[] } {
  const request: RequestSpec = {
    ...target,
    pathParams: { ...target.pathParams },
    query: { ...target.query },
    headers: { ...target.headers },
  };
  const missing: string[] = [];
  for (const [key, expression] of Object.entries(link.parameters)) {
    const qualified = /^(path|query|header)\.(.+)$/.exec(key);
    const name = qualified ? (qualified[2] as string) : key;
    const location = qualified ? qualified[1] : locations.get(name);
    let value = evaluate(expression, context);
    if (value === undefined || value === null) {
      missing.push(`${key} (${String(expression)})`);
      continue;
    }
    if (link.increment !== undefined) value = Number(value) + link.increment;
    if (location === "path") request.pathParams[name] = value;
    else if (location === "query") request.query[name] = value;
    else if (location === "header") request.headers[name] = String(value);
    else missing.push(`${key} (the target has no such parameter)`);
  }
  if (link.requestBody !== undefined) {
    const body = substitute(link.requestBody, context);
    if (body === undefined) missing.push(`requestBody (${JSON.stringify(link.requestBody)})`);
    else request.body = body;
  }
  return { request, missing };
}

/** A link body: one expression, or a JSON value whose string leaves may be expressions. */
function substitute(value: Json, context: ExpressionContext): Json | undefined {
  if (typeof value === "string") return evaluate(value, context);
  if (Array.isArray(value)) return value.map((item) => substitute(item, context) ?? null);
  if (isObject(value))
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substitute(item, context) ?? null]),
    );
  return value;
}
