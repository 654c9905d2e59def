import { describe, expect, inject, test } from "vitest";
import { assertNoProblems, checkNegative } from "../src/check.js";
import { MOCK_API_KEY } from "../src/context.js";
import { deviationFor, PRISM_DEVIATIONS } from "../src/deviations.js";
import { negativeCases, valueMutations } from "../src/negatives.js";
import { contractClient, send, sendWithoutApiKey } from "../src/send.js";
import { loadSpec, operations, requiresApiKey, resolve } from "../src/spec.js";
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
  const table = operations(spec.document).map((op) => ({
    operationId: op.operationId,
    open: !requiresApiKey(spec.document, op),
    // A parameter whose schema has a rule to break (a type other than string, a format, a bound).
    constrained: op.parameters.some(
      (p) =>
        valueMutations(
          resolve(spec.document, p.value.schema ?? {}, `${p.pointer}/schema`).value,
          String(p.value.name),
          undefined,
          true,
        ).length > 0,
    ),
    kinds: new Set(cases.filter((c) => c.operationId === op.operationId).map((c) => c.kind)),
  }));
  test.for(table)(
    "$operationId gets a no-API-key case (unless open to all: security []) and an invalid-parameter case (when a parameter has a rule to break)",
    ({ open, constrained, kinds }) => {
      expect(kinds.has("no-api-key")).toBe(!open);
      expect(kinds.has("invalid-parameter")).toBe(constrained);
    },
  );
  test.for([...PRISM_DEVIATIONS])(
    "declared deviation $kind is used by at least one case",
    (deviation) => {
      expect(cases.some((c) => c.deviation === deviation)).toBe(true);
    },
  );
});
