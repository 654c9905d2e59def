/**
 * The key stays with Pingback: two real servers on 127.0.0.1, the "API" and an "elsewhere" (another
 * origin: another port). A redirect from the API to elsewhere, or from https to http, is not
 * followed: elsewhere receives nothing, and the caller gets a PingbackRedirectError that names the
 * operation and the target origin, and never the key.
 */
import { afterEach, describe, expect, test } from "vitest";
import { createPingbackClient, isPingbackError, PingbackRedirectError } from "../src/index.js";
import { type Handler, sendJson, startServer, type TestServer } from "./support/server.js";

const API_KEY = "sk_live_redirect_secret";
const found = { message: "Contact found", data: { id: "c1", email: "a@b.com" } };
const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

const redirectTo =
  (location: () => string, status = 302): Handler =>
  (_, res) => {
    res.writeHead(status, { location: location() });
    res.end();
  };

async function refusal(call: Promise<unknown>): Promise<PingbackRedirectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PingbackRedirectError);
  return error as PingbackRedirectError;
}

describe("a redirect to another origin is refused", () => {
  test.each([301, 302, 303, 307, 308])(
    "%i from the API to another port: elsewhere receives nothing",
    async (status) => {
      const elsewhere = await start((_, res) => sendJson(res, 200, found));
      const api = await start(
        redirectTo(() => `${new URL(elsewhere.baseUrl).origin}/v2/stolen`, status),
      );
      const client = createPingbackClient({
        apiKey: API_KEY,
        baseUrl: api.baseUrl,
        retry: { retries: 2 },
      });

      const error = await refusal(
        client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } }),
      );
      expect(elsewhere.seen).toEqual([]);
      // Not retried: the next answer would be the same.
      expect(api.seen).toHaveLength(1);
      expect(error.operation).toBe("GET /contacts/{email}");
      expect(error.targetOrigin).toBe(new URL(elsewhere.baseUrl).origin);
      expect(error.status).toBe(status);
      expect(error.message).toBe(
        `GET /contacts/{email} was redirected (${status}) to ${new URL(elsewhere.baseUrl).origin}: not followed, the key goes only to \`baseUrl\`'s origin.`,
      );
      expect(isPingbackError(error)).toBe(false);
    },
  );

  test("to http on another host (https → http would send the key in clear)", async () => {
    const api = await start(redirectTo(() => "http://pingback.example/v2/contacts"));
    const client = createPingbackClient({ apiKey: API_KEY, baseUrl: api.baseUrl });
    const error = await refusal(client.POST("/contacts", { body: { email: "a@b.com" } }));
    expect(error.targetOrigin).toBe("http://pingback.example");
    expect(error.operation).toBe("POST /contacts");
  });

  test("the webhook intake, whose path is its secret: neither path nor body reaches elsewhere", async () => {
    const elsewhere = await start((_, res) => sendJson(res, 200, {}));
    const api = await start(redirectTo(() => `${new URL(elsewhere.baseUrl).origin}/hook`, 307));
    const client = createPingbackClient({ apiKey: API_KEY, baseUrl: api.baseUrl });
    const error = await refusal(
      client.POST("/webhook/{webhookId}/c/{channelUid}/w/{workflowId}", {
        params: {
          path: { webhookId: "wh_secret", channelUid: "ch_secret", workflowId: "wf_secret" },
        },
        body: { email: "a@b.com", customFields: [] },
      }),
    );
    expect(elsewhere.seen).toEqual([]);
    expect(error.operation).toBe("POST /webhook/{webhookId}/c/{channelUid}/w/{workflowId}");
    expect(JSON.stringify(error)).not.toMatch(/secret|a@b\.com/);
    expect(error.message).not.toMatch(/secret|a@b\.com/);
  });

  test("the error never holds the key, the path or the email", async () => {
    const api = await start(redirectTo(() => "https://evil.example/steal?key=x"));
    const client = createPingbackClient({ apiKey: API_KEY, baseUrl: api.baseUrl });
    const error = await refusal(
      client.GET("/contacts/{email}", { params: { path: { email: "someone@x.com" } } }),
    );
    const shown = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    expect(shown).not.toContain(API_KEY);
    expect(shown).not.toContain("someone");
    expect(shown).not.toContain("steal");
    expect(error.targetOrigin).toBe("https://evil.example");
  });
});

describe("a redirect within the API's origin is followed, as fetch would", () => {
  test("302 on a GET: the key goes along, to the same origin", async () => {
    const api = await start((req, res) =>
      req.url.startsWith("/v2/contacts/")
        ? redirectTo(() => "/v2/moved", 302)(req, res, 0)
        : sendJson(res, 200, found),
    );
    const client = createPingbackClient({ apiKey: API_KEY, baseUrl: api.baseUrl });
    const { data } = await client.GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
    });
    expect(data).toEqual(found);
    expect(api.seen.map((r) => [r.method, r.url, r.headers["x-api-key"]])).toEqual([
      ["GET", "/v2/contacts/a%40b.com", API_KEY],
      ["GET", "/v2/moved", API_KEY],
    ]);
  });

  test("307 on a POST sends the same method and body again; 303 becomes a GET", async () => {
    const api = await start((req, res) => {
      if (req.url === "/v2/contacts") return redirectTo(() => "/v2/contacts-307", 307)(req, res, 0);
      if (req.url === "/v2/contacts-307") return redirectTo(() => "/v2/done", 303)(req, res, 0);
      sendJson(res, 201, found);
    });
    const client = createPingbackClient({ apiKey: API_KEY, baseUrl: api.baseUrl });
    await client.POST("/contacts", { body: { email: "a@b.com" } });
    expect(api.seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ["POST", "/v2/contacts", `{"email":"a@b.com"}`],
      ["POST", "/v2/contacts-307", `{"email":"a@b.com"}`],
      ["GET", "/v2/done", ""],
    ]);
  });

  test("a loop ends after 20 hops with the error", async () => {
    const api = await start(redirectTo(() => "/v2/again"));
    const client = createPingbackClient({ apiKey: API_KEY, baseUrl: api.baseUrl });
    const error = await refusal(client.GET("/contacts", {}));
    expect(api.seen).toHaveLength(21);
    expect(error.targetOrigin).toBe(new URL(api.baseUrl).origin);
  });
});
