import { createPingbackClient } from "@pingback/client";
import { createRedisRateLimitStore } from "@pingback/rate-limit-redis";
import { Redis } from "ioredis";

const apiKey = process.env.PINGBACK_API_KEY ?? "";
const redis = new Redis(process.env.REDIS_URL ?? "redis://localhost:6379");
// Without an "error" listener, ioredis prints "Unhandled error event" for a lost connection.
// Calls made meanwhile are refused by the store with a RedisRateLimitStoreError of their own.
redis.on("error", (error) => console.error(`Redis: ${error.message}`));

const store = createRedisRateLimitStore({ redis, apiKey });
const client = createPingbackClient({
  apiKey,
  baseUrl: process.env.PINGBACK_BASE_URL, // unset: the API itself
  rateLimit: { store },
});

try {
  const emails = ["ada@example.com", "grace@example.com", "edsger@example.com", "alan@example.com"];
  const results = await Promise.allSettled(
    emails.map((email) => client.POST("/contacts", { body: { email } })),
  );
  for (const result of results) {
    if (result.status === "rejected") console.log(`not sent: ${result.reason}`);
    else if (result.value.error) console.log(`refused: ${result.value.response.status}`);
    else console.log(`created ${result.value.data.data.id}`);
  }
} finally {
  // Waits for the last releases, so that no slot stays taken after this process ends, then
  // closes the store's own connection. Then the connection.
  await store.close();
  redis.disconnect();
}
