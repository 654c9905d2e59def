/**
 * Fault tests against a real HTTP server on 127.0.0.1: what the client does when the API (or the
 * network in front of it) misbehaves. Each asserts the outcome, how many requests the server saw,
 * and that no create was sent twice.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, onTestFinished, test } from "vitest";
import {
  createPingbackClient,
  isPingbackError,
  orThrow,
  PingbackError,
  PingbackNetworkError,
  PingbackTimeoutError,
  type RetryEvent,
} from "../src/index.js";
import { type Handler, sendJson, startServer, type TestServer } from "./support/server.js";

const API_KEY = "sk_live_fault_test_secret";
const created = { message: "Contact created", data: { id: "c1", email: "a@b.com" } };
const found = { message: "Contact found", data: { id: "c1", email: "a@b.com" } };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler) {
  server = await startServer(handler);
  const retries: RetryEvent[] = [];
  const client = createPingbackClient({
    apiKey: API_KEY,
    baseUrl: server.baseUrl,
    retry: { baseDelayMs: 10, maxDelayMs: 50, onRetry: (event) => retries.push(event) },
    // The deadline covers every attempt of a call: generous, so that on a loaded machine the
    // retries under test are not cut short. Tests of the deadline set their own.
    timeoutMs: 10_000,
  });
  return { server, client, retries };
}

function createContact(client: ReturnType<typeof createPingbackClient>, email = "a@b.com") {
  return client.POST("/contacts", { body: { email } });
}

function postsOf(server: TestServer) {
  return server.seen.filter((r) => r.method === "POST").map((r) => r.body);
}

describe("429 with Retry-After", () => {
  test("a create is sent again after the server's delay, once, and succeeds", async () => {
    const { server, client, retries } = await serve((_, res, i) =>
      i === 0
        ? sendJson(res, 429, { errorCode: "TOO_MANY_REQUESTS" }, { "retry-after": "1" })
        : sendJson(res, 201, created),
    );
    const started = performance.now();
    // The deadline covers the wait: it must leave room for the server's second.
    const { data, response } = await client.POST("/contacts", {
      body: { email: "a@b.com" },
      timeoutMs: 5_000,
    });
    expect(response.status).toBe(201);
    expect(data).toEqual(created);
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(server.seen).toHaveLength(2);
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, delayMs: 1000, status: 429 })]);
    // The first one was refused unprocessed; exactly one create was processed.
    expect(postsOf(server)).toEqual([`{"email":"a@b.com"}`, `{"email":"a@b.com"}`]);
  });
});

describe("503 then 200", () => {
  test("a GET is retried and succeeds", async () => {
    const { server, client, retries } = await serve((_, res, i) =>
      i === 0 ? sendJson(res, 503, { error: "busy" }) : sendJson(res, 200, found),
    );
    const { data } = await client.GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
    });
    expect(data).toEqual(found);
    expect(server.seen).toHaveLength(2);
    expect(retries).toHaveLength(1);
  });

  test("a create is not retried: the 503 comes back, and the server saw it once", async () => {
    const { server, client, retries } = await serve((_, res, i) =>
      i === 0 ? sendJson(res, 503, { error: "busy" }) : sendJson(res, 201, created),
    );
    const result = await createContact(client);
    expect(result.response.status).toBe(503);
    expect(() => orThrow(result)).toThrow(PingbackError);
    expect(server.seen).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });
});

describe("connection reset", () => {
  const reset: Handler = (_, res) => {
    res.socket?.resetAndDestroy();
  };

  test("a GET is retried, then fails with PingbackNetworkError", async () => {
    const { server, client, retries } = await serve(reset);
    const call = client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });
    await expect(call).rejects.toBeInstanceOf(PingbackNetworkError);
    await expect(call).rejects.toThrow(
      /^GET \/contacts\/\{email\} got no response from 127\.0\.0\.1:\d+: fetch failed \(ECONNRESET\)$/,
    );
    expect(server.seen).toHaveLength(3);
    expect(retries.map((r) => r.error?.name)).toEqual([
      "PingbackNetworkError",
      "PingbackNetworkError",
    ]);
  });

  test("a create is sent once: it may have been processed before the reset", async () => {
    const { server, client } = await serve(reset);
    await expect(createContact(client)).rejects.toBeInstanceOf(PingbackNetworkError);
    expect(postsOf(server)).toHaveLength(1);
  });
});

describe("a response slower than the timeout", () => {
  const slow: Handler = (_, res) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sendJson(res, 200, found);
        resolve();
      }, 2_000);
      res.on("close", () => {
        clearTimeout(timer);
        resolve();
      });
    });

  /** Answers only when the client gives up: the request stays in flight until then. */
  const never: Handler = (_, res) => new Promise<void>((resolve) => res.on("close", resolve));

  test("a GET's deadline covers all its attempts: the timeout ends the call, not one attempt", async () => {
    const { server, client, retries } = await serve(slow);
    const call = client.GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
      timeoutMs: 100,
    });
    await expect(call).rejects.toBeInstanceOf(PingbackTimeoutError);
    await expect(call).rejects.toThrow(
      /^GET \/contacts\/\{email\} timed out after 100 ms (waiting for the rate limit|waiting for the response);/,
    );
    expect(retries).toEqual([]);
    expect(server.seen.length).toBeLessThanOrEqual(1);
  });

  test("a create times out once and is not sent again", async () => {
    const { server, client, retries } = await serve(never);
    // Long enough for the POST to reach the server on a loaded machine; the server never answers.
    const call = client.POST("/contacts", { body: { email: "a@b.com" }, timeoutMs: 1_000 });
    await server.received(1);
    await expect(call).rejects.toBeInstanceOf(PingbackTimeoutError);
    expect(retries).toEqual([]);
    expect(postsOf(server)).toHaveLength(1);
  });

  test("a caller's abort is PingbackAbortError with the caller's reason, not a timeout, and is not retried", async () => {
    const { server, client } = await serve(never);
    const controller = new AbortController();
    const call = client.GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
      signal: controller.signal,
      // No timeout may fire first, however loaded the machine: the abort is the only way out.
      timeoutMs: 60_000,
    });
    await server.received(1);
    const reason = new Error("user left the page");
    controller.abort(reason);
    await expect(call).rejects.toThrow(
      "GET /contacts/{email} was aborted waiting for the response.",
    );
    await expect(call).rejects.toMatchObject({ name: "PingbackAbortError", cause: reason });
    expect(server.seen).toHaveLength(1);
  });
});

