/**
 * A real HTTP server on 127.0.0.1 that enforces the API's documented limit the way the API does:
 * on ARRIVAL. Each request is first held for a random transit delay (0 to `jitterMs`), then counted
 * against a token bucket of `burst` refilled at `requestsPerSecond`, with at most `maxInFlight`
 * requests being processed; over the limit it answers 429. Every answer is recorded.
 *
 * Used by the client's arrival test and by @pingback/rate-limit-redis's tests and benchmark.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface LimitServerOptions {
  requestsPerSecond?: number;
  burst?: number;
  maxInFlight?: number;
  /** Largest random delay before a request is counted, as transit adds (default 0). */
  jitterMs?: number;
  /** How long the server works on an accepted request (default 20 ms). */
  workMs?: number;
}

export interface LimitServer {
  baseUrl: string;
  /** The status of every answer, in the order of arrival. */
  answers: number[];
  count(status: number): number;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startLimitServer(options: LimitServerOptions = {}): Promise<LimitServer> {
  const { requestsPerSecond = 5, burst = 2, maxInFlight = 2, jitterMs = 0, workMs = 20 } = options;
  const answers: number[] = [];
  let tokens = burst;
  let refilledAt = performance.now();
  let inFlight = 0;
  const server = createServer(async (req, res) => {
    for await (const _ of req); // the whole request has left the client
    // The request arrives `transit` ms after it was received. A timer can fire late on a loaded
    // machine, and late timers fire together; counting the arrival at its intended time keeps
    // the server's own stalls from bunching arrivals that the network would not have bunched.
    const transit = Math.random() * jitterMs;
    const arrival = performance.now() + transit;
    if (transit > 0) await sleep(transit);
    const now = Math.max(arrival, refilledAt);
    tokens = Math.min(burst, tokens + ((now - refilledAt) * requestsPerSecond) / 1000);
    refilledAt = now;
    let status = 429;
    if (tokens >= 1 && inFlight < maxInFlight) {
      tokens -= 1;
      inFlight += 1;
      await sleep(workMs);
      inFlight -= 1;
      status = req.method === "POST" ? 201 : 200;
    }
    answers.push(status);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(
      status === 429
        ? JSON.stringify({ error: "Too many requests", errorCode: "TOO_MANY_REQUESTS" })
        : JSON.stringify({ message: "ok", data: { id: String(answers.length) } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v2`,
    answers,
    count: (status) => answers.filter((s) => s === status).length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
