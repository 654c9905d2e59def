import { describe, expect, test } from "vitest";
import { BUNDLED_SPEC, type JsonObject, readSpec } from "../src/document.js";
import { createFakePingback, IMPLEMENTED_OPERATIONS, REASON_HEADER } from "../src/index.js";

const copy = (): JsonObject => structuredClone(BUNDLED_SPEC);
const BASE = "https://connect.pingback.com/v2";
const KEY = { "x-api-key": "pingback-fake-key" };

describe("derived from the spec", () => {
  test("every operation of the bundled spec has the fake's semantics (the fidelity gate then checks them)", () => {
    const inSpec = readSpec(BUNDLED_SPEC).operations.map((op) => op.operationId);
    expect([...inSpec].sort()).toEqual([...IMPLEMENTED_OPERATIONS].sort());
  });

  test("an operation added to the spec is routed and checked, then refused with 501 naming it", async () => {
    const spec = copy();
    const item = (spec.paths as JsonObject)["/contacts/{email}"] as JsonObject;
    item.delete = {
      operationId: "deleteContact",
      responses: { "204": { description: "Deleted" } },
    };
    const fake = createFakePingback({ spec, rateLimit: false });
    const noKey = await fake.fetch(`${BASE}/contacts/ada@example.com`, { method: "DELETE" });
    expect(noKey.status).toBe(403);
    const badEmail = await fake.fetch(`${BASE}/contacts/nope`, { method: "DELETE", headers: KEY });
    expect(badEmail.status).toBe(422);
    const answered = await fake.fetch(`${BASE}/contacts/ada@example.com`, {
      method: "DELETE",
      headers: KEY,
    });
    expect(answered.status).toBe(501);
    expect(await answered.json()).toMatchObject({
      error: "not implemented by the fake: deleteContact",
      errorCode: "NOT_IMPLEMENTED_BY_FAKE",
    });
    expect(answered.headers.get(REASON_HEADER)).toMatch(/DELETE \/contacts\/\{email\}/);
  });

  test("a request no operation matches is 404 naming it, and a wrong method 405: never a silent 404", async () => {
    const fake = createFakePingback({ rateLimit: false });
    const unknown = await fake.fetch(`${BASE}/notes`, { headers: KEY });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: "No operation of the spec matches GET /notes.",
    });
    const wrongMethod = await fake.fetch(`${BASE}/segments`, { method: "DELETE", headers: KEY });
    expect(wrongMethod.status).toBe(405);
  });

  test("security comes from each operation: an operation with security: [] takes no key", async () => {
    const spec = copy();
    const get = ((spec.paths as JsonObject)["/segments"] as JsonObject).get as JsonObject;
    get.security = [];
    const fake = createFakePingback({ spec, rateLimit: false });
    expect((await fake.fetch(`${BASE}/segments`)).status).toBe(200);
    expect((await fake.fetch(`${BASE}/contacts`)).status).toBe(403);
  });

  test("the page size is the page schema's maxItems, and messages are the catalogue's", async () => {
    const spec = copy();
    const schemas = (spec.components as JsonObject).schemas as JsonObject;
    ((schemas.ContactPage as JsonObject).properties as JsonObject).data = {
      type: "array",
      maxItems: 3,
      items: { $ref: "#/components/schemas/Contact" },
    };
    const catalogue = (schemas.KnownErrorCode as JsonObject)["x-error-catalogue"] as JsonObject;
    (catalogue.CONTACT_NOT_FOUND as JsonObject).message = "No contact has this email.";
    const fake = createFakePingback({
      spec,
      rateLimit: false,
      seed: { contacts: Array.from({ length: 5 }, (_, i) => ({ email: `c${i}@example.com` })) },
    });
    const page = (await (await fake.fetch(`${BASE}/contacts?page=1`, { headers: KEY })).json()) as {
      data: { total: number; data: unknown[] };
    };
    expect(page.data.total).toBe(5);
    expect(page.data.data).toHaveLength(2);
    const missing = await fake.fetch(`${BASE}/contacts/nobody@example.com`, { headers: KEY });
    expect(await missing.json()).toMatchObject({ error: "No contact has this email." });
  });

  test("a spec without the error catalogue is refused, saying where it should be", () => {
    const spec = copy();
    const schemas = (spec.components as JsonObject).schemas as JsonObject;
    delete (schemas.KnownErrorCode as JsonObject)["x-error-catalogue"];
    expect(() => createFakePingback({ spec })).toThrow(
      "The spec has no error catalogue at /components/schemas/KnownErrorCode/x-error-catalogue",
    );
  });

  test("a request schema keyword the validator does not know is refused when the fake is created", () => {
    const spec = copy();
    const schemas = (spec.components as JsonObject).schemas as JsonObject;
    (schemas.ContactCreate as JsonObject).dependentRequired = { origin: ["attributes"] };
    expect(() => createFakePingback({ spec })).toThrow(
      '@pingback/testing cannot check keyword "dependentRequired" (in createContact body) of the spec',
    );
  });
});
