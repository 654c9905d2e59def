import type * as Testing from "@pingback/testing";
import type {
  Allowed,
  Breach,
  FakePingbackOptions,
  FaultOptions,
  RateLimit,
} from "@pingback/testing";
import { IMPLEMENTED_OPERATIONS } from "@pingback/testing";
import type { JsonObject } from "./spec.js";

/** The operations whose semantics the fake implements: the self-test's slice keeps these. */
export const fakeServes = (op: { operationId: string }): boolean =>
  IMPLEMENTED_OPERATIONS.includes(op.operationId);

/**
 * Where a breach applies when not everywhere: a 500 then success on a read (a GET, which the
 * client retries; a create is not retried, and would fail for another reason).
 */
const BREACH_OPTIONS: Partial<Record<Breach, FaultOptions>> = {
  "5xx-then-ok": { operationId: "getContact" },
};

/** The public surface of `@pingback/testing`: the workspace build, or the packed tarball's. */
export type TestingModule = typeof Testing;

/**
 * What a live run needs on the account and cannot create (segments, a pipeline with a stage, a
 * webhook's path), plus more contacts than one page holds in each mode, so the pagination check has
 * a page 1 to compare. Seeded by id, so the ids can be handed to the run as `PINGBACK_LIVE_…`.
 */
const SEGMENTS = Array.from({ length: 12 }, (_, i) => ({
  id: `5e0e0000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  name: `Segment ${i}`,
}));
const PIPELINE = {
  id: "91be0000-0000-4000-8000-000000000001",
  name: "Sales",
  stages: [{ id: "57a90000-0000-4000-8000-000000000001", name: "Lead" }],
};
const contacts = (count: number, developerMode: boolean) =>
  Array.from({ length: count }, (_, i) => ({
    email: `${developerMode ? "dev-seed" : "seed"}-${i}@example.com`,
    developerMode,
  }));
/** The account's custom fields: the webhook intake refuses any other. */
const CUSTOM_FIELDS = [{ name: "company" }, { name: "role" }];
export const LIVE_SEED = {
  segments: SEGMENTS,
  pipelines: [PIPELINE],
  customFields: CUSTOM_FIELDS,
  contacts: [...contacts(4, false), ...contacts(13, true)],
};

/** The `PINGBACK_LIVE_…` values a user would set for the seeded account. */
export const LIVE_ENV: Record<string, string> = {
  PINGBACK_LIVE_PIPELINE_ID: PIPELINE.id,
  PINGBACK_LIVE_STAGE_ID: PIPELINE.stages[0]?.id ?? "",
  PINGBACK_LIVE_SEGMENTED_LISTS_IDS: SEGMENTS.slice(0, 2)
    .map((s) => s.id)
    .join(","),
  PINGBACK_LIVE_WEBHOOK_ID: "wh-1",
  PINGBACK_LIVE_CHANNEL_UID: "ch-1",
  PINGBACK_LIVE_WORKFLOW_ID: "wf-1",
  PINGBACK_LIVE_FIELD_NAME: CUSTOM_FIELDS[0]?.name ?? "",
  PINGBACK_LIVE_PRODUCTION_EMAIL: "seed-0@example.com",
};

export interface FakeTarget {
  /** Base URL of the fake: its HTTP server's (listen), or the API's own (fetch). */
  url: string;
  /** The fetch to send with: the fake's own in the fetch form, undefined over HTTP. */
  fetch: ((input: Request, init?: RequestInit) => Promise<Response>) | undefined;
  env: Record<string, string>;
  fake: Testing.FakePingback;
  close(): Promise<void>;
}

/** Starts `@pingback/testing`'s fake as a live run's target, seeded for the live suite, in one of its two forms. */
export async function startFakeTarget(
  testing: TestingModule,
  options: {
    form: "listen" | "fetch";
    apiKey: string;
    document: JsonObject;
    limit: RateLimit;
    breach?: Breach;
    /** A behaviour the contract allows, which the suite must not fail. */
    allowed?: Allowed;
    latencyMs?: number;
  },
): Promise<FakeTarget> {
  const given: FakePingbackOptions = {
    apiKey: options.apiKey,
    spec: options.document,
    seed: LIVE_SEED,
    rateLimit: options.limit,
    // Answers take time, so requests overlap and the in-flight cap matters, as on a real network.
    latencyMs: options.latencyMs ?? 2,
    faults: [
      ...(options.breach
        ? [[options.breach, BREACH_OPTIONS[options.breach] ?? {}] as [Breach, FaultOptions]]
        : []),
      ...(options.allowed ? [options.allowed] : []),
    ],
  };
  const fake = testing.createFakePingback(given);
  if (options.form === "fetch")
    return { url: fake.url, fetch: fake.fetch, env: LIVE_ENV, fake, close: () => fake.close() };
  const server = await fake.listen();
  return { url: server.url, fetch: undefined, env: LIVE_ENV, fake, close: () => fake.close() };
}
