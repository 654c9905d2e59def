import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_RATE_LIMIT } from "@pingback/client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REPORTS_DIR } from "../src/context.js";
import { readLiveConfig } from "../src/live.js";
import { type LivePlan, planLive } from "../src/live-plan.js";
import { summary, toMarkdown, toText } from "../src/live-report.js";
import { type CaseResult, LIVE_RETRIES, type LiveRun, runLive } from "../src/live-run.js";
import { loadSpec } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

const spec = loadSpec();
const live = readLiveConfig(process.env);

// Skipped, with the reason in its name, unless PINGBACK_BASE_URL and PINGBACK_API_KEY are set.
describe.skipIf(!live.enabled)(
  live.enabled
    ? `live mode: conformance of ${live.baseUrl} (developer mode ${live.developerMode ? "on" : "off"})`
    : `live mode skipped: ${live.reason}`,
  () => {
    if (!live.enabled) {
      test("every live case", () => {});
      return;
    }
    const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const plan: LivePlan = planLive(spec.document, {
      runId,
      env: process.env,
      developerMode: live.developerMode,
    });
    let run: LiveRun;
    const results = new Map<string, CaseResult>();
    // The timeout follows from the work: every attempt (retries included) at the API's rate, twice
    // over for the backoffs between them, plus one minute for a slow answer (the client's 30 s).
    const attempts = plan.cases.length * (LIVE_RETRIES + 1);
    const timeout = (attempts / DEFAULT_RATE_LIMIT.requestsPerSecond) * 2000 + 60_000;

    beforeAll(async () => {
      run = await runLive(
        spec.document,
        plan,
        { baseUrl: live.baseUrl, apiKey: live.apiKey, developerMode: live.developerMode },
        createValidator(spec.document),
      );
      for (const result of run.results) results.set(result.name, result);
    }, timeout);

    afterAll(() => {
      if (!run) return;
      mkdirSync(REPORTS_DIR, { recursive: true });
      writeFileSync(join(REPORTS_DIR, "live.md"), toMarkdown(run, plan, live.baseUrl));
      console.log(`\n${toText(run, plan)}\nwritten to ${join(REPORTS_DIR, "live.md")}`);
    });

    test.for(
      plan.cases.map((c) => ({
        name: c.notRun ? `${c.name} [not run: ${c.notRun}]` : c.name,
        key: c.name,
        notRun: c.notRun,
      })),
    )("$name", ({ key, notRun }, { skip }) => {
      if (notRun) return skip(notRun);
      const result = results.get(key);
      if (!result) throw new Error(`${key}: the run has no result (it did not finish)`);
      // A case that could not run because another was not run is not a pass either.
      if (result.verdict === "not run") return skip(result.why.join("; "));
      if (result.verdict === "fail")
        throw new Error(`${key}\n  request: ${result.request}\n  - ${result.why.join("\n  - ")}`);
      expect(result.verdict).toBe("pass");
    });

    test("the run as a whole: every 429 was retried and then answered, and what was not run is named", () => {
      expect(run, "the live run did not finish").toBeDefined();
      const unanswered = run.results.filter((r) => r.status === 429);
      expect(unanswered.map((r) => r.name)).toEqual([]);
      expect(summary(run, plan)).toMatch(/^live: \d+ passed/);
    });
  },
);
