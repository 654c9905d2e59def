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
 * The published conventions an answer must keep: a known `errorCode` comes with its catalogue
 * status (a failure otherwise); an error body names `error`, `requestId` and `errorCode` (the spec
 * marks none required, so a missing one is a warning).
 */
export function conventions(
  catalogue: ErrorCatalogue,
  status: number,
  body: unknown,
): { failures: string[]; warnings: string[] } {
  const failures: string[] = [];
  const warnings: string[] = [];
  const fields = errorFields(body);
  if (typeof fields.errorCode === "string") {
    const entry = catalogue.get(fields.errorCode);
    if (entry && entry.status !== status)
      failures.push(
        `errorCode ${fields.errorCode} came with ${status}; the catalogue gives it ${entry.status}`,
      );
  }
  if (status >= 400) {
    const missing = (["error", "requestId", "errorCode"] as const).filter(
      (key) => typeof fields[key] !== "string",
    );
    if (missing.length > 0) warnings.push(`the ${status} error body has no ${missing.join(", ")}`);
  }
  return { failures, warnings };
}
