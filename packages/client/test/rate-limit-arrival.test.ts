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

test("50 creates, retries off, 0–150 ms transit jitter: the server accepts all 50", async () => {
  server = await startLimitServer({ jitterMs: 150 });
  const results = await createAll(server.baseUrl, 50);
  expect(server.count(429)).toBe(0);
  expect(results.filter((r) => r.response.status === 201)).toHaveLength(50);
}, 60_000);
