/**
 * `pnpm bench` (or `pnpm bench:rate-limit` at the root): what the shared store buys and costs,
 * against a real redis-server and a real HTTP server that enforces the API's limit (5/s, burst 2,
 * 2 in flight) on arrival, after 0–150 ms of random transit delay. Prints figures; asserts nothing.
 *
 * 1. 4 processes × 25 and 8 processes × 12 creates (retries off) through the Redis store, and
 *    4 × 25 with each process's own limiter: 429s seen, wall time against the physical limit,
 *    (calls − 2) / 5 s, and the store's script runs per API call (Redis's INFO commandstats).
 * 2. One client, 50 creates, retries off: the default limiter (one token of the burst kept as
 *    slack) and the same without slack (`reserve: 0`).
 * 3. Redis killed with calls waiting: 4 processes × 15 creates, Redis SIGKILLed once 8 are
 *    answered; how long after the kill the last waiting call was refused.
 * 4. Per-call cost of taking a slot, limits far above the rate, through the Redis store and through
 *    the local limiter, in interleaved rounds of one run: against a stubbed fetch, and over real
 *    HTTP to a server on 127.0.0.1 that answers at once.
 * 5. The account's channel: 8 stores × 12 and 32 stores × 3 slots at once (each store a process
 *    to Redis), a subscriber counting each grant message's bytes, and how many carried the list
 *    of live processes.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import {
  createLocalRateLimitStore,
  createPingbackClient,
  type RateLimitStore,
} from "@pingback/client";
import { createClient } from "redis";
import { startLimitServer } from "../../client/test/support/limit-server.js";
import { createRedisRateLimitStore } from "../src/index.js";
import { runTogether } from "../test/support/processes.js";
import { startRedis } from "../test/support/redis-server.js";

const JITTER_MS = 150;
const physicalS = (calls: number) => (calls - 2) / 5;
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const rows: string[][] = [];
const row = (...cells: string[]) => rows.push(cells);
const load = () =>
  loadavg()
    .map((l) => fmt(l))
    .join(" ");
const table = (head: string[], lines: string[][]) => {
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...lines.map(line)].join("\n");
};

console.log(`load average at start: ${load()} (2 cores)`);
let redisServer = await startRedis();
try {
  const admin = createClient({ url: redisServer.url });
  admin.on("error", () => {}); // section 4 kills its server
  await admin.connect();
  /** The store's script runs since the last reset (EVALSHA, and EVAL after a NOSCRIPT). */
  const scriptRuns = async () => {
    const info = await admin.info("commandstats");
    return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };

  // 1. Several processes of one account.
  const runs = [
    { processes: 4, calls: 25, limiter: "redis" },
    { processes: 8, calls: 12, limiter: "redis" },
    { processes: 4, calls: 25, limiter: "local" },
  ] as const;
  for (const { processes, calls, limiter } of runs) {
    const server = await startLimitServer({ jitterMs: JITTER_MS });
    await admin.sendCommand(["CONFIG", "RESETSTAT"]);
    const results = await runTogether(
      processes,
      {
        mode: "calls",
        limiter,
        redisUrl: redisServer.url,
        apiKey: `sk_bench_${limiter}_${processes}`,
        baseUrl: server.baseUrl,
        calls,
      },
      { untilEnded: true },
    );
    const total = processes * calls;
    const wallS =
      (Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) /
      1000;
    row(
      `${processes} × ${calls}, ${limiter === "redis" ? "Redis store" : "local limiters"}`,
      `${server.count(201)}/${total}`,
      String(server.count(429)),
      fmt(wallS),
      fmt(physicalS(total)),
      `${fmt(wallS / physicalS(total))}×`,
      limiter === "redis" ? fmt((await scriptRuns()) / total) : "",
    );
    await server.close();
  }

  // 2. One client, transit jitter (in its own process, as the server is in real life).
  for (const reserve of [1, 0]) {
    const server = await startLimitServer({ jitterMs: JITTER_MS });
    const [result] = await runTogether(1, {
      mode: "calls",
      limiter: "local",
      reserve,
      redisUrl: redisServer.url,
      apiKey: "sk_bench_one",
      baseUrl: server.baseUrl,
      calls: 50,
    });
    const wallS = ((result?.endedAt ?? 0) - (result?.startedAt ?? 0)) / 1000;
    row(
      `1 × 50, local, reserve ${reserve}${reserve === 1 ? " (default)" : ""}`,
      `${server.count(201)}/50`,
      String(server.count(429)),
      fmt(wallS),
      fmt(physicalS(50)),
      `${fmt(wallS / physicalS(50))}×`,
      "",
    );
    await server.close();
  }

  console.log(`\n0–${JITTER_MS} ms transit jitter, counted on arrival; retries off.\n`);
  console.log(
    table(
      ["run", "accepted", "429s", "wall s", "physical s", "wall / physical", "script runs / call"],
      rows,
    ),
  );

  // 3. Per-call cost of the store, against a stubbed fetch and over real HTTP.
  const redis = createClient({ url: redisServer.url });
  await redis.connect();
  const unlimited = { requestsPerSecond: 1e9, burst: 1e9, maxInFlight: 1e9 };
  const body = JSON.stringify({ message: "Contact found", data: { id: "c1", email: "a@b.com" } });
  const http = createServer((req, res) => {
    req.resume().on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v2`;
  const stubbed = async () =>
    new Response(body, { headers: { "content-type": "application/json" } });
  const redisStore = createRedisRateLimitStore({ redis, apiKey: "sk_bench_cost", ...unlimited });
  const CALLS = 200;
  const ROUNDS = 15;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  for (const transport of ["stubbed fetch", "real HTTP"] as const) {
    const stores: Record<string, RateLimitStore> = {
      local: createLocalRateLimitStore(unlimited),
      redis: redisStore,
    };
    const clients = Object.fromEntries(
      Object.entries(stores).map(([name, store]) => [
        name,
        createPingbackClient({
          apiKey: "sk_bench_cost",
          rateLimit: { store },
          ...(transport === "stubbed fetch" ? { fetch: stubbed } : { baseUrl: httpUrl }),
        }),
      ]),
    );
    const times: Record<string, number[]> = { local: [], redis: [] };
    const ratios: number[] = [];
    const round = async (name: string) => {
      const client = clients[name] as ReturnType<typeof createPingbackClient>;
      const start = performance.now();
      for (let i = 0; i < CALLS; i++)
        await client.GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });
      return ((performance.now() - start) * 1000) / CALLS;
    };
    await round("local");
    await round("redis");
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ["local", "redis"] : ["redis", "local"];
      for (const name of order) times[name]?.push(await round(name));
      ratios.push((times.redis?.[r] ?? 0) - (times.local?.[r] ?? 0));
    }
    const perCall = (name: string) => median(times[name] ?? []);
    console.log(
      `\nPer call, one process, ${transport}, medians of ${ROUNDS} interleaved rounds of ${CALLS} calls:` +
        `\n  local limiter ${fmt(perCall("local"), 0)} µs, Redis store ${fmt(perCall("redis"), 0)} µs` +
        ` (+${fmt(median(ratios), 0)} µs per call, rounds ${fmt(Math.min(...ratios), 0)} to ${fmt(Math.max(...ratios), 0)} µs)`,
    );
  }
  await redisStore.close();
  redis.destroy();
  http.close();

  // 5. The account's channel (before 4, which kills Redis).
  {
    const apiKey = "sk_bench_channel";
    const hash = createHash("sha256").update(apiKey).digest("hex").slice(0, 32);
    const lines: string[][] = [];
    for (const [processes, slots] of [
      [8, 12],
      [32, 3],
    ] as const) {
      const keyPrefix = `bench-channel-${processes}`;
      const listener = admin.duplicate();
      await listener.connect();
      const messages: string[] = [];
      await listener.subscribe(`${keyPrefix}:{${hash}}:grants`, (m) => messages.push(m));
      const redis = admin.duplicate();
      await redis.connect();
      const stores = Array.from({ length: processes }, () =>
        createRedisRateLimitStore({ redis, apiKey, keyPrefix, requestsPerSecond: 50 }),
      );
      await Promise.all(
        stores.flatMap((store) =>
          Array.from({ length: slots }, async () => {
            const release = await store.acquire();
            await new Promise((resolve) => setTimeout(resolve, 20));
            release();
          }),
        ),
      );
      await Promise.all(stores.map((store) => store.close()));
      await new Promise((resolve) => setTimeout(resolve, 100)); // the last messages arrive
      await listener.quit();
      await redis.quit();
      const bytes = (ms: string[]) => ms.reduce((sum, m) => sum + Buffer.byteLength(m), 0);
      const listed = messages.filter((m) => m.split(" ").length > 4);
      const unlisted = messages.length - listed.length;
      lines.push([
        `${processes} × ${slots}`,
        String(messages.length),
        String(listed.length),
        fmt(bytes(messages) / messages.length, 1),
        unlisted ? fmt((bytes(messages) - bytes(listed)) / unlisted, 1) : "—",
        listed.length ? fmt(bytes(listed) / listed.length, 1) : "—",
      ]);
    }
    console.log(
      `\nThe account's channel (every process hears every message):\n${table(
        [
          "processes × slots",
          "messages",
          "with the list",
          "B/message",
          "B without it",
          "B with it",
        ],
        lines,
      )}`,
    );
  }

  // 4. Redis killed with calls waiting.
  {
    const server = await startLimitServer({ jitterMs: JITTER_MS });
    const victim = redisServer;
    let killedAt = 0;
    let waitingAtKill = 0;
    const results = await runTogether(
      4,
      {
        mode: "calls",
        limiter: "redis",
        redisUrl: victim.url,
        apiKey: "sk_bench_killed",
        baseUrl: server.baseUrl,
        calls: 15,
      },
      {
        untilEnded: true,
        during: async () => {
          while (server.answers.length < 8) await new Promise((r) => setTimeout(r, 5));
          killedAt = Date.now();
          waitingAtKill = 60 - server.answers.length;
          victim.process.kill("SIGKILL");
        },
      },
    );
    const refused = results.flatMap((r) => r.settledAt.filter((_, i) => r.statuses[i] === 0));
    console.log(
      `\nRedis SIGKILLed with ${waitingAtKill} of 4 × 15 calls not answered: ${refused.length} refused` +
        ` (RedisRateLimitStoreError), the last ${fmt((Math.max(...refused) - killedAt) / 1000)} s after the kill` +
        ` (commandTimeoutMs 1 s); ${server.count(429)} × 429.`,
    );
    await server.close();
    redisServer = await startRedis(); // for the finally below
  }
  admin.destroy();
} finally {
  await redisServer.stop();
  console.log(`load average at end: ${load()}`);
}
