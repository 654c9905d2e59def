import { createPingbackClient } from "@pingback/client";
import { checkDrift } from "@pingback/client/drift";
import { logCalls } from "@pingback/client/logger";
import { traceCalls } from "@pingback/client/otel";

const client = createPingbackClient({
  apiKey: process.env.PINGBACK_API_KEY ?? "",
  baseUrl: process.env.PINGBACK_BASE_URL,
  observers: [
    // One span per call, one per attempt, on the global tracer provider: no URL, no email, no key.
    // With a secret of your own, each path parameter is there as its keyed hash (unset: none).
    traceCalls({ pathParamHashKey: process.env.PINGBACK_PATH_HASH_KEY }),
    // Retries and give-ups at `warn`; PINGBACK_LOG=debug shows every request while debugging.
    logCalls(console),
  ],
});

// Where production disagrees with the spec: reported, sampled, never thrown.
client.use(
  checkDrift({
    mode: "report",
    sampleRate: 0.1,
    onDrift: (event) => console.warn(`spec drift: ${JSON.stringify(event)}`),
  }),
);

const { data } = await client.GET("/contacts/{email}", {
  params: { path: { email: "ada@example.com" } },
});
console.log(data?.data.id);
