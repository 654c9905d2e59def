/** The README's usage example is examples/usage.ts, verbatim, and it runs against a local server. */
import { readFile } from "node:fs/promises";
import { inspect } from "node:util";
import { afterEach, expect, test, vi } from "vitest";
import { sendJson, startServer, type TestServer } from "./support/server.js";

let server: TestServer | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await server?.close();
});

test.each(["usage.ts", "production.ts"])("the README shows examples/%s whole", async (file) => {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const example = await readFile(new URL(`../examples/${file}`, import.meta.url), "utf8");
  expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
});

test("the production example runs: spans, log lines and drift reports, none with the email", async () => {
  server = await startServer((_, res) =>
    sendJson(res, 200, { message: "Contact found", data: { id: 7, email: "ada@example.com" } }),
  );
  vi.stubEnv("PINGBACK_API_KEY", "sk_example");
  vi.stubEnv("PINGBACK_BASE_URL", server.baseUrl);
  vi.stubEnv("PINGBACK_LOG", "debug");
  vi.stubEnv("PINGBACK_PATH_HASH_KEY", "a path hash key of 32 bytes, 0123");
  vi.spyOn(Math, "random").mockReturnValue(0.05); // inside the 10% sample
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});

  await import("../examples/production.js");

  expect(log.mock.calls).toEqual([[7]]);
  expect(debug.mock.calls.map(([, message]) => message)).toContainEqual(
    expect.stringMatching(/^GET \/contacts\/\{email\}: attempt 1 answered 200 in \d+ ms$/),
  );
  expect(warn.mock.calls.map(([line]) => line)).toEqual([
    expect.stringContaining('"pointer":"/data/id","rule":"type"'),
  ]);
  // As pino (JSON) and console (util.inspect) would print them.
  for (const everything of [
    JSON.stringify([debug.mock.calls, warn.mock.calls]),
    inspect([debug.mock.calls, warn.mock.calls], { depth: null }),
  ]) {
    expect(everything).not.toContain("ada@example.com");
    expect(everything).not.toContain("sk_example");
    expect(everything).not.toContain("a path hash key");
  }
});

test("the example runs: creates, handles a 404 by its code, and lists every contact", async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (req.method === "POST" && url.pathname === "/v2/contacts") {
      return sendJson(res, 201, {
        message: "Contact created",
        data: { id: "c-1", email: "ada@example.com" },
      });
    }
    if (url.pathname === "/v2/contacts/nobody%40example.com") {
      return sendJson(res, 404, {
        error: "Contact not found",
        errorCode: "CONTACT_NOT_FOUND",
        requestId: "req-42",
      });
    }
    const page = Number(url.searchParams.get("page"));
    const size = page === 0 ? 10 : 2;
    const data = Array.from({ length: size }, (_, i) => ({
      id: `${page}-${i}`,
      email: `c${page}-${i}@x.com`,
    }));
    sendJson(res, 200, { message: "Contacts found", data: { page, total: 12, data } });
  });
  vi.stubEnv("PINGBACK_API_KEY", "sk_example");
  vi.stubEnv("PINGBACK_BASE_URL", server.baseUrl);
  const log = vi.spyOn(console, "log").mockImplementation(() => {});

  await import("../examples/usage.js");

  expect(log.mock.calls.map(([line]) => line)).toEqual([
    "created c-1",
    "no such contact (req-42)",
    "12 contacts",
  ]);
  expect(server.seen.map((r) => `${r.method} ${r.url}`)).toEqual([
    "POST /v2/contacts",
    "GET /v2/contacts/nobody%40example.com",
    "GET /v2/contacts?page=0",
    "GET /v2/contacts?page=1",
  ]);
  expect(server.seen.every((r) => r.headers["x-developer-mode"] === "true")).toBe(true);
});
