import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { REPORTS_DIR } from "../src/context.js";
import { readLiveConfig } from "../src/live.js";
import { type RunningPrism, startPrismMock, startPrismProxy } from "../src/prism.js";
import { loadSpec } from "../src/spec.js";

/** Starts the Prism mock once per run (and `prism proxy` in live mode); stops them at the end. */
export default async function setup(project: TestProject) {
  const spec = loadSpec();
  const live = readLiveConfig(process.env);
  const mock = await startPrismMock(spec.path);
  let proxy: RunningPrism | null = null;
  try {
    if (live.enabled) proxy = await startPrismProxy(spec.path, live.baseUrl, [live.apiKey]);
  } catch (error) {
    await mock.close();
    throw error;
  }
  project.provide("mockUrl", mock.url);
  project.provide("liveUrl", proxy?.url ?? null);
  console.log(
    `contract tests: Prism mock of ${spec.path} at ${mock.url}; ` +
      (live.enabled
        ? `live mode ON against ${live.baseUrl} through prism proxy at ${proxy?.url}`
        : `live mode off (${live.reason})`),
  );
  return async () => {
    // Kept for reading after a failure: what Prism received, and why it answered as it did.
    mkdirSync(REPORTS_DIR, { recursive: true });
    writeFileSync(join(REPORTS_DIR, "prism-mock.log"), mock.log());
    if (proxy) writeFileSync(join(REPORTS_DIR, "prism-proxy.log"), proxy.log());
    await Promise.all([mock.close(), proxy?.close()]);
  };
}
