/**
 * The client in a real browser (Debian's Chromium, driven by playwright-core): the package bundled
 * for the web by esbuild, loaded by a page served from 127.0.0.1, with the API on the same server.
 * A key in a page is refused unless `dangerouslyAllowBrowser`; a keyless client posts to the
 * webhook intake, and the server sees none of the client's headers.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sendJson, startServer, type TestServer } from "./support/server.js";

const chromiumPath = "/usr/bin/chromium";
// Without the background-networking flags Chromium keeps calling home (updates, sync, QUIC probes).
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const intake = "/v2/webhook/wh1/c/ch1/w/wf1";
type Client = typeof import("../src/index.js");

let server: TestServer;
let context: BrowserContext;
let page: Page;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: \`apt-get install -y chromium\`.`);
  }
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("../src/index.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]?.text ?? "";
  server = await startServer((request, res) => {
    if (request.url === "/") {
      // The page loads the bundle as a module and hands its exports to the tests.
      res
        .writeHead(200, { "content-type": "text/html" })
        .end(
          '<!doctype html><title>t</title><script type="module">import * as m from "/client.js"; window.pingback = m;</script>',
        );
    } else if (request.url === "/client.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    } else {
      sendJson(res, 200, { message: "ok", data: {} });
    }
  });
  userDataDir = await mkdtemp(join(tmpdir(), "pingback-client-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(server.baseUrl.replace(/\/v2$/, "/"));
  await page.waitForFunction(() => "pingback" in window);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe("in Chromium", () => {
  test("a client with an API key is refused, and the message does not hold the key", async () => {
    const message = await page.evaluate(async () => {
      const { createPingbackClient } = (window as unknown as { pingback: Client }).pingback;
      try {
        createPingbackClient({ apiKey: "sk_live_in_a_page" });
        return "created";
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(message).toBe(
      "createPingbackClient: `apiKey` in a browser is readable by anyone: call Pingback from a server, or set `dangerouslyAllowBrowser: true`.",
    );
  });

  test("a keyless client posts a lead to the webhook intake, with none of the client's headers", async () => {
    const before = server.seen.length;
    const status = await page.evaluate(async (baseUrl) => {
      const { createPingbackClient } = (window as unknown as { pingback: Client }).pingback;
      const client = createPingbackClient({
        baseUrl,
        developerMode: true,
        headers: { "x-tenant": "t1" },
      });
      const { response } = await client.POST("/webhook/{webhookId}/c/{channelUid}/w/{workflowId}", {
        params: { path: { webhookId: "wh1", channelUid: "ch1", workflowId: "wf1" } },
        body: { email: "lead@example.com" },
      });
      return response.status;
    }, server.baseUrl);
    expect(status).toBe(200);
    const seen = server.seen.slice(before);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${intake}`]);
    expect(Object.keys(seen[0]?.headers ?? {}).filter((h) => h.startsWith("x-"))).toEqual([]);
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ email: "lead@example.com" });
  });

  test("dangerouslyAllowBrowser: true lets a key through, and it is sent", async () => {
    const before = server.seen.length;
    const status = await page.evaluate(async (baseUrl) => {
      const { createPingbackClient } = (window as unknown as { pingback: Client }).pingback;
      const client = createPingbackClient({
        apiKey: "sk_public_demo",
        baseUrl,
        dangerouslyAllowBrowser: true,
      });
      const { response } = await client.GET("/contacts/{email}", {
        params: { path: { email: "a@b.com" } },
      });
      return response.status;
    }, server.baseUrl);
    expect(status).toBe(200);
    expect(server.seen.at(before)?.headers["x-api-key"]).toBe("sk_public_demo");
  });
});
