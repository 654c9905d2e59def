import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ExampleCase, exampleCases, preferHeader } from "../src/cases.js";
import { assertNoProblems, checkExample } from "../src/check.js";
import { MOCK_API_KEY } from "../src/context.js";
import { selfTestSlice } from "../src/live-slice.js";
import { setAt } from "../src/negatives.js";
import { type RunningPrism, startPrismMock } from "../src/prism.js";
import { contractClient, send } from "../src/send.js";
import { type JsonObject, loadSpec, operations } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

// A copy of the bundled spec where one example breaks its schema: `data.id` becomes a number.
const BROKEN = "createContact › 201 › contact_created";
const EXAMPLE_PATH = [
  "paths",
  "/contacts",
  "post",
  "responses",
  "201",
  "content",
  "application/json",
  "examples",
  "contact_created",
  "value",
  "data",
  "id",
];

describe("a broken example in the spec fails the suite, naming the operation and the example", () => {
  // On the spec's first operations only, so Prism starts as fast at 900 operations as at 9.
  const broken = setAt(selfTestSlice(loadSpec().document), EXAMPLE_PATH, 42) as JsonObject;
  const validator = createValidator(broken);
  const dir = mkdtempSync(join(tmpdir(), "pingback-contract-"));
  const file = join(dir, "openapi.json");
  let mock: RunningPrism;
  let c: ExampleCase;

  // Prism reads the whole spec before it listens: about 5 s at 900 operations on an idle machine,
  // several times that on a busy two-core one.
  beforeAll(
    async () => {
      writeFileSync(file, JSON.stringify(broken));
      mock = await startPrismMock(file);
      const found = exampleCases(broken).find((candidate) => candidate.name === BROKEN);
      if (!found) throw new Error(`no case named ${BROKEN}`);
      c = found;
    },
    60_000 + 30 * operations(broken).length,
  );

  afterAll(async () => {
    await mock?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("through Prism (--errors), the case fails with the operation, the example and the broken rule", async () => {
    const client = contractClient({
      baseUrl: mock.url,
      apiKey: MOCK_API_KEY,
      developerMode: true,
      rateLimited: false,
    });
    const got = await send(client, c.request, { Prefer: preferHeader(c) });
    expect(() => assertNoProblems(c.name, checkExample(c, got, validator))).toThrow(
      /^createContact › 201 › contact_created\n {2}- status: expected 201, got 500 \(Prism: .*data\.id must be string/,
    );
  });

  test("our own validator catches it too, had Prism served the example as it is", () => {
    const served = {
      status: 201,
      mediaType: "application/json",
      body: c.response.body,
      headers: new Headers(),
    };
    expect(() => assertNoProblems(c.name, checkExample(c, served, validator))).toThrow(
      /^createContact › 201 › contact_created\n {2}- schema \/components\/schemas\/ContactSummaryResponse: data\.id must be string \(type\)/,
    );
  });
});
