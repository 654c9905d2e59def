import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { REPORTS_DIR } from "../src/context.js";
import { fakeServes, startFakeTarget, type TestingModule } from "../src/fake-target.js";
import { planLive } from "../src/live-plan.js";
import { toMarkdown, toText } from "../src/live-report.js";
import { runLive } from "../src/live-run.js";
import { selfTestSlice } from "../src/live-slice.js";
import { loadSpec, operations } from "../src/spec.js";
import { createValidator } from "../src/validator.js";

/**
 * The fidelity gate of `@pingback/testing`: the live conformance suite, whole (every operation the
 * fake implements, with no bound, unlike the self-test's slice), run against the package AS
 * PUBLISHED — packed by pnpm as `pnpm publish` would, unpacked outside the workspace, imported from
 * its own `dist` — through `fake.listen()` and through `fake.fetch`. Every case must pass, none
 * skipped for want of an id (the fake is seeded with what the suite needs).
 * That the fake implements every operation of the spec is the package's own test (an operation it
 * lacks is answered 501 "not implemented by the fake"); a spec grown by `pnpm bench:scale` adds
 * synthetic copies it does not implement, and this gate then still covers the published ones.
 */
const spec = { document: selfTestSlice(loadSpec().document, fakeServes, Number.POSITIVE_INFINITY) };
const validator = createValidator(spec.document);
const API_KEY = "fidelity-gate-secret-3b1d";
// The fake's limit and the client's pace, 80× the API's (as the self-test's breach runs), so the
// whole suite takes seconds; the limit is still counted on arrival with the documented burst and cap.
const LIMIT = { requestsPerSecond: 400, burst: 2, maxInFlight: 2 };
const CLIENT = {
  rateLimit: { ...LIMIT, requestsPerSecond: 300 },
  retry: { retries: 2, baseDelayMs: 6, maxDelayMs: 100 },
};
const PACKAGE_DIR = fileURLToPath(new URL("../../testing/", import.meta.url));

let testing: TestingModule;
let installed: string;
const scratch = mkdtempSync(join(tmpdir(), "pingback-testing-fidelity-"));

beforeAll(() => {
  execFileSync("pnpm", ["pack", "--pack-destination", scratch], {
    cwd: PACKAGE_DIR,
    stdio: "pipe",
  });
  const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"));
  if (!tarball) throw new Error(`pnpm pack left no tarball in ${scratch}`);
  installed = join(scratch, "node_modules", "@pingback", "testing");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["-xzf", join(scratch, tarball), "-C", installed, "--strip-components=1"]);
}, 60_000);

beforeAll(async () => {
  testing = (await import(
    pathToFileURL(join(installed, "dist", "index.js")).href
  )) as TestingModule;
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(["listen", "fetch"] as const)(
  "the packed @pingback/testing through fake.%s()",
  (form) => {
    test("passes every case of the live conformance suite, none skipped", async () => {
      const target = await startFakeTarget(testing, {
        form,
        apiKey: API_KEY,
        document: spec.document,
        limit: LIMIT,
      });
      try {
        const plan = planLive(spec.document, {
          runId: `fidelity${form}${Date.now().toString(36)}`,
          env: target.env,
          developerMode: true,
        });
        const run = await runLive(
          spec.document,
          plan,
          {
            baseUrl: target.url,
            apiKey: API_KEY,
            developerMode: true,
            ...CLIENT,
            ...(target.fetch && { fetch: target.fetch }),
          },
          validator,
        );
        mkdirSync(REPORTS_DIR, { recursive: true });
        writeFileSync(
          join(REPORTS_DIR, `fake-fidelity-${form}.md`),
          toMarkdown(run, plan, `@pingback/testing (packed) through fake.${form}`),
        );
        console.log(
          `fidelity of the packed @pingback/testing through fake.${form}:\n${toText(run, plan)}`,
        );
        expect(
          run.results
            .filter((r) => r.verdict !== "pass")
            .map((r) => `${r.name}: ${r.verdict} ${r.why.join("; ")}`),
        ).toEqual([]);
        // Every operation of the spec was exercised, and the key never reached the fake's records.
        const exercised = new Set(run.results.map((r) => r.operationId));
        const missed = operations(spec.document).filter((op) => !exercised.has(op.operationId));
        expect(missed.map((op) => op.operationId)).toEqual([]);
        expect(JSON.stringify(target.fake.requests)).not.toContain(API_KEY);
      } finally {
        await target.close();
      }
    }, 60_000);
  },
);
