/**
 * What a caller can see of an answer, and where the key may go: response headers on errors and
 * results, `http://` to a named host (a docker-compose mock) only when asked for, with a warning,
 * and the guard against a key in a browser. Against a real HTTP server on 127.0.0.1.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { createPingbackClient, orThrow, PingbackError } from "../src/index.js";
import { sendJson, startServer, type TestServer } from "./support/server.js";

const apiKey = "sk_live_exposure_secret";
const email = { params: { path: { email: "a@b.com" } } };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

describe("response headers", () => {
  const notFound = async () => {
    server = await startServer((_, res) =>
      sendJson(
        res,
        404,
        { error: "Contact not found", errorCode: "CONTACT_NOT_FOUND", requestId: "r-body" },
        { "x-request-id": "r-header", "set-cookie": "session=s1", "x-echo": `bad key ${apiKey}` },
      ),
    );
    return createPingbackClient({ apiKey, baseUrl: server.baseUrl, retry: false });
  };

  test("a PingbackError carries the answer's headers, without set-cookie, with the key redacted", async () => {
    const client = await notFound();
    const error = await client
      .GET("/contacts/{email}", email)
      .then(orThrow)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PingbackError);
    const { headers } = error as PingbackError;
    expect(headers["x-request-id"]).toBe("r-header");
    expect(headers["content-type"]).toBe("application/json");
    expect(headers).not.toHaveProperty("set-cookie");
    expect(headers["x-echo"]).toBe("bad key [redacted]");
    expect(JSON.stringify(error)).not.toContain(apiKey);
  });

  test("the result style has them on `response`, as openapi-fetch gives it", async () => {
    const client = await notFound();
    const { error, response } = await client.GET("/contacts/{email}", email);
    expect(error?.errorCode).toBe("CONTACT_NOT_FOUND");
    expect(response.headers.get("x-request-id")).toBe("r-header");
  });
});

describe("http:// to a named host", () => {
  /** Docker's DNS, in miniature: the host name `prism` is the test server on 127.0.0.1. */
  const asked: string[] = [];
  const viaPrism = (input: Request, init?: RequestInit) => {
    asked.push(input.url);
    const target = new URL(input.url);
    const local = new URL(server?.baseUrl ?? "");
    target.host = local.host;
    return fetch(new Request(target, input), init);
  };

  test("is refused without the opt-in, whatever the host's name", () => {
    expect(() => createPingbackClient({ apiKey, baseUrl: "http://prism:4010/v2" })).toThrow(
      /must use https:\/\/, or the key would travel in clear text/,
    );
    expect(() =>
      createPingbackClient({
        apiKey,
        baseUrl: "http://prism:4010/v2",
        dangerouslyAllowHttpHosts: ["mock"],
      }),
    ).toThrow(/must use https:\/\//);
  });

  test("with dangerouslyAllowHttpHosts it is used, and the client warns once, at construction", async () => {
    server = await startServer((_, res) => sendJson(res, 200, { message: "ok", data: {} }));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const client = createPingbackClient({
      apiKey,
      baseUrl: "http://prism:4010/v2",
      dangerouslyAllowHttpHosts: ["prism"],
      fetch: viaPrism,
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toBe(
      "@pingback/client: the key goes to prism:4010 in clear text (dangerouslyAllowHttpHosts): for a local mock only.",
    );
    expect(String(warn.mock.calls[0])).not.toContain(apiKey);
    const { response } = await client.GET("/contacts/{email}", email);
    expect(response.status).toBe(200);
    expect(asked).toEqual(["http://prism:4010/v2/contacts/a%40b.com"]);
    expect(server.seen[0]?.headers["x-api-key"]).toBe(apiKey);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  test("https and loopback hosts need no opt-in and get no warning", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    createPingbackClient({ apiKey, baseUrl: "https://prism:4010/v2" });
    createPingbackClient({ apiKey, baseUrl: "http://127.0.0.1:4010/v2" });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("in a browser (a page's globals, here in Node: test/browser.test.ts runs Chromium)", () => {
  const asPage = () => {
    vi.stubGlobal("window", { document: {} });
    return () => vi.unstubAllGlobals();
  };

  test("a client with a key is refused, without the key in the message", () => {
    const restore = asPage();
    try {
      expect(() => createPingbackClient({ apiKey })).toThrow(
        "createPingbackClient: `apiKey` in a browser is readable by anyone: call Pingback from a server, or set `dangerouslyAllowBrowser: true`.",
      );
    } finally {
      restore();
    }
  });

  test("dangerouslyAllowBrowser lets it through; a keyless client needs nothing", () => {
    const restore = asPage();
    try {
      expect(() => createPingbackClient({ apiKey, dangerouslyAllowBrowser: true })).not.toThrow();
      expect(() => createPingbackClient({})).not.toThrow();
    } finally {
      restore();
    }
  });
});
