import { DEFAULT_RATE_LIMIT } from "@pingback/client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkLive, type LiveCase, liveCases, readLiveConfig } from "../src/live.js";
import { setAt } from "../src/negatives.js";
import { type RunningPrism, startPrismProxy } from "../src/prism.js";
import { contractClient, send } from "../src/send.js";
import { type Json, loadSpec, operations, requiresApiKey } from "../src/spec.js";
import { createValidator } from "../src/validator.js";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstream.js";

const spec = loadSpec();
const validator = createValidator(spec.document);
const API_KEY = "live-proof-secret-8f2c";
// The one breach: getContact answers with a number where the spec says `data.id` is a string.
const BREACHED = "getContact";
const breach = (documented: Json) => setAt(documented, ["data", "id"], 42);

describe("live mode, against a local fake upstream that breaks the contract once", () => {
  let upstream: FakeUpstream;
  let proxy: RunningPrism;
  let results: { c: LiveCase; problems: string[] }[];
  const departures: number[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream(spec.document, { operationId: BREACHED, body: breach });
    const live = readLiveConfig({ PINGBACK_BASE_URL: upstream.url, PINGBACK_API_KEY: API_KEY });
    if (!live.enabled) throw new Error("live config should be enabled");
    proxy = await startPrismProxy(spec.path, live.baseUrl, [live.apiKey]);
    // Times when the client's limiter lets each request go, measured where it happens: arrivals
    // at the upstream also carry the proxy's jitter.
    const observed: typeof fetch = (input, init) => {
      departures.push(performance.now());
      return fetch(input, init);
    };
    const client = contractClient({
      fetch: observed,
      baseUrl: proxy.url,
      apiKey: live.apiKey,
      developerMode: live.developerMode,
      rateLimited: true,
    });
    // All at once, so the client's rate limiter, not the test, decides the pace.
    results = await Promise.all(
      liveCases(spec.document).map(async (c) => ({
        c,
        problems: checkLive(spec.document, c, await send(client, c.request), validator),
      })),
    );
  }, 30_000);

  afterAll(async () => {
    await Promise.all([proxy?.close(), upstream?.close()]);
  });

  test("every operation reaches the upstream through prism proxy", () => {
    const reached = new Set(upstream.seen.map((seen) => seen.operationId));
    expect([...reached].sort()).toEqual(
      operations(spec.document)
        .map((op) => op.operationId)
        .sort(),
    );
  });

  test("answers that keep the contract pass", () => {
    const failures = results.filter(
      ({ c, problems }) => c.operationId !== BREACHED && problems.length > 0,
    );
    expect(failures).toEqual([]);
  });

  test("the breach is a failure naming the operation and the violated rule", () => {
    const problems = results
      .filter(({ c }) => c.operationId === BREACHED)
      .flatMap(({ problems }) => problems);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^getContact: the server's answer breaks the contract/);
    expect(problems[0]).toContain("data.id must be string");
  });

  test("x-developer-mode: true reaches the upstream, and the API key where security requires it", () => {
    const takesKey = new Map(
      operations(spec.document).map((op) => [op.operationId, requiresApiKey(spec.document, op)]),
    );
    for (const seen of upstream.seen) {
      expect(seen.headers["x-developer-mode"]).toBe("true");
      expect(seen.headers["x-api-key"]).toBe(takesKey.get(seen.operationId) ? API_KEY : undefined);
    }
  });

  // The redaction itself is pinned in units.test.ts; here, the whole path end to end.
  test("the API key appears in no failure message and no Prism log", () => {
    expect(JSON.stringify(results)).not.toContain(API_KEY);
    expect(proxy.log()).not.toContain(API_KEY);
  });

  test("the client's rate limit holds: at most 2 in flight, at most burst + rate in any second", () => {
    const { maxInFlight, burst, requestsPerSecond } = DEFAULT_RATE_LIMIT;
    expect(upstream.maxInFlight).toBeLessThanOrEqual(maxInFlight);
    expect(departures).toHaveLength(liveCases(spec.document).length);
    const busiestSecond = Math.max(
      ...departures.map((start) => departures.filter((t) => t >= start && t < start + 1000).length),
    );
    expect(busiestSecond).toBeLessThanOrEqual(burst + requestsPerSecond);
  });
});