describe("bodies that are not the API's JSON", () => {
  test.each([
    {
      given: "malformed JSON in an error",
      status: 500,
      type: "application/json",
      body: '{"error": "half',
      want: /failed with 500: the server sent a non-JSON body \(\{"error": "half\)/,
    },
    {
      given: "an HTML 502 page",
      status: 502,
      type: "text/html",
      body: "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
      want: /failed with 502: the server sent a non-JSON body \(<!DOCTYPE html>/,
    },
    {
      given: "an empty 500",
      status: 500,
      type: "application/json",
      body: "",
      want: /failed with 500: the server sent an empty body/,
    },
  ])("$given becomes a PingbackError after the retries", async ({ status, type, body, want }) => {
    const { server, client } = await serve((_, res) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    });
    const result = await client.GET("/contacts/{email}", {
      params: { path: { email: "a@b.com" } },
    });
    const error = (() => {
      try {
        orThrow(result);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PingbackError);
    expect(error).toMatchObject({
      status,
      errorCode: undefined,
      operation: "GET /contacts/{email}",
    });
    expect((error as Error).message).toMatch(want);
    expect(server.seen).toHaveLength(3);
  });

  test.each([
    { given: "malformed JSON", type: "application/json", body: '{"message": ' },
    { given: "an HTML page", type: "text/html", body: "<!DOCTYPE html><title>Sign in</title>" },
  ])(
    "$given in a 2xx is a PingbackError naming the operation, after one request",
    async ({ type, body }) => {
      const { server, client } = await serve((_, res) => {
        res.writeHead(200, { "content-type": type });
        res.end(body);
      });
      const error = await client
        .GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } })
        .catch((e: unknown) => e);
      expect(isPingbackError(error)).toBe(true);
      expect(error).toMatchObject({
        message: `GET /contacts/{email} failed with 200: the body is not JSON (content-type: ${type}); is \`baseUrl\` the API's?`,
        status: 200,
        operation: "GET /contacts/{email}",
        cause: expect.any(SyntaxError),
      });
      expect(server.seen).toHaveLength(1);
    },
  );
});

describe("a server enforcing the API's rate limit (5/s, burst 2, 2 in flight)", () => {
  test("50 creates through one client all succeed; at most 2 answers are 429", async () => {
    let tokens = 2;
    let refilledAt = performance.now();
    let inFlight = 0;
    const answers: number[] = [];
    const processed = new Map<string, number>();
    server = await startServer(async (req, res) => {
      const now = performance.now();
      tokens = Math.min(2, tokens + ((now - refilledAt) * 5) / 1000);
      refilledAt = now;
      if (tokens < 1 || inFlight >= 2) {
        answers.push(429);
        return sendJson(res, 429, { error: "Too many requests" });
      }
      tokens -= 1;
      inFlight += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { email } = JSON.parse(req.body) as { email: string };
      processed.set(email, (processed.get(email) ?? 0) + 1);
      answers.push(201);
      inFlight -= 1;
      sendJson(res, 201, { message: "Contact created", data: { id: email, email } });
    });
    const client = createPingbackClient({ apiKey: API_KEY, baseUrl: server.baseUrl });
    const emails = Array.from({ length: 50 }, (_, i) => `c${i}@x.com`);
    const results = await Promise.all(emails.map((email) => createContact(client, email)));

    expect(results.map((r) => r.response.status)).toEqual(emails.map(() => 201));
    expect(answers.filter((s) => s === 429).length).toBeLessThanOrEqual(2);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
    expect(processed.size).toBe(50);
  }, 30_000);
});

describe("an idle client", () => {
  test("does not keep a Node process alive: a script ends once its last call has its answer", async () => {
    const { server } = await serve((_, res) => sendJson(res, 200, found));
    // The client's timeout (10 min) outlives the test's own bound (60 s: starting tsx takes
    // seconds on a loaded machine), so a timer that held the process would fail this test
    // instead of passing late.
    const script = `
      import { createPingbackClient } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};
      const client = createPingbackClient({ apiKey: "sk_idle", baseUrl: ${JSON.stringify(server.baseUrl)}, timeoutMs: 600_000 });
      const { response } = await client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });
      console.log(response.status);
    `;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
      },
    );
    onTestFinished(() => {
      child.kill();
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const [code] = await once(child, "exit");
    expect(out.trim()).toBe("200");
    expect(code).toBe(0);
  }, 60_000);
});
