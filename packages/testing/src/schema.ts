/**
 * Request validation against the spec's JSON Schemas, with no code generation at run time (workerd
 * refuses `new Function`, which ajv needs). It knows the keywords the spec uses and refuses any other
 * one loudly, so a spec that starts using a new keyword fails the fake's tests instead of being
 * half-checked. The formats are ajv-formats' own ("full" mode), so the fake and the contract tests'
 * ajv agree on what an email or a uuid is.
 */
import { isObject, type JsonObject, resolve } from "./document.js";

export const FORMATS: Record<string, (value: string) => boolean> = {
  email: (v) =>
    /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i.test(
      v,
    ),
  uuid: (v) => /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(v),
  "date-time": (v) =>
    /^\d{4}-\d{2}-\d{2}[t\s]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:z|[+-]\d{2}(?::?\d{2})?)$/i.test(v) &&
    !Number.isNaN(Date.parse(v)),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
  uri: (v) => /^[a-z][a-z0-9+.-]*:/i.test(v),
};

/** Keywords that describe and never constrain. */
const ANNOTATIONS = new Set([
  "description",
  "title",
  "example",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "summary",
  "$comment",
]);

/**
 * The first rule `value` breaks, as `email must match format "email"`, or undefined when it is valid.
 * `where` names the value (`body`, `path parameter email`).
 */
export function violation(
  document: JsonObject,
  schema: unknown,
  value: unknown,
  where: string,
  formats = true,
): string | undefined {
  const node = resolve(document, schema);
  if (node === true || node === undefined) return undefined;
  if (node === false) return `${where} is not allowed`;
  if (!isObject(node)) return undefined;
  for (const [keyword, rule] of Object.entries(node)) {
    if (ANNOTATIONS.has(keyword) || keyword.startsWith("x-") || keyword === "$ref") continue;
    const broken = check(document, keyword, rule, node, value, where, formats);
    if (broken) return broken;
  }
  return undefined;
}

