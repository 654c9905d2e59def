import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RATE_LIMIT } from "@pingback/client";
import { afterAll, describe, expect, test } from "vitest";
import { errorCatalogue } from "../src/catalogue.js";
import { REPORTS_DIR } from "../src/context.js";
import { type CheckKind, type LivePlan, planLive } from "../src/live-plan.js";
import { toMarkdown, toText } from "../src/live-report.js";
import { type LiveRun, runLive } from "../src/live-run.js";
import { selfTestSlice } from "../src/live-slice.js";
import { loadSpec } from "../src/spec.js";
import { createValidator } from "../src/validator.js";
import {
  BREACHES,
  type Breach,
  fakeServes,
  type Limit,
  startFakePingback,
} from "./fake-pingback.js";

// The self-test runs on a slice of the spec of bounded size (the first operations the fake
// implements), so its cost does not grow with the spec: at 900 operations it sends the same requests.
const document = selfTestSlice(loadSpec().document, fakeServes);
const validator = createValidator(document);
// The spec's error catalogue is what the checks expect; a spec without it fails here, loudly.
const catalogue = errorCatalogue(document);
const API_KEY = "live-self-test-secret-8f2c";
// The breach table runs 80× faster than the API's pace: the fake counts 400/s (same burst and
// in-flight cap, on arrival), the client's retries keep their count and their backoff scaled by 80,
// and the client paces at 300/s, since timers on a loaded machine jitter far more than 1/80 of 200 ms.
// A run takes a fraction of a second, not ten.
const FAST: Limit = { requestsPerSecond: 400, burst: 2, maxInFlight: 2 };
const FAST_CLIENT = { ...FAST, requestsPerSecond: 300 };
const FAST_RETRY = { retries: 2, baseDelayMs: 6, maxDelayMs: 100 };

interface Outcome {
  plan: LivePlan;
  run: LiveRun;
  seen: Awaited<ReturnType<typeof startFakePingback>>["seen"];
  served429: number;
}

async function liveRun(
  options: { breach?: Breach; limit?: Limit; env?: boolean; developerMode?: boolean } = {},
): Promise<Outcome> {
  const limit = options.limit ?? FAST;
  const fake = await startFakePingback({
    apiKey: API_KEY,
    catalogue,
    limit,
    ...(options.breach && { breach: options.breach }),
  });
  try {
    const developerMode = options.developerMode ?? true;
    const plan = planLive(document, {
      runId: `selftest${Date.now().toString(36)}`,
      env: options.env === false ? {} : fake.env,
      developerMode,
    });
    const fast = limit === FAST;
    const run = await runLive(
      document,
      plan,
      {
        baseUrl: fake.url,
        apiKey: API_KEY,
        developerMode,
        ...(fast && { rateLimit: FAST_CLIENT, retry: FAST_RETRY }),
      },
      validator,
    );
    return { plan, run, seen: fake.seen, served429: fake.tooManyRequests };
  } finally {
    await fake.close();
  }
}

