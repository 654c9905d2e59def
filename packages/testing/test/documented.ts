/**
 * Every answer of the fake, checked against the spec by the live conformance suite's own JSON Schema
 * 2020-12 validator (ajv + formats, `packages/contract-tests/src/validator.ts`): the status must be
 * documented for the operation, the media type too, and the body must be valid against its schema.
 */
import { mediaOf, responses, schemaPointer } from "../../contract-tests/src/cases.js";
import { type JsonObject, operations } from "../../contract-tests/src/spec.js";
import { createValidator } from "../../contract-tests/src/validator.js";
import { BUNDLED_SPEC } from "../src/document.js";
import type { FakePingback } from "../src/index.js";

const document = BUNDLED_SPEC as JsonObject;
const validator = createValidator(document);
const byId = new Map(operations(document).map((op) => [op.operationId, op]));

/** Why an answer is not one the spec documents for `operationId` (empty when it is). */
export async function undocumented(operationId: string, response: Response): Promise<string[]> {
  const op = byId.get(operationId);
  if (!op) return [`${operationId} is not an operation of the spec`];
  const documented = new Map(responses(document, op));
  const holder = documented.get(String(response.status));
  if (!holder) return [`${operationId}: status ${response.status} is not documented`];
  const text = await response.clone().text();
  const { media, mediaTypes } = mediaOf(document, holder);
  if (media.length === 0)
    return text === "" ? [] : [`${operationId}: ${response.status} has a body`];
  const type = response.headers.get("content-type")?.split(";")[0]?.trim() ?? "";
  const index = mediaTypes.indexOf(type);
  const item = media[index];
  if (!item)
    return [`${operationId}: ${response.status} answered ${type}, documented ${mediaTypes}`];
  const pointer = schemaPointer(document, item);
  if (!pointer) return [];
  return validator
    .violations(pointer, JSON.parse(text))
    .map((v) => `${operationId}: ${response.status} breaks ${pointer}: ${v}`);
}

/**
 * The fake's `fetch`, with every answer checked: what it finds is pushed to `problems`, which a
 * test's `afterEach` expects to be empty.
 */
export function checkedFetch(fake: FakePingback, problems: string[]) {
  return async (input: Request, init?: RequestInit): Promise<Response> => {
    const response = await fake.fetch(input, init);
    const operationId = fake.requests.at(-1)?.operationId;
    if (!operationId) problems.push(`${input.method} ${input.url}: no operation of the spec`);
    else problems.push(...(await undocumented(operationId, response)));
    return response;
  };
}