function check(
  document: JsonObject,
  keyword: string,
  rule: unknown,
  node: JsonObject,
  value: unknown,
  where: string,
  formats: boolean,
): string | undefined {
  const nested = (schema: unknown, item: unknown, at: string) =>
    violation(document, schema, item, at, formats);
  switch (keyword) {
    case "type": {
      const types = Array.isArray(rule) ? rule : [rule];
      return types.some((type) => typeOf(value, type as string))
        ? undefined
        : `${where} must be ${types.join(" or ")}`;
    }
    case "enum":
      return (rule as unknown[]).some((item) => same(item, value))
        ? undefined
        : `${where} must be one of ${(rule as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return same(rule, value) ? undefined : `${where} must be ${JSON.stringify(rule)}`;
    case "format": {
      const test = FORMATS[rule as string];
      if (!test) throw unknownRule(`format "${rule}"`);
      return !formats || typeof value !== "string" || test(value)
        ? undefined
        : `${where} must be a valid ${rule} (format "${rule}")`;
    }
    case "pattern":
      return typeof value !== "string" || new RegExp(rule as string, "u").test(value)
        ? undefined
        : `${where} must match the pattern ${rule}`;
    case "minLength":
      return typeof value !== "string" || [...value].length >= (rule as number)
        ? undefined
        : `${where} must have at least ${rule} characters`;
    case "maxLength":
      return typeof value !== "string" || [...value].length <= (rule as number)
        ? undefined
        : `${where} must have at most ${rule} characters`;
    case "minimum":
      return typeof value !== "number" || value >= (rule as number)
        ? undefined
        : `${where} must be >= ${rule}`;
    case "maximum":
      return typeof value !== "number" || value <= (rule as number)
        ? undefined
        : `${where} must be <= ${rule}`;
    case "minItems":
      return !Array.isArray(value) || value.length >= (rule as number)
        ? undefined
        : `${where} must have at least ${rule} item${rule === 1 ? "" : "s"}`;
    case "maxItems":
      return !Array.isArray(value) || value.length <= (rule as number)
        ? undefined
        : `${where} must have at most ${rule} items`;
    case "items":
      if (!Array.isArray(value)) return undefined;
      for (const [i, item] of value.entries()) {
        const broken = nested(rule, item, `${where}[${i}]`);
        if (broken) return broken;
      }
      return undefined;
    case "required":
      if (!isObject(value)) return undefined;
      for (const name of rule as string[])
        if (!(name in value)) return `${where}.${name} is required`;
      return undefined;
    case "properties":
      if (!isObject(value)) return undefined;
      for (const [name, schema] of Object.entries(rule as JsonObject)) {
        if (!(name in value)) continue;
        const broken = nested(schema, value[name], `${where}.${name}`);
        if (broken) return broken;
      }
      return undefined;
    case "additionalProperties": {
      if (!isObject(value)) return undefined;
      const known = isObject(node.properties) ? node.properties : {};
      for (const [name, item] of Object.entries(value)) {
        if (name in known) continue;
        if (rule === false) return `${where}.${name} is not a known field`;
        const broken = nested(rule, item, `${where}.${name}`);
        if (broken) return broken;
      }
      return undefined;
    }
    case "allOf":
      for (const schema of rule as unknown[]) {
        const broken = nested(schema, value, where);
        if (broken) return broken;
      }
      return undefined;
    case "anyOf":
    case "oneOf": {
      const results = (rule as unknown[]).map((schema) => nested(schema, value, where));
      const passed = results.filter((r) => r === undefined).length;
      if (keyword === "anyOf" ? passed > 0 : passed === 1) return undefined;
      return passed > 1 ? `${where} matches more than one schema of oneOf` : results[0];
    }
    default:
      throw unknownRule(`keyword "${keyword}"`);
  }
}

/** The keywords `check` knows: a request schema using another one is refused when the fake is created. */
const KNOWN = new Set([
  "type",
  "enum",
  "const",
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "items",
  "required",
  "properties",
  "additionalProperties",
  "allOf",
  "anyOf",
  "oneOf",
  "$ref",
]);

/** Throws, naming the keyword and where it is, if a schema (with what it refers to) uses one the validator does not know. */
export function assertCheckable(document: JsonObject, schema: unknown, where: string): void {
  const seen = new Set<unknown>();
  const walk = (raw: unknown, at: string) => {
    const node = resolve(document, raw);
    if (!isObject(node) || seen.has(node)) return;
    seen.add(node);
    for (const [keyword, rule] of Object.entries(node)) {
      if (ANNOTATIONS.has(keyword) || keyword.startsWith("x-")) continue;
      if (!KNOWN.has(keyword)) throw unknownRule(`keyword "${keyword}" (in ${at})`);
      if (keyword === "format" && !FORMATS[rule as string])
        throw unknownRule(`format "${rule}" (in ${at})`);
      if (keyword === "properties" && isObject(rule))
        for (const [name, child] of Object.entries(rule)) walk(child, `${at}.${name}`);
      else if (Array.isArray(rule)) for (const child of rule) walk(child, at);
      else if (keyword === "items" || keyword === "additionalProperties") walk(rule, at);
    }
  };
  walk(schema, where);
}

function unknownRule(what: string): Error {
  return new Error(
    `@pingback/testing cannot check ${what} of the spec: its request validator knows only the keywords the spec used when it was built. Update @pingback/testing.`,
  );
}

function typeOf(value: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    default:
      throw unknownRule(`type "${type}"`);
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A header or query string read as its schema's type: `"true"` as a boolean, `"3"` as an integer. */
export function coerce(document: JsonObject, schema: JsonObject, raw: string): unknown {
  const node = resolve(document, schema);
  const type = isObject(node) ? node.type : undefined;
  if (type === "boolean") return raw === "true" ? true : raw === "false" ? false : raw;
  if (type === "integer" || type === "number")
    return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return raw;
}
