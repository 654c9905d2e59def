import {
  baseRequest,
  mediaOf,
  type RequestSpec,
  requestBody,
  requestVariants,
  responses,
  schemaPointer,
} from "./cases.js";
import { errorCatalogue } from "./catalogue.js";
import type { NegativeKind } from "./deviations.js";
import {
  at,
  escapePointer,
  isObject,
  type Json,
  type JsonObject,
  type Located,
  type Operation,
  operations,
  requiresApiKey,
  resolve,
} from "./spec.js";
import type { SchemaValidator } from "./validator.js";

/** An invalid request derived from the spec, with the status the API documents for it. */
export interface NegativeCase {
  /** `operationId › status › what is wrong`. */
  name: string;
  operationId: string;
  kind: NegativeKind;
  request: RequestSpec;
  /** Whether to send the API key (the `no-api-key` case sends none). */
  withApiKey: boolean;
  want: { status: number; schemaPointer: string | null };
}

/**
 * The error code the API answers each kind of invalid request with. Its status is read from the
 * spec's error catalogue (`x-error-catalogue`), never kept here.
 */
export const CODE_FOR: Record<NegativeKind, string> = {
  "no-api-key": "FORBIDDEN",
  "invalid-body": "INVALID_INPUT",
  "missing-body": "MISSING_BODY",
  "invalid-parameter": "INVALID_PARAMS",
};

/** A body or parameter value made invalid, with a label saying how. */
export interface Mutation {
  label: string;
  value: Json;
}

export function negativeCases(document: JsonObject, validator: SchemaValidator): NegativeCase[] {
  return operations(document).flatMap((op) => negativesOf(document, validator, op));
}

function negativesOf(
  document: JsonObject,
  validator: SchemaValidator,
  op: Operation,
): NegativeCase[] {
  const base = { ...baseRequest(document, op), body: requestVariants(document, op)[0]?.body };
  const make = (
    kind: NegativeKind,
    label: string,
    request: RequestSpec,
    withApiKey = true,
  ): NegativeCase => {
    const want = documentedStatus(document, op, kind);
    return {
      name: `${op.operationId} › ${want.status} › ${label}`,
      operationId: op.operationId,
      kind,
      request,
      withApiKey,
      want,
    };
  };
  // Only an operation whose security asks for the key can be refused for lacking it.
  const cases = requiresApiKey(document, op) ? [make("no-api-key", "no API key", base, false)] : [];

  const body = requestBody(document, op);
  const media = body?.media[0];
  const pointer = media ? schemaPointer(document, media) : null;
  if (body && pointer && base.body !== undefined) {
    for (const mutation of bodyMutations(
      document,
      { value: at(document, pointer), pointer },
      base.body,
    )) {
      // Keep only what our own validator rejects: the derivation is checked, not trusted.
      if (validator.violations(pointer, mutation.value).length === 0) continue;
      cases.push(
        make("invalid-body", `invalid body: ${mutation.label}`, { ...base, body: mutation.value }),
      );
    }
  }
  if (body?.required)
    cases.push(make("missing-body", "missing body", { ...base, body: undefined }));

  for (const parameter of op.parameters) {
    const { name, in: location } = parameter.value;
    if (typeof name !== "string" || parameter.value.schema === undefined) continue;
    const schema = resolve(document, parameter.value.schema, `${parameter.pointer}/schema`);
    for (const mutation of valueMutations(schema.value, name, undefined, true)) {
      const request = withParameter(base, String(location), name, mutation.value);
      cases.push(
        make("invalid-parameter", `invalid ${location} parameter: ${mutation.label}`, request),
      );
    }
  }
  return cases;
}

/** The base request with one parameter replaced by an invalid value, sent as text. */
function withParameter(
  base: RequestSpec,
  location: string,
  name: string,
  value: Json,
): RequestSpec {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const request = {
    ...base,
    pathParams: { ...base.pathParams },
    query: { ...base.query },
    headers: { ...base.headers },
  };
  if (location === "path") request.pathParams[name] = text;
  else if (location === "query") request.query[name] = text;
  else if (location === "header") request.headers[name] = text;
  return request;
}

function documentedStatus(document: JsonObject, op: Operation, kind: NegativeKind) {
  const code = CODE_FOR[kind];
  const entry = errorCatalogue(document).get(code);
  if (!entry) {
    throw new Error(
      `The spec's error catalogue has no ${code}, so the suite cannot tell what a ${kind} request should get; add it to x-error-catalogue.`,
    );
  }
  const status = String(entry.status);
  const response = new Map(responses(document, op)).get(status);
  if (!response) {
    throw new Error(
      `${op.operationId} does not document ${status}, the status the catalogue gives ${code} (what a request of kind ${kind} gets); document it.`,
    );
  }
  const media = mediaOf(document, response).media[0];
  return { status: entry.status, schemaPointer: media ? schemaPointer(document, media) : null };
}

/**
 * Invalid versions of a valid body, one rule broken each: every required property dropped, every
 * typed property given a wrong type, every format broken, every array pushed past its item limits.
 */
