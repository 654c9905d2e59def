import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RATE_LIMIT } from "@pingback/client";
import * as testing from "@pingback/testing";
import {
  ALLOWED,
  type Allowed,
  BREACHES,
  type Breach,
  type FakeRequest,
  type RateLimit as Limit,
} from "@pingback/testing";
import { afterAll, describe, expect, test } from "vitest";
import { errorCatalogue } from "../src/catalogue.js";
import { REPORTS_DIR } from "../src/context.js";
import { fakeServes, startFakeTarget } from "../src/fake-target.js";
import {
  CHECK_KINDS,
  type CheckKind,
  type LivePlan,
  planLive,
  RATE_LIMIT_CASE,
} from "../src/live-plan.js";
import { toMarkdown, toText } from "../src/live-report.js";
import { type LiveRun, runLive } from "../src/live-run.js";
import { selfTestSlice } from "../src/live-slice.js";
import { loadSpec } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

// The self-test runs on a slice of the spec of bounded size (the first operations the fake of
// @pingback/testing implements), so its cost does not grow with the spec: at 900 operations it sends
// the same requests. Each breach, and each behaviour the contract allows, is one of the package's
// named faults: one mechanism for what users turn on and what the self-test needs.
const document = selfTestSlice(loadSpec().document, fakeServes);
const validator = createValidator(document);
// The spec's error catalogue is what the checks expect (and what the fake answers from); a spec
// without it fails here, loudly.
errorCatalogue(document);
const API_KEY = "live-self-test-secret-8f2c";
// The breach table runs 80× faster than the API's pace: the fake counts 400/s (same burst and
// in-flight cap, on arrival), the client's retries keep their count and their backoff scaled by 80,
// and the client paces at 300/s, since timers on a loaded machine jitter far more than 1/80 of 200 ms.
// A run takes a fraction of a second, not ten.
const FAST: Limit = { requestsPerSecond: 400, burst: 2, maxInFlight: 2 };
const FAST_CLIENT = { ...FAST, requestsPerSecond: 300 };
const FAST_RETRY = { retries: 2, baseDelayMs: 6, maxDelayMs: 100 };
// At 80× the pace a token lasts 2.5 ms, less than a loaded machine's timer jitter, so the fast runs
// cannot judge the limit (their jitter allowance explains any 429). The breaches of the limit run 10×
// the API's pace instead: a token lasts 20 ms, and 10 ms of jitter is allowed, as 100 ms is live.
const FAST_JITTER_MS = 50;
const PACED: Limit = { requestsPerSecond: 50, burst: 2, maxInFlight: 2 };
const PACED_CLIENT = { ...PACED, requestsPerSecond: 40 };
const PACED_RETRY = { retries: 3, baseDelayMs: 20, maxDelayMs: 200 };
const PACED_JITTER_MS = 10;
/** The breaches only a run at a measurable pace can show. */
const LIMIT_BREACHES: Breach[] = ["strict-limit", "limit-halved"];

interface Outcome {
  plan: LivePlan;
  run: LiveRun;
  seen: FakeRequest[];
  served429: number;
  /** Whether the fake's production data is as it was before the run. */
  productionUnchanged: boolean;
}

async function liveRun(
  options: {
    breach?: Breach;
    allowed?: Allowed;
    pace?: "fast" | "paced" | "documented";
    env?: boolean | Record<string, string>;
    developerMode?: boolean;
  } = {},
): Promise<Outcome> {
  const pace = options.pace ?? "fast";
  const limit = pace === "fast" ? FAST : pace === "paced" ? PACED : { ...DEFAULT_RATE_LIMIT };
  const fake = await startFakeTarget(testing, {
    form: "listen",
    apiKey: API_KEY,
    document,
    limit,
    ...(options.breach && { breach: options.breach }),
    ...(options.allowed && { allowed: options.allowed }),
  });
  const productionData = () => JSON.stringify(fake.fake.state().production);
  try {
    const developerMode = options.developerMode ?? true;
    const env =
      options.env === false ? {} : { ...fake.env, ...(options.env === true ? {} : options.env) };
    const plan = planLive(document, {
      runId: `selftest${Date.now().toString(36)}`,
      env,
      developerMode,
    });
    const production = productionData();
    const run = await runLive(
      document,
      plan,
      {
        baseUrl: fake.url,
        apiKey: API_KEY,
        developerMode,
        ...(pace === "fast" && {
          rateLimit: FAST_CLIENT,
          retry: FAST_RETRY,
          documentedLimit: FAST,
          jitterMs: FAST_JITTER_MS,
        }),
        ...(pace === "paced" && {
          rateLimit: PACED_CLIENT,
          retry: PACED_RETRY,
          documentedLimit: PACED,
          jitterMs: PACED_JITTER_MS,
        }),
      },
      validator,
    );
    const seen = [...fake.fake.requests];
    return {
      plan,
      run,
      seen,
      served429: seen.filter((r) => r.status === 429).length,
      productionUnchanged: productionData() === production,
    };
  } finally {
    await fake.close();
  }
}