/** The check that must catch each breach (a failure of that kind), or `warning` for conventions reported as warnings. */
const CAUGHT_BY: Record<Breach, CheckKind | "warning" | "any"> = {
  "forbid-valid-key": "outcome",
  "lose-created-contact": "read-back",
  "conflict-new-email": "outcome",
  "500-on-valid": "outcome",
  "5xx-then-ok": "read-back",
  "dev-mode-422": "outcome",
  "strict-limit": "any",
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
  "bare-error": "warning",
  "intake-needs-key": "outcome",
};
/** What the failure must say, for breaches whose proof is the message, not only the kind. */
const SAYS: Partial<Record<Breach, RegExp>> = {
  "5xx-then-ok": /answered 500 before 200 \(a 5xx always fails\)/,
  "strict-limit": /no real answer: 429 on all \d+ attempts/,
  "code-status-mismatch": /errorCode INVALID_INPUT came with 400; the catalogue gives it 422/,
  "lose-created-contact": /expected 200, got 404 CONTACT_NOT_FOUND \(requestId /,
  "status-501": /expected 201, got 501/,
  "readback-differs": /read back: data\.attributes\.name is "Somebody Else"/,
  schema: /id must be string/,
  "content-type": /answered text\/html, documented application\/json/,
  "page-oversize": /must NOT have more than 10 items \(maxItems\)/,
  "pages-overlap": /page 1 repeats \d+ item\(s\) of page 0/,
  "total-wrong": /with total \d+ and 10 per page it should hold/,
  "bare-error": /error body has no requestId/,
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

  test("a server that keeps the contract passes every check, with no warning", async () => {
    const { plan, run } = await liveRun();
    const failed = run.results.filter((r) => r.verdict !== "pass" || r.warnings.length > 0);
    expect(
      failed.map((r) => `${r.name}: ${r.verdict} ${r.why.join("; ")} ${r.warnings.join("; ")}`),
    ).toEqual([]);
    const kinds = new Set(plan.cases.map((c) => c.check));
    expect([...kinds].sort()).toEqual(
      (
        [
          "outcome",
          "read-back",
          "pagination",
          "developer-mode",
          "no-key",
          "wrong-key",
          "missing-body",
          "invalid-parameter",
          "invalid-body",
        ] as const
      )
        .slice()
        .sort(),
    );
    table.push(`| (none: a correct server) | - | ${run.results.length} cases pass |`);
  });

  test.for(BREACHES.map((breach) => ({ breach })))(
    "breach $breach is caught",
    async ({ breach }, { skip }) => {
      if (breach === "intake-needs-key" && !hasOpenOperation)
        return skip("the slice has no operation with security: [] that the fake implements");
      const { run } = await liveRun({ breach });
      const want = CAUGHT_BY[breach];
      const failures = run.results.filter((r) => r.verdict === "fail");
      const caught =
        want === "warning"
          ? run.results.filter((r) => r.warnings.length > 0)
          : failures.filter((r) => want === "any" || r.check === want);
      expect(
        caught.length,
        `nothing caught ${breach}: ${JSON.stringify(run.results.map((r) => [r.name, r.verdict, r.why]))}`,
      ).toBeGreaterThan(0);
      const said = caught
        .flatMap((r) => (want === "warning" ? r.warnings : r.why))
        .sort((a, b) => Number(a.startsWith("not sent")) - Number(b.startsWith("not sent")));
      const pattern = SAYS[breach];
      if (pattern) expect(said.join("\n")).toMatch(pattern);
      table.push(
        `| ${breach} | ${[...new Set(caught.map((r) => r.check))].join(", ")} (${caught.length} case${caught.length === 1 ? "" : "s"}) | ${(said[0] ?? "").replaceAll("|", "\\|").slice(0, 140)} |`,
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

  test("in production mode the developer-mode check is not run, and says why", async () => {
    const { run } = await liveRun({ developerMode: false });
    const devMode = run.results.filter((r) => r.check === "developer-mode");
    expect(devMode.length).toBeGreaterThan(0);
    for (const r of devMode) expect(r.why.join()).toMatch(/not in developer mode/);
  });

  test("the key travels only to operations that require it, and appears in no report", async () => {
    const { plan, run, seen } = await liveRun();
    const text = toText(run, plan) + toMarkdown(run, plan, "fake");
    expect(text).not.toContain(API_KEY);
    const open = plan.cases.filter((c) => c.auth === "none").map((c) => c.operationId);
    expect(open.length).toBeGreaterThan(0);
    for (const request of seen.filter((s) => s.headers["x-api-key"] === API_KEY))
      expect(request.headers["x-developer-mode"]).toMatch(/^(true|false)$/);
    const keyed = seen.filter((s) => s.headers["x-api-key"] !== undefined).map((s) => s.path);
    expect(keyed.filter((path) => path.includes("/webhook/"))).toEqual([]);
  });

  // The one run at the API's real pace: the client's default limit against a server enforcing
  // exactly the documented one on arrival. Its timeout follows from the work: requests / rate.
  const requests = planned.length;
  const paced = (requests / DEFAULT_RATE_LIMIT.requestsPerSecond) * 1000;
  test(`at the documented limit (${DEFAULT_RATE_LIMIT.requestsPerSecond}/s, burst ${DEFAULT_RATE_LIMIT.burst}): zero 429s, or each retried and then verified`, {
    timeout: 3 * paced + 20_000,
  }, async () => {
    const { plan, run, served429 } = await liveRun({ limit: { ...DEFAULT_RATE_LIMIT } });
    expect(
      run.results.filter((r) => r.verdict !== "pass").map((r) => `${r.name}: ${r.why}`),
    ).toEqual([]);
    // Every 429 the server sent was met by a case, retried, and that case then passed.
    expect(run.tooManyRequests).toBe(served429);
    mkdirSync(REPORTS_DIR, { recursive: true });
    writeFileSync(
      join(REPORTS_DIR, "live-fake.md"),
      toMarkdown(run, plan, "the fake Pingback server"),
    );
    console.log(`live run against the fake server at the documented limit:\n${toText(run, plan)}`);
  });
});
