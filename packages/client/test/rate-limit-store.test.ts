/** `rateLimit: { store }`: the client takes every attempt's slot from the store it is given. */
import { expect, test } from "vitest";
import { createPingbackClient, type RateLimitStore } from "../src/index.js";
import { ok, stubFetch } from "./support/stub.js";

/** A store that grants at once and records what the client asked of it. */
function recordingStore() {
  const events: string[] = [];
  const store: RateLimitStore = {
    async acquire() {
      events.push("acquire");
      return () => events.push("release");
    },
    throttled(retryAfterMs) {
      events.push(`throttled ${retryAfterMs}`);
    },
  };
  return { store, events };
}

test("each attempt, retries included, takes a slot and gives it back; a 429 is reported with its Retry-After", async () => {
  const { store, events } = recordingStore();
  const tooMany = () => Response.json({}, { status: 429, headers: { "retry-after": "0" } });
  const stub = stubFetch(tooMany(), ok());
  const client = createPingbackClient({
    apiKey: "sk_store",
    fetch: stub.fetch,
    rateLimit: { store },
  });
  const { response } = await client.GET("/contacts");
  expect(response.status).toBe(200);
  expect(events).toEqual(["acquire", "release", "throttled 0", "acquire", "release"]);
});

test("a store that fails rejects the call with the store's own error, and nothing is sent", async () => {
  const failing: RateLimitStore = {
    acquire: () => Promise.reject(new Error("shared store unreachable")),
    throttled() {},
  };
  const stub = stubFetch(ok());
  const client = createPingbackClient({
    apiKey: "sk_store",
    fetch: stub.fetch,
    rateLimit: { store: failing },
  });
  await expect(client.GET("/contacts")).rejects.toThrow("shared store unreachable");
  expect(stub.requests).toHaveLength(0);
});
