import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPingbackClient } from "@pingback/client";
import { setupServer } from "msw/node";
import { afterEach, describe, expect, test } from "vitest";
import { createFakePingback } from "../src/index.js";
import { pingbackHandlers } from "../src/msw.js";

const SEGMENT = "5e0e0000-0000-4000-8000-000000000001";

describe("three ways in, one core", () => {
  test("fake.listen(): a real HTTP server on 127.0.0.1, sharing the fake's state", async () => {
    const fake = createFakePingback({ rateLimit: false });
    const server = await fake.listen();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
      const client = createPingbackClient({
        apiKey: fake.apiKey,
        baseUrl: server.url,
        rateLimit: false,
      });
      const created = await client.POST("/contacts", { body: { email: "ada@example.com" } });
      expect(created.response.status).toBe(201);
      expect(fake.state().production.contacts.map((c) => c.email)).toEqual(["ada@example.com"]);
      const viaFetch = createPingbackClient({
        apiKey: fake.apiKey,
        fetch: fake.fetch,
        rateLimit: false,
      });
      const read = await viaFetch.GET("/contacts/{email}", {
        params: { path: { email: "ada@example.com" } },
      });
      expect(read.data?.data.id).toBe(created.data?.data.id);
    } finally {
      await fake.close();
    }
  });

  test("fake.listen(): the connection-reset fault really resets the socket", async () => {
    const fake = createFakePingback({
      rateLimit: false,
      faults: [["connection-reset", { times: 1 }]],
    });
    const server = await fake.listen();
    try {
      const error = await fetch(`${server.url}/contacts`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect(
        JSON.stringify(
          (error as TypeError).cause,
          Object.getOwnPropertyNames((error as TypeError).cause),
        ),
      ).toMatch(/ECONNRESET|socket/i);
      expect((await fetch(`${server.url}/contacts`)).status).toBe(403);
    } finally {
      await fake.close();
    }
  });

  test("MSW handlers: code that calls the real URL with the global fetch reaches the fake", async () => {
    const fake = createFakePingback({
      rateLimit: false,
      seed: { segments: [{ id: SEGMENT, name: "News" }] },
    });
    const server = setupServer(...pingbackHandlers(fake));
    server.listen({ onUnhandledRequest: "error" });
    try {
      const client = createPingbackClient({
        apiKey: fake.apiKey,
        developerMode: true,
        rateLimit: false,
        retry: false,
      });
      await client.POST("/contacts", { body: { email: "ada@example.com" } });
      const added = await client.POST("/segments/add-contact/{email}", {
        params: { path: { email: "ada@example.com" } },
        body: { segmentedListsIds: [SEGMENT] },
      });
      expect(added.response.status).toBe(200);
      expect(fake.state().developer.contacts[0]?.segmentedListsIds).toEqual([SEGMENT]);
      fake.fault("connection-reset", { times: 1 });
      const error = await client.GET("/segments").catch((e: unknown) => e);
      expect(String((error as Error).message)).toMatch(/fetch|network/i);
    } finally {
      server.close();
    }
  });
});

describe("the pingback-fake command", () => {
  const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  const run = (args: string[]) => {
    child = spawn(process.execPath, ["--import", "tsx", cli, ...args], { stdio: "pipe" });
    const output = { stdout: "", stderr: "" };
    child.stdout?.on("data", (chunk) => {
      output.stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output.stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child?.on("exit", resolve));
    return { output, exited };
  };

  test("serves a seeded fake on the port given, with control routes for other languages", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pingback-fake-"));
    const seed = join(dir, "seed.json");
    writeFileSync(
      seed,
      JSON.stringify({
        segments: [{ id: SEGMENT, name: "News" }],
        contacts: [{ email: "old@example.com" }],
      }),
    );
    const { output } = run([
      "--port",
      "0",
      "--seed",
      seed,
      "--api-key",
      "ci-key-1234",
      "--no-rate-limit",
    ]);
    await expect.poll(() => output.stdout, { timeout: 15_000 }).toMatch(/listening on http/);
    expect(output.stdout).not.toContain("ci-key-1234");
    const url = /listening on (\S+)/.exec(output.stdout)?.[1] as string;
    const found = await fetch(`${url}/contacts/old@example.com`, {
      headers: { "x-api-key": "ci-key-1234" },
    });
    expect(found.status).toBe(200);
    const origin = new URL(url).origin;
    const state = (await (await fetch(`${origin}/__fake/state`)).json()) as { segments: unknown[] };
    expect(state.segments).toEqual([{ id: SEGMENT, name: "News" }]);
    const requests = await (await fetch(`${origin}/__fake/requests`)).text();
    expect(requests).toContain('"x-api-key":"[redacted]"');
    expect(requests).not.toContain("ci-key-1234");
    await fetch(`${origin}/__fake/faults`, {
      method: "POST",
      body: JSON.stringify({ name: "html-502", options: { times: 1 } }),
    });
    expect(
      (await fetch(`${url}/segments`, { headers: { "x-api-key": "ci-key-1234" } })).status,
    ).toBe(502);
    await fetch(`${origin}/__fake/reset`, { method: "POST" });
    expect(await (await fetch(`${origin}/__fake/requests`)).json()).toEqual([]);
  });

  test("a bad argument exits 2 with what was wrong and the usage", async () => {
    const { output, exited } = run(["--port", "http"]);
    expect(await exited).toBe(2);
    expect(output.stderr).toContain('--port must be a port number (0 to 65535), got "http"');
    expect(output.stderr).toContain("Usage: pingback-fake");
  });
});
