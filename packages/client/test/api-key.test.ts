/**
 * The API key goes only to operations whose `security` asks for it. Every operation of the bundled
 * spec is called on a real HTTP server on 127.0.0.1 that records the headers it receives, and what
 * it must see is read from the spec here, independently of the generated table the client uses.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPingbackClient, type PingbackClient } from "../src/index.js";
import { sendJson, startServer, type TestServer } from "./support/server.js";

const apiKey = "sk_live_api_key_routing_secret";

type Requirement = Record<string, unknown>;
type Parameter = { $ref?: string; in?: string; name?: string };
const spec = JSON.parse(
  await readFile(createRequire(import.meta.url).resolve("@pingback/spec/openapi.json"), "utf8"),
) as {
  security?: Requirement[];
  paths: Record<
    string,
    Record<string, { operationId?: string; security?: Requirement[]; parameters?: Parameter[] }> & {
      parameters?: Parameter[];
    }
  >;
  components: { parameters: Record<string, Parameter> };
};
/** The header parameters an operation declares (path item's and its own), lowercase. */
const headerParameters = (path: string, method: string) =>
  [...(spec.paths[path]?.parameters ?? []), ...(spec.paths[path]?.[method]?.parameters ?? [])]
    .map((p) => (p.$ref ? spec.components.parameters[p.$ref.split("/").at(-1) ?? ""] : p))
    .filter((p) => p?.in === "header")
    .map((p) => p?.name?.toLowerCase());
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** The key is sent when one alternative of the security in force names a scheme (ours has one). */
const sendsKey = (security: Requirement[] | undefined) =>
  (security ?? []).some((requirement) => Object.keys(requirement).length > 0);
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  METHODS.filter((method) => item[method]).map((method) => ({
    path,
    method,
    sendsKey: sendsKey(item[method]?.security ?? spec.security),
    sendsDeveloperMode: headerParameters(path, method).includes("x-developer-mode"),
  })),
);

type Call = (path: string, init: object) => Promise<{ response: Response }>;

let server: TestServer;
let client: PingbackClient;

beforeAll(async () => {
  server = await startServer((_, res) => sendJson(res, 200, {}));
  client = createPingbackClient({
    apiKey,
    baseUrl: server.baseUrl,
    retry: false,
    rateLimit: false,
  });
});
afterAll(() => server.close());

/** Calls an operation by its path template, with "x" for every path parameter. */
async function call(
  path: string,
  method: string,
  headers: Record<string, string> = {},
  via: PingbackClient = client,
) {
  const params = Object.fromEntries(
    [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => [name, "x"]),
  );
  const send = (via as unknown as Record<string, Call>)[method.toUpperCase()];
  if (!send) throw new Error(`The client has no ${method.toUpperCase()} method.`);
  const body = ["post", "put", "patch"].includes(method) ? { body: {} } : {};
  const { response } = await send(path, { params: { path: params }, headers, ...body });
  expect(response.status).toBe(200);
  const seen = server.seen.at(-1);
  if (!seen) throw new Error("The server saw no request.");
  return seen;
}

describe("the API key is sent iff the operation's security requires it", () => {
  test("the spec has an operation of each kind", () => {
    expect(operations.some((op) => op.sendsKey)).toBe(true);
    expect(operations.some((op) => !op.sendsKey)).toBe(true);
  });

  test.each(operations)(
    "$method $path: key sent = $sendsKey",
    async ({ path, method, sendsKey }) => {
      const seen = await call(path, method);
      expect(seen.headers["x-api-key"]).toBe(sendsKey ? apiKey : undefined);
    },
  );

  test.each(operations.filter((op) => !op.sendsKey))(
    "$method $path: not even a key the request sets itself, in any case",
    async ({ path, method }) => {
      const seen = await call(path, method, { "X-Api-Key": apiKey, "x-trace": "kept" });
      expect(seen.headers["x-api-key"]).toBeUndefined();
      expect(seen.headers["x-trace"]).toBe("kept");
    },
  );

  test("a path the spec does not describe gets the key (the spec's default security)", async () => {
    const seen = await call("/notes", "post");
    expect(seen.headers["x-api-key"]).toBe(apiKey);
  });
});

describe("each operation gets only the headers its spec declares", () => {
  const full = () =>
    createPingbackClient({
      apiKey,
      baseUrl: server.baseUrl,
      developerMode: true,
      headers: { "x-tenant": "t1" },
      retry: false,
      rateLimit: false,
    });

  test("the spec has an operation that declares no header at all (the webhook intake)", () => {
    expect(operations.some((op) => !op.sendsKey && !op.sendsDeveloperMode)).toBe(true);
  });

  test.each(operations)(
    "$method $path: x-developer-mode = $sendsDeveloperMode; the client's `headers` iff it takes the key",
    async ({ path, method, sendsKey, sendsDeveloperMode }) => {
      const seen = await call(path, method, {}, full());
      expect(seen.headers["x-developer-mode"]).toBe(sendsDeveloperMode ? "true" : undefined);
      expect(seen.headers["x-tenant"]).toBe(sendsKey ? "t1" : undefined);
      expect(seen.headers["x-api-key"]).toBe(sendsKey ? apiKey : undefined);
    },
  );

  test.each(operations.filter((op) => !op.sendsKey))(
    "$method $path works with a client built without apiKey, and gets no header of the client's",
    async ({ path, method }) => {
      const keyless = createPingbackClient({
        baseUrl: server.baseUrl,
        developerMode: true,
        headers: { "x-tenant": "t1" },
      });
      const seen = await call(path, method, {}, keyless);
      // What remains is fetch's own (host, accept, user-agent, content-type of the JSON body, ...).
      expect(Object.keys(seen.headers).filter((name) => name.startsWith("x-"))).toEqual([]);
    },
  );

  test.each(operations.filter((op) => op.sendsKey))(
    "$method $path refuses, before sending, on a client built without apiKey",
    async ({ path, method }) => {
      const keyless = createPingbackClient({ baseUrl: server.baseUrl });
      const before = server.seen.length;
      await expect(call(path, method, {}, keyless)).rejects.toThrow(
        `\`apiKey\` is needed by ${method.toUpperCase()} ${path}`,
      );
      expect(server.seen).toHaveLength(before);
    },
  );
});
