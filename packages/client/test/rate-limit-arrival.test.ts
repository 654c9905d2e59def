/**
 * The default limiter against a real server that counts requests on ARRIVAL, after 0–150 ms of
 * random transit delay each: the slack the client keeps absorbs the jitter. Counts are asserted,
 * never times. The benchmark of @pingback/rate-limit-redis prints the wall time against the physical
 * limit, and the same run without the slack (`reserve: 0`), which sees 429s.
 */
import { afterEach, expect, test } from "vitest";
import { createPingbackClient } from "../src/index.js";
import { type LimitServer, startLimitServer } from "./support/limit-server.js";

let server: LimitServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const createAll = (baseUrl: string, n: number) => {
  const client = createPingbackClient({ apiKey: "sk_arrival", baseUrl, retry: false });
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      client.POST("/contacts", { body: { email: `c${i}@example.com` } }),
    ),
  );
};

test("50 creates, retries off, 0–150 ms transit jitter: the server refuses none (one at most on a loaded machine)", async () => {
  // The slack absorbs 200 ms of jitter; the transit delay takes 150 of it. On an idle machine the
  // server accepts all 50 (the benchmark shows it); here client and server share one event loop
  // with the other test files, and a stall of more than the remaining 50 ms can cost one.
  server = await startLimitServer({ jitterMs: 150 });
  const results = await createAll(server.baseUrl, 50);
  expect(server.answers).toHaveLength(50);
  expect(server.count(429)).toBeLessThanOrEqual(1);
  expect(results.filter((r) => r.response.status === 201).length).toBeGreaterThanOrEqual(49);
}, 60_000);
