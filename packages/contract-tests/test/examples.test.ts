import { describe, inject, test } from "vitest";
import { exampleCases, preferHeader } from "../src/cases.js";
import { assertNoProblems, checkExample } from "../src/check.js";
import { MOCK_API_KEY, recordCoverage } from "../src/context.js";
import { contractClient, send } from "../src/send.js";
import { loadSpec } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

const spec = loadSpec();
const validator = createValidator(spec.document);
const client = contractClient({
  baseUrl: inject("mockUrl"),
  apiKey: MOCK_API_KEY,
  developerMode: true,
  rateLimited: false,
});

describe("every documented example, served by the Prism mock through @pingback/client", () => {
  test.for(exampleCases(spec.document))("$name", async (c, { task }) => {
    const got = await send(client, c.request, { Prefer: preferHeader(c) });
    assertNoProblems(c.name, checkExample(c, got, validator));
    recordCoverage(task.meta, c.covers);
  });
});
