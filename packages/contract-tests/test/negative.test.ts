import { describe, expect, inject, test } from "vitest";
import { assertNoProblems, checkNegative } from "../src/check.js";
import { MOCK_API_KEY } from "../src/context.js";
import { deviationFor, PRISM_DEVIATIONS } from "../src/deviations.js";
import { negativeCases } from "../src/negatives.js";
import { contractClient, send, sendWithoutApiKey } from "../src/send.js";
import { isObject, loadSpec, operations, requiresApiKey, resolve } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

const spec = loadSpec();
const validator = createValidator(spec.document);
const mockUrl = inject("mockUrl");
const client = contractClient({
  baseUrl: mockUrl,
  apiKey: MOCK_API_KEY,
  developerMode: true,
  rateLimited: false,
});
const cases = negativeCases(spec.document, validator).map((c) => {
  const deviation = deviationFor(c.kind);
  return {
    ...c,
    deviation,
    title: deviation ? `${c.name} [Prism deviation: answers ${deviation.prism.status}]` : c.name,
  };
});

describe("invalid requests derived from the schemas get the documented error", () => {
  test.for(cases)("$title", async (c) => {
    const got = c.withApiKey
      ? await send(client, c.request)
      : await sendWithoutApiKey(mockUrl, c.request);
    assertNoProblems(c.title, checkNegative(c, got, validator, c.deviation));
  });
});

describe("negative cases cover every operation", () => {
  // The kinds of each operation, gathered in one pass over the cases.
  const kindsOf = new Map<string, Set<string>>();
  for (const c of cases) {
    const kinds = kindsOf.get(c.operationId) ?? new Set();
    kindsOf.set(c.operationId, kinds.add(c.kind));
  }
  // Read from the spec independently of the derivation: a parameter whose schema has a type other
  // than string, a format, a bound or an enum has a value that breaks it.
  const breakable = (schema: unknown) =>
    (isObject(schema as never) &&
      ["format", "minimum", "maximum", "enum"].some((key) => key in (schema as object))) ||
    (isObject(schema as never) &&
      typeof (schema as { type?: unknown }).type === "string" &&
      (schema as { type: string }).type !== "string");
  const table = operations(spec.document).map((op) => ({
    operationId: op.operationId,
    takesKey: requiresApiKey(spec.document, op),
    hasBreakableParameter: op.parameters.some(
      (p) =>
        p.value.schema !== undefined &&
        breakable(resolve(spec.document, p.value.schema, `${p.pointer}/schema`).value),
    ),
    kinds: kindsOf.get(op.operationId) ?? new Set(),
  }));
  test.for(table)(
    "$operationId gets a no-API-key case iff its security requires the key ($takesKey)",
    ({ takesKey, kinds }) => {
      expect(kinds.has("no-api-key")).toBe(takesKey);
    },
  );
  test.for(table)(
    "$operationId gets an invalid-parameter case iff a parameter has a constraint to break ($hasBreakableParameter)",
    ({ hasBreakableParameter, kinds }) => {
      expect(kinds.has("invalid-parameter")).toBe(hasBreakableParameter);
    },
  );
  test.for([...PRISM_DEVIATIONS])(
    "declared deviation $kind is used by at least one case",
    (deviation) => {
      expect(cases.some((c) => c.deviation === deviation)).toBe(true);
    },
  );
});
