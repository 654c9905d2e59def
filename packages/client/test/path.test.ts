/** Path parameters become exactly one encoded segment, or a clear error. */
import { describe, expect, test } from "vitest";
import { createPingbackClient } from "../src/index.js";
import { serializePath } from "../src/path.js";
import { ok, stubFetch } from "./support/stub.js";

describe("serializePath", () => {
  test.each([
    { given: "a@b.com", want: "/contacts/a%40b.com" },
    { given: "a+b@x.com", want: "/contacts/a%2Bb%40x.com" },
    { given: "o'neil@x.com", want: "/contacts/o%27neil%40x.com" },
    { given: "x/y@z.com", want: "/contacts/x%2Fy%40z.com" },
    { given: "../", want: "/contacts/..%2F" },
    { given: "../../deals", want: "/contacts/..%2F..%2Fdeals" },
    { given: "a b?c#d%e", want: "/contacts/a%20b%3Fc%23d%25e" },
    { given: "(x)*!", want: "/contacts/%28x%29%2A%21" },
    { given: "zoë@x.com", want: "/contacts/zo%C3%AB%40x.com" },
  ])("$given → $want", ({ given, want }) => {
    expect(serializePath("/contacts/{email}", { email: given })).toBe(want);
  });

  test.each([
    {
      given: undefined,
      want: /"email" is missing: pass it as `params: \{ path: \{ email: ... \} \}`/,
    },
    { given: "", want: /"email" must be a non-empty string or number/ },
    { given: ".", want: /"email" must be .*, not "\." or "\.\."/ },
    { given: "..", want: /"email" must be .*, not "\." or "\.\."/ },
    { given: { a: 1 }, want: /"email" must be a non-empty string or number/ },
    { given: true, want: /"email" must be a non-empty string or number/ },
  ])("$given is refused", ({ given, want }) => {
    expect(() => serializePath("/contacts/{email}", { email: given })).toThrow(want);
  });
});

describe("through the client", () => {
  test("the URL the server gets keeps the parameter in one segment", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch });
    await client.GET("/contacts/{email}", { params: { path: { email: "../x/y@z.com" } } });
    expect(new URL(stub.requests[0]?.url ?? "").pathname).toBe("/v2/contacts/..%2Fx%2Fy%40z.com");
  });

  test("a missing path parameter (plain JS) is refused before anything is sent, by name", async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch });
    const get = client.GET as (path: string, init?: object) => Promise<unknown>;
    await expect(get("/contacts/{email}")).rejects.toThrow(/Path parameter "email" is missing/);
    await expect(get("/contacts/{email}", { params: { query: {} } })).rejects.toThrow(/"email"/);
    expect(stub.requests).toHaveLength(0);
  });

  test('".." is refused before anything is sent', async () => {
    const stub = stubFetch(ok());
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch });
    await expect(
      client.GET("/contacts/{email}", { params: { path: { email: ".." } } }),
    ).rejects.toThrow(TypeError);
    expect(stub.requests).toHaveLength(0);
  });
});