export function bodyMutations(document: JsonObject, schema: Located, valid: Json): Mutation[] {
  const found: Mutation[] = [];
  const walk = (node: Located, path: string[], depth: number) => {
    const resolved = resolve(document, node.value, node.pointer);
    const value = resolved.value;
    if (!isObject(value) || depth > 8) return;
    if (path.length > 0) {
      const where = path.join(".");
      for (const mutation of valueMutations(value, where, getAt(valid, path))) {
        found.push({ label: mutation.label, value: setAt(valid, path, mutation.value) });
      }
    }
    // Items are checked through the first element of the example's array, where there is one.
    const items = getAt(valid, path);
    if (value.items !== undefined && Array.isArray(items) && items.length > 0) {
      walk({ value: value.items, pointer: `${resolved.pointer}/items` }, [...path, "0"], depth + 1);
    }
    const properties = isObject(value.properties) ? value.properties : {};
    const required = Array.isArray(value.required) ? value.required : [];
    for (const [key, child] of Object.entries(properties)) {
      const childPath = [...path, key];
      if (required.includes(key)) {
        found.push({
          label: `${childPath.join(".")} (required) dropped`,
          value: setAt(valid, childPath, undefined),
        });
      }
      walk(
        { value: child, pointer: `${resolved.pointer}/properties/${escapePointer(key)}` },
        childPath,
        depth + 1,
      );
    }
  };
  walk(schema, [], 0);
  return found;
}

const WRONG_VALUES: Json[] = [42, "not-a-number", true, { wrong: "type" }, ["wrong", "type"]];

/** Values that break one keyword of a schema (type, format, minimum/maximum, enum, item limits). */
export function valueMutations(
  schema: Json,
  where: string,
  current?: Json,
  onWire = false,
): Mutation[] {
  if (!isObject(schema)) return [];
  const found: Mutation[] = [];
  const types =
    typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? schema.type : [];
  // A parameter travels as text, so "not a string" cannot be said on the wire.
  const typeCanBreak = types.length > 0 && !(onWire && types.includes("string"));
  const wrong = typeCanBreak
    ? WRONG_VALUES.find((value) => !types.some((type) => matchesType(value, type)))
    : undefined;
  if (wrong !== undefined)
    found.push({ label: `${where} is not ${types.join(" or ")}`, value: wrong });
  if (typeof schema.format === "string") {
    found.push({
      label: `${where} is not a valid ${schema.format}`,
      value: `not-a-valid-${schema.format}`,
    });
  }
  if (typeof schema.minimum === "number")
    found.push({ label: `${where} below minimum ${schema.minimum}`, value: schema.minimum - 1 });
  if (typeof schema.maximum === "number")
    found.push({ label: `${where} above maximum ${schema.maximum}`, value: schema.maximum + 1 });
  if (Array.isArray(schema.enum))
    found.push({ label: `${where} not in its enum`, value: "not-in-enum" });
  const item = Array.isArray(current) && current.length > 0 ? current[0] : sampleItem(schema.items);
  if (typeof schema.maxItems === "number" && item !== undefined) {
    found.push({
      label: `${where} over maxItems ${schema.maxItems}`,
      value: Array(schema.maxItems + 1).fill(item),
    });
  }
  if (typeof schema.minItems === "number" && schema.minItems > 0 && item !== undefined) {
    found.push({
      label: `${where} under minItems ${schema.minItems}`,
      value: Array(schema.minItems - 1).fill(item),
    });
  }
  return found;
}

function sampleItem(schema: Json | undefined): Json | undefined {
  if (!isObject(schema)) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  return schema.format === "uuid" ? "00000000-0000-4000-8000-000000000000" : undefined;
}

function matchesType(value: Json, type: Json): boolean {
  if (type === "integer") return Number.isInteger(value);
  if (type === "number") return typeof value === "number";
  if (type === "array") return Array.isArray(value);
  if (type === "object") return isObject(value);
  if (type === "null") return value === null;
  return typeof value === type;
}

function getAt(value: Json | undefined, path: string[]): Json | undefined {
  return path.reduce<Json | undefined>((node, key) => {
    if (Array.isArray(node)) return node[Number(key)];
    return isObject(node) ? node[key] : undefined;
  }, value);
}

/** A deep copy of `value` with `path` set (or removed, for `undefined`), creating objects on the way. */
export function setAt(value: Json, path: string[], next: Json | undefined): Json {
  const [key, ...rest] = path;
  if (key === undefined) return next ?? null;
  if (Array.isArray(value)) {
    const copy = [...value];
    const index = Number(key);
    if (rest.length > 0) copy[index] = setAt(copy[index] ?? {}, rest, next);
    else if (next === undefined) copy.splice(index, 1);
    else copy[index] = next;
    return copy;
  }
  const copy: JsonObject = isObject(value) ? { ...value } : {};
  if (rest.length > 0) copy[key] = setAt(copy[key] ?? {}, rest, next);
  else if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}
