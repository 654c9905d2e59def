/** The matrix's own parts, from the outside: the stub answers from the spec, the package list comes from the workspace. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Stub, startStub } from "../src/stub.js";
import { publicPackages } from "../src/workspace.js";

const require = createRequire(import.meta.url);
const spec = JSON.parse(readFileSync(require.resolve("@pingback/spec/openapi.json"), "utf8"));
let stub: Stub;
beforeAll(async () => {
  stub = await startStub(spec);
});
afterAll(() => stub.close());

const get = (path: string, apiKey: string) =>
  fetch(`${stub.baseUrl}${path}`, { headers: { "x-api-key": apiKey } });

test("answers an operation with its documented 2xx example, and counts the key", async () => {
  const response = await get("/contacts/example%40email.com", "sk_one");
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ message: "Contact found" });
  expect(stub.requestsWith("sk_one")).toBe(1);
  expect(stub.requestsWith("sk_other")).toBe(0);
});

test("answers a missing- email with the documented 404, echoing the key as a careless server might", async () => {
  const response = await get("/contacts/missing-x%40example.com", "sk_echoed");
  expect(response.status).toBe(404);
  const body = await response.json();
  expect(body.errorCode).toBe("CONTACT_NOT_FOUND");
  expect(body.message).toContain("sk_echoed");
});

test("the packages it packs are the workspace's public ones, found from pnpm-workspace.yaml", () => {
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const names = publicPackages(root).map((p) => p.name);
  expect(names).toEqual(expect.arrayContaining(["@pingback/client", "@pingback/types"]));
  expect(names).not.toContain("@pingback/consumer-matrix");
  expect(names).not.toContain("@pingback/spec");
});