/**
 * The check that must catch each breach (a failure of that kind), or `answer` for what every answer
 * is checked for (its shape, its 429s), whatever the case; then `SAYS` names the proof.
 */
const CAUGHT_BY: Record<Breach, CheckKind | "answer"> = {
  "forbid-valid-key": "outcome",
  "lose-created-contact": "read-back",
  "conflict-new-email": "outcome",
  "500-on-valid": "outcome",
  "5xx-then-ok": "read-back",
  "dev-mode-422": "outcome",
  "strict-limit": "rate-limit",
  "status-501": "outcome",
  schema: "read-back",
  "content-type": "read-back",
  "no-key-accepted": "no-key",
  "wrong-key-accepted": "wrong-key",
  "missing-body-422": "missing-body",
  "invalid-email-404": "invalid-parameter",
  "invalid-body-accepted": "invalid-body",
  "pages-overlap": "pagination",
  // The schema's maxItems catches it on page 0 already; the pagination check then has no page 0.
  "page-oversize": "outcome",
  "total-wrong": "pagination",
  "dev-leak": "developer-mode",
  "readback-differs": "read-back",
  "update-lost": "outcome",
  "code-status-mismatch": "missing-body",
  "bare-error": "answer",
  "intake-needs-key": "outcome",
  "create-drops-fields": "read-back",
  "update-ignored": "read-after-write",
  "segments-ignored": "read-after-write",
  "prod-visible-in-dev": "production-unseen",
  "writes-ignore-dev-mode": "developer-mode",
  "error-no-code": "answer",
  "error-envelope": "answer",
  "429-html": "answer",
  "limit-halved": "rate-limit",
  "non-json-500": "non-json-body",
  "past-last-422": "past-last-page",
  "negative-page-accepted": "invalid-parameter",
  "unknown-deal-accepted": "not-found",
  "duplicate-accepted": "conflict",
};
/** What the failure must say, for breaches whose proof is the message, not only the kind. */
const SAYS: Partial<Record<Breach, RegExp>> = {
  "5xx-then-ok": /answered 500 before 200 \(a 5xx always fails\)/,
  "strict-limit": /answered 429 below the documented limit/,
  "limit-halved": /answered 429 below the documented limit/,
  "code-status-mismatch": /errorCode INVALID_INPUT came with 400; the catalogue gives it 422/,
  "lose-created-contact": /expected 200, got 404 CONTACT_NOT_FOUND \(requestId /,
  "status-501": /expected 201, got 501/,
  "readback-differs": /read back: data\.attributes\.name is "Somebody Else"/,
  schema: /id must be string/,
  "content-type": /answered text\/html, documented application\/json/,
  "page-oversize": /must NOT have more than 10 items \(maxItems\)/,
  "pages-overlap": /page 1 repeats \d+ item\(s\) of page 0/,
  "total-wrong": /with total \d+ and 10 per page it should hold/,
  "bare-error": /must have required property 'requestId'/,
  "error-no-code": /must have required property 'errorCode'/,
  "error-envelope": /must have required property 'error'/,
  "429-html": /the 429 of attempt 1 \(retried\): \w+: 429 answered text\/html/,
  "create-drops-fields": /read back: data\.(attributes\.name|origin\.url) is missing, create sent/,
  "update-ignored": /read back: data\.attributes\.\w+ is (missing|.*), updateContact sent/,
  "segments-ignored": /read back: data\.segmentedListsIds is \[\], addContactToSegments sent/,
  "past-last-422": /expected 200, got 422 INVALID_PARAMS/,
  "non-json-500": /expected 422, got 500/,
};
const planned = planLive(document, { runId: "x", env: {}, developerMode: true }).cases;
const hasOpenOperation = planned.some((c) => c.auth === "none" && c.check === "outcome");

const table: string[] = [];

describe("live mode against a fake Pingback server (self-test, on a bounded slice of the spec)", () => {
  afterAll(() => {
    mkdirSync(REPORTS_DIR, { recursive: true });
    const markdown = ["| breach | caught by | how |", "| --- | --- | --- |", ...table, ""].join(
      "\n",
    );
    writeFileSync(join(REPORTS_DIR, "live-self-test.md"), markdown);
    console.log(`live self-test, checks × breaches:\n${markdown}`);
  });

  // Each run sends ~70 requests; like a breach run, it may take longer than vitest's default
  // on a loaded machine.
  test("a server that keeps the contract passes every check, and its production data is untouched", {
    timeout: 60_000,
  }, async () => {
    const { plan, run, productionUnchanged } = await liveRun();
    const failed = run.results.filter((r) => r.verdict !== "pass");
    expect(failed.map((r) => `${r.name}: ${r.verdict} ${r.why.join("; ")}`)).toEqual([]);
    expect([...new Set(plan.cases.map((c) => c.check))].sort()).toEqual([...CHECK_KINDS].sort());
    expect(productionUnchanged, "the run changed the fake's production data").toBe(true);
    table.push(`| (none: a correct server) | - | ${run.results.length} cases pass |`);
  });

  test.for(ALLOWED.map((allowed) => ({ allowed })))(
    "allowed by the contract: $allowed passes",
    { timeout: 60_000 },
    async ({ allowed }) => {
      const { run } = await liveRun({ allowed });
      const failed = run.results.filter((r) => r.verdict !== "pass");
      expect(failed.map((r) => `${r.name}: ${r.verdict} ${r.why.join("; ")}`)).toEqual([]);
      table.push(`| (allowed: ${allowed}) | - | ${run.results.length} cases pass |`);
    },
  );

  test.for(BREACHES.map((breach) => ({ breach })))(
    "breach $breach is caught",
    { timeout: 60_000 },
    async ({ breach }, { skip }) => {
      if (breach === "intake-needs-key" && !hasOpenOperation)
        return skip("the slice has no operation with security: [] that the fake implements");
      const { run } = await liveRun({
        breach,
        ...(LIMIT_BREACHES.includes(breach) && { pace: "paced" as const }),
      });
      const want = CAUGHT_BY[breach];
      const pattern = SAYS[breach];
      const caught = run.results.filter(
        (r) =>
          r.verdict === "fail" &&
          (want === "answer" ? pattern?.test(r.why.join("\n")) : r.check === want),
      );
      expect(
        caught.length,
        `nothing caught ${breach}: ${JSON.stringify(run.results.map((r) => [r.name, r.verdict, r.why]))}`,
      ).toBeGreaterThan(0);
      const said = caught
        .flatMap((r) => r.why)
        .sort((a, b) => Number(a.startsWith("not sent")) - Number(b.startsWith("not sent")));
      if (pattern) expect(said.join("\n")).toMatch(pattern);
      table.push(
        `| ${breach} | ${want === "answer" ? "every answer's check, in " : ""}${[...new Set(caught.map((r) => r.check))].join(", ")} (${caught.length} case${caught.length === 1 ? "" : "s"}) | ${(said.find((line) => !pattern || pattern.test(line)) ?? said[0] ?? "").replaceAll("|", "\\|").slice(0, 160)} |`,
      );
    },
  );

  test("without the ids the API cannot create, those cases are not run and the run says what to set", async () => {
    const { plan, run } = await liveRun({ env: false });
    const notRun = run.results.filter((r) => r.verdict === "not run");
    expect(notRun.length).toBeGreaterThan(0);
    for (const r of notRun) expect(r.why.join(" ")).toMatch(/set PINGBACK_LIVE_|was not run/);
    expect(run.results.filter((r) => r.verdict === "fail")).toEqual([]);
    expect(toText(run, plan)).toMatch(/\d+ not run.*to run the rest, set PINGBACK_LIVE_\w+/);
  });

  test("in production mode only reads are sent, the developer-mode checks are not run, and each says why", async () => {
    const { plan, run, seen, productionUnchanged } = await liveRun({ developerMode: false });
    const devMode = run.results.filter(
      (r) => r.check === "developer-mode" || r.check === "production-unseen",
    );
    expect(devMode.length).toBeGreaterThan(0);
    for (const r of devMode) expect(r.why.join()).toMatch(/not in developer mode/);
    expect(seen.filter((s) => s.method !== "GET").map((s) => `${s.method} ${s.path}`)).toEqual([]);
    const writes = plan.cases.filter((c) => c.changesData).map((c) => c.name);
    for (const r of run.results.filter((r) => writes.includes(r.name)))
      expect(r.why.join()).toMatch(/could change production data/);
    expect(run.results.filter((r) => r.verdict === "fail")).toEqual([]);
    expect(productionUnchanged).toBe(true);
  });

  test("a value from PINGBACK_LIVE_… that the account does not hold fails its cases, naming the variable", async () => {
    const { run } = await liveRun({
      env: {
        PINGBACK_LIVE_PIPELINE_ID: "00000000-0000-4000-8000-000000000000",
        PINGBACK_LIVE_FIELD_NAME: "no-such-field",
        PINGBACK_LIVE_PRODUCTION_EMAIL: "nobody@example.com",
      },
    });
    const said = (variable: string) =>
      run.results
        .filter((r) => r.verdict === "fail" && r.why.join(" ").includes(variable))
        .map((r) => r.operationId);
    expect(said("PINGBACK_LIVE_PIPELINE_ID")).toContain("createDeal");
    expect(said("PINGBACK_LIVE_FIELD_NAME")).toContain("sendToWebhook");
    expect(said("PINGBACK_LIVE_PRODUCTION_EMAIL")).toContain("getContact");
  });

  test("the key travels only to operations that require it, and appears in no report", async () => {
    const { plan, run, seen } = await liveRun();
    const text = toText(run, plan) + toMarkdown(run, plan, "fake");
    expect(text).not.toContain(API_KEY);
    const open = plan.cases.filter((c) => c.auth === "none").map((c) => c.operationId);
    expect(open.length).toBeGreaterThan(0);
    for (const request of seen.filter((s) => s.apiKey === "valid"))
      expect(request.headers["x-developer-mode"]).toMatch(/^(true|false)$/);
    // The fake records every request with the key redacted, and whether it carried one.
    expect(JSON.stringify(seen)).not.toContain(API_KEY);
    const keyed = seen.filter((s) => s.apiKey !== "missing").map((s) => s.path);
    expect(keyed.filter((path) => path.includes("/webhook/"))).toEqual([]);
  });

  // The one run at the API's real pace: the client's default limit against a server enforcing
  // exactly the documented one on arrival. Its timeout follows from the work: requests / rate.
  const requests = planned.length;
  const paced = (requests / DEFAULT_RATE_LIMIT.requestsPerSecond) * 1000;
  test(`at the documented limit (${DEFAULT_RATE_LIMIT.requestsPerSecond}/s, burst ${DEFAULT_RATE_LIMIT.burst}, ${DEFAULT_RATE_LIMIT.maxInFlight} in flight): every case passes, with no 429`, {
    timeout: 3 * paced + 20_000,
  }, async () => {
    const { plan, run, served429 } = await liveRun({ pace: "documented" });
    expect(
      run.results.filter((r) => r.verdict !== "pass").map((r) => `${r.name}: ${r.why}`),
    ).toEqual([]);
    expect(run.results.find((r) => r.name === RATE_LIMIT_CASE)?.verdict).toBe("pass");
    // The client's pacing keeps under the limit as the server counts it, on arrival.
    expect(served429).toBe(0);
    expect(run.tooManyRequests).toBe(served429);
    mkdirSync(REPORTS_DIR, { recursive: true });
    writeFileSync(
      join(REPORTS_DIR, "live-fake.md"),
      toMarkdown(run, plan, "the fake Pingback server"),
    );
    console.log(`live run against the fake server at the documented limit:\n${toText(run, plan)}`);
  });
});
