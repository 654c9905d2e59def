/**
 * The README's code is examples/node-redis.ts and examples/ioredis.ts, verbatim. Each runs as a
 * user runs it (its own Node process, against a real redis-server and a real HTTP server), ends
 * by itself once its calls are done, and survives Redis being killed mid-run: the calls Redis can
 * no longer grant are refused with the store's error, and the process neither crashes nor hangs.
 * (test/types compiles the same files under `exactOptionalPropertyTypes`, against node-redis 4, 5
 * and 6 and ioredis 5 and 6.)
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { afterEach, describe, expect, test } from "vitest";
import { sendJson, startServer, type TestServer } from "../../client/test/support/server.js";
import { type RedisServer, startRedis } from "./support/redis-server.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const examples = ["node-redis", "ioredis"] as const;

let redis: RedisServer | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  await redis?.stop();
});

/** Runs an example to its end; rejects if it has not ended by itself within `ms`. */
function run(example: string, env: Record<string, string>, ms = 30_000) {
  const child = spawn(process.execPath, ["--import", "tsx", `examples/${example}.ts`], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${example} did not end within ${ms} ms:\n${stdout}\n${stderr}`));
    }, ms);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const created = (_: unknown, res: Parameters<Parameters<typeof startServer>[0]>[1], i: number) =>
  sendJson(res, 201, { message: "Contact created", data: { id: `c${i}`, email: "x@example.com" } });

describe.each(examples)("examples/%s.ts", (example) => {
  test("is in the README whole", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const code = await readFile(new URL(`../examples/${example}.ts`, import.meta.url), "utf8");
    expect(readme).toContain(`\`\`\`ts\n${code}\`\`\``);
  });

  test("sends its calls through the shared limit and ends by itself, holding nothing", async () => {
    redis = await startRedis();
    server = await startServer(created);
    const { code, stdout, stderr } = await run(example, {
      PINGBACK_API_KEY: "sk_live_readme",
      REDIS_URL: redis.url,
      PINGBACK_BASE_URL: server.baseUrl,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.trim().split("\n").sort()).toEqual([
      "created c0",
      "created c1",
      "created c2",
      "created c3",
    ]);
    expect(server.seen).toHaveLength(4);
    // Nothing held, nobody waiting, no process counted live: only the rate's state is left.
    const client = createClient({ url: redis.url });
    await client.connect();
    const keys = await client.keys("pingback:rate-limit:*");
    client.destroy();
    expect(keys.map((k) => k.replace(/\{\w+\}/, "{hash}"))).toEqual([
      "pingback:rate-limit:{hash}:state",
    ]);
  });

  test("Redis killed mid-run: the calls not yet granted are refused with the store's error, and the process ends normally", async () => {
    const killed = await startRedis();
    redis = killed;
    // The first request to arrive kills Redis before it is answered: its release, and every
    // later call of the store, find Redis gone.
    server = await startServer(async (request, res, i) => {
      if (i === 0) {
        killed.process.kill("SIGKILL");
        await new Promise((resolve) => killed.process.once("exit", resolve));
      }
      created(request, res, i);
    });
    const { code, stdout, stderr } = await run(example, {
      PINGBACK_API_KEY: "sk_live_readme_killed",
      REDIS_URL: killed.url,
      PINGBACK_BASE_URL: server.baseUrl,
    });
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    // Two slots were granted before the kill (2 in flight at most); the other two were waiting.
    expect(lines.filter((l) => l.startsWith("created"))).toHaveLength(2);
    const refused = lines.filter((l) => l.startsWith("not sent: "));
    expect(refused).toHaveLength(2);
    for (const line of refused) {
      expect(line).toMatch(
        /^not sent: RedisRateLimitStoreError: @pingback\/rate-limit-redis: Redis /,
      );
      expect(line).not.toContain("sk_live");
    }
    expect(server.seen).toHaveLength(2);
    // The listener the README adds reports the lost connection; nothing is left unhandled.
    expect(stderr).toMatch(/^Redis: /m);
    expect(stderr).not.toMatch(/Unhandled|ERR_UNHANDLED_ERROR/);
  });
});
