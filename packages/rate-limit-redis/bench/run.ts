/**
 * `pnpm bench` (or `pnpm bench:rate-limit` at the root): what the shared store buys and costs,
 * against a real redis-server and a real HTTP server that enforces the API's limit (5/s, burst 2,
 * 2 in flight) on arrival, after 0–150 ms of random transit delay. Prints figures; asserts nothing.
 *
 * 1. 4 processes × 25 creates (retries off), through the Redis store, then with each process's own
 *    limiter: 429s seen, and wall time against the physical limit, (calls − 2) / 5 s.
 * 2. One client, 50 creates, retries off: the default limiter (one token of the burst kept as
 *    slack) and the same without slack (`reserve: 0`).
 * 3. Per-call cost of taking a slot: the client against a stubbed fetch, limits far above the
 *    rate, through the Redis store and through the local limiter, in interleaved rounds of one run.
 */
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

console.log(`load average at start: ${load()} (2 cores)`);
const redisServer = await startRedis();
try {
  // 1. Several processes of one account.
  for (const limiter of ["redis", "local"] as const) {
    const server = await startLimitServer({ jitterMs: JITTER_MS });
    const results = await runTogether(4, {
      mode: "calls",
      limiter,
      redisUrl: redisServer.url,
      apiKey: `sk_bench_${limiter}`,
      baseUrl: server.baseUrl,
      calls: 25,
    });
    const wallS =
      (Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) /
      1000;
    const accepted = server.count(201);
    row(
      `4 × 25, ${limiter === "redis" ? "Redis store" : "local limiters"}`,
      `${accepted}/100`,
      String(server.count(429)),
      fmt(wallS),
      fmt(physicalS(100)),
      `${fmt(wallS / physicalS(100))}×`,
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
    );
    await server.close();
  }

  console.log(`\n0–${JITTER_MS} ms transit jitter, counted on arrival; retries off.\n`);
  const head = ["run", "accepted", "429s", "wall s", "physical s", "wall / physical"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log([line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n"));

  // 3. Per-call cost of the store.
  const redis = createClient({ url: redisServer.url });
  await redis.connect();
  const unlimited = { requestsPerSecond: 1e9, burst: 1e9, maxInFlight: 1e9 };
  const stores: Record<string, RateLimitStore> = {
    local: createLocalRateLimitStore(unlimited),
    redis: createRedisRateLimitStore({ redis, apiKey: "sk_bench_cost", ...unlimited }),
  };
  const body = JSON.stringify({ message: "Contact found", data: { id: "c1", email: "a@b.com" } });
  const fetch = async () => new Response(body, { headers: { "content-type": "application/json" } });
  const clients = Object.fromEntries(
    Object.entries(stores).map(([name, store]) => [
      name,
      createPingbackClient({ apiKey: "sk_bench_cost", fetch, rateLimit: { store } }),
    ]),
  );
  const CALLS = 200;
  const ROUNDS = 15;
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
    ratios.push((times.redis?.[r] ?? 0) / (times.local?.[r] ?? 1));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const perCall = (name: string) => median(times[name] ?? []);
  console.log(
    `\nPer call, one process, stubbed fetch, medians of ${ROUNDS} interleaved rounds of ${CALLS} calls:` +
      `\n  local limiter ${fmt(perCall("local"), 0)} µs, Redis store ${fmt(perCall("redis"), 0)} µs` +
      ` (+${fmt(perCall("redis") - perCall("local"), 0)} µs: a Redis round trip per slot, the release sent behind it);` +
      ` ratio ${fmt(median(ratios))}× (range ${fmt(Math.min(...ratios))}–${fmt(Math.max(...ratios))}×)`,
  );
  await redis.quit();
} finally {
  await redisServer.stop();
  console.log(`load average at end: ${load()}`);
}
