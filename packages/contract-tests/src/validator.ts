import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { JsonObject } from "./spec.js";

// ajv-formats is CommonJS; under ESM its function sits on `default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const DOCUMENT_ID = "https://contract-tests.pingback.invalid/openapi.json";

// OpenAPI words that ajv would take for unknown keywords: those a schema may carry, and the
// document's own top-level fields (the document is registered as one schema). None validates.
const OPENAPI_KEYWORDS = ["example", "discriminator", "xml", "externalDocs"];
const DOCUMENT_FIELDS = ["openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks"];
const MORE_DOCUMENT_FIELDS = ["components", "security", "tags"];

/** Checks values against schemas of the spec with JSON Schema 2020-12 and formats, independently of Prism. */
export interface SchemaValidator {
  /** The violations of `value` against the schema at `pointer` (e.g. `/components/schemas/Error`); empty when valid. */
  violations(pointer: string, value: unknown): string[];
}

export function createValidator(document: JsonObject): SchemaValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, validateSchema: false });
  addFormats(ajv);
  ajv.addVocabulary([
    ...OPENAPI_KEYWORDS,
    ...DOCUMENT_FIELDS,
    ...MORE_DOCUMENT_FIELDS,
    ...extensionsOf(document),
  ]);
  // The whole document is registered once, so schemas are compiled where they live and their
  // `#/components/...` refs resolve against the document itself.
  ajv.addSchema(document, DOCUMENT_ID);
  return {
    violations(pointer, value) {
      const validate = ajv.getSchema(`${DOCUMENT_ID}#${pointer}`);
      if (!validate) throw new Error(`The spec has no schema at ${pointer}.`);
      return validate(value) ? [] : (validate.errors ?? []).map(describeError);
    },
  };
}

/** `data.id must be string (type)`: where, what, and the JSON Schema rule that was broken. */
export function describeError(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll("/", ".") : "(body)";
  return `${where} ${error.message ?? "is invalid"} (${error.keyword})`;
}

/** Every `x-` extension key used in the document (e.g. `x-error-catalogue`): annotations, never rules. */
function extensionsOf(document: JsonObject): string[] {
  const found = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === "object" && node !== null)
      for (const [key, value] of Object.entries(node)) {
        if (key.startsWith("x-")) found.add(key);
        visit(value);
      }
  };
  visit(document);
  return [...found];
}
