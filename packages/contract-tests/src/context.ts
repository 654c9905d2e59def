// Shared between the global setup (which starts the servers), the tests and the coverage reporter.
import { fileURLToPath } from "node:url";

declare module "vitest" {
  interface ProvidedContext {
    /** Base URL of the Prism mock started by the global setup. */
    mockUrl: string;
  }
}

/** The API key sent to the mock: Prism checks only that one is present. */
export const MOCK_API_KEY = "contract-tests-mock-key";

/** Where reports are written (git-ignored). */
export const REPORTS_DIR = fileURLToPath(new URL("../reports/", import.meta.url));
export const EXCLUSIONS_FILE = fileURLToPath(new URL("../exclusions.json", import.meta.url));
/** The test file whose passing cases exercise documented examples; the gate applies when it ran. */
export const EXAMPLES_TEST_FILE = "test/examples.test.ts";

/** Records on a test's `meta` the coverage keys (`operationId › status › example`) it exercised. */
export function recordCoverage(meta: object, covers: string[]): void {
  Object.assign(meta, { covers });
}

/** The coverage keys a test recorded, if any. */
export function recordedCoverage(meta: object): string[] {
  const covers = (meta as { covers?: unknown }).covers;
  return Array.isArray(covers)
    ? covers.filter((key): key is string => typeof key === "string")
    : [];
}
