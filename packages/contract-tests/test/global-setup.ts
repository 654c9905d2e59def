import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { REPORTS_DIR } from "../src/context.js";
import { readLiveConfig } from "../src/live.js";
import { startPrismMock } from "../src/prism.js";
import { loadSpec } from "../src/spec.js";

/** Starts the Prism mock once per run and stops it at the end; live mode needs no proxy. */
export default async function setup(project: TestProject) {
  const spec = loadSpec();
  const live = readLiveConfig(process.env);
  const mock = await startPrismMock(spec.path);
  project.provide("mockUrl", mock.url);
  console.log(
    `contract tests: Prism mock of ${spec.path} at ${mock.url}; ` +
      (live.enabled
        ? `live mode ON against ${live.baseUrl} (requests go to it directly; see test/live.test.ts)`
        : `live mode off (${live.reason})`),
  );
  return async () => {
    // Kept for reading after a failure: what Prism received, and why it answered as it did.
    mkdirSync(REPORTS_DIR, { recursive: true });
    writeFileSync(join(REPORTS_DIR, "prism-mock.log"), mock.log());
    await mock.close();
  };
}
