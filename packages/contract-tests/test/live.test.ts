import { beforeAll, describe, inject, test } from "vitest";
import { assertNoProblems } from "../src/check.js";
import { checkLive, liveCases, readLiveConfig } from "../src/live.js";
import { contractClient, send } from "../src/send.js";
import { loadSpec } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

const spec = loadSpec();
const live = readLiveConfig(process.env);
const title = live.enabled
  ? `live mode: every request case against ${live.baseUrl}, through prism proxy --errors`
  : `live mode skipped: ${live.reason}`;

// Skipped, with the reason in its name, unless PINGBACK_BASE_URL and PINGBACK_API_KEY are set.
describe.skipIf(!live.enabled)(title, () => {
  const validator = createValidator(spec.document);
  let client: ReturnType<typeof contractClient>;

  beforeAll(() => {
    const liveUrl = inject("liveUrl");
    if (!live.enabled || !liveUrl)
      throw new Error("live mode is configured but the global setup started no prism proxy");
    // The client's own rate limit (5/s, 2 in flight) applies: a real server enforces it.
    client = contractClient({
      baseUrl: liveUrl,
      apiKey: live.apiKey,
      developerMode: live.developerMode,
      rateLimited: true,
    });
  });

  test.for(liveCases(spec.document))("$name", { timeout: 30_000 }, async (c) => {
    const got = await send(client, c.request);
    assertNoProblems(c.name, checkLive(spec.document, c, got, validator));
  });
});
