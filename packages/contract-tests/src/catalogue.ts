import { isObject, type JsonObject } from "./spec.js";

/** The API's error catalogue: code → the status and message Pingback publishes for it. */
export type ErrorCatalogue = Map<string, { status: number; message: string }>;

export const CATALOGUE_POINTER = "/components/schemas/KnownErrorCode/x-error-catalogue";

/** Reads the catalogue written once in the spec; a missing or malformed one is a clear error. */
export function errorCatalogue(document: JsonObject): ErrorCatalogue {
  const schemas = isObject(document.components) ? document.components.schemas : undefined;
  const known = isObject(schemas) ? schemas.KnownErrorCode : undefined;
  const raw = isObject(known) ? known["x-error-catalogue"] : undefined;
  if (!isObject(raw)) {
    throw new Error(
      `The spec has no error catalogue at ${CATALOGUE_POINTER}: the suite reads each code's status from it. Rebuild the spec (pnpm build) from a version that has it.`,
    );
  }
  const catalogue: ErrorCatalogue = new Map();
  for (const [code, entry] of Object.entries(raw)) {
    if (!isObject(entry) || typeof entry.status !== "number") {
      throw new Error(`${CATALOGUE_POINTER}/${code} needs { status: integer, message: string }.`);
    }
    catalogue.set(code, {
      status: entry.status,
      message: typeof entry.message === "string" ? entry.message : "",
    });
  }
  return catalogue;
}

/** The fields of an error body, when it is an object. */
export function errorFields(body: unknown): {
  error?: unknown;
  requestId?: unknown;
  errorCode?: unknown;
} {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? body : {};
}

/**
 * The published convention the schema cannot state: a known `errorCode` comes with the status the
 * catalogue gives it. (That an error body carries `error`, `requestId` and `errorCode` is the
 * spec's `Error` schema, checked by the validator with every other shape.)
 */
export function conventions(catalogue: ErrorCatalogue, status: number, body: unknown): string[] {
  const code = errorFields(body).errorCode;
  const entry = typeof code === "string" ? catalogue.get(code) : undefined;
  return entry && entry.status !== status
    ? [`errorCode ${code} came with ${status}; the catalogue gives it ${entry.status}`]
    : [];
}
