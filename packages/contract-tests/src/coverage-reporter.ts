import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Reporter, TestModule, Vitest } from "vitest/node";
import { documentedExamples } from "./cases.js";
import { EXAMPLES_TEST_FILE, EXCLUSIONS_FILE, REPORTS_DIR, recordedCoverage } from "./context.js";
import { coverageReport, loadExclusions, toMarkdown, toText } from "./coverage.js";
import { loadSpec } from "./spec.js";

/**
 * Prints the coverage table (operation × status × example) at the end of a run, writes it to
 * `reports/coverage.{json,md}`, and fails the run when a documented example was not exercised
 * and is not excluded. A run filtered by test name reports but does not gate.
 */
export default class CoverageReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest) {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const examples = testModules.find((module) => module.moduleId.endsWith(EXAMPLES_TEST_FILE));
    if (!examples) return;
    const exercised = new Set<string>();
    for (const module of testModules) {
      for (const test of module.children.allTests("passed")) {
        for (const key of recordedCoverage(test.meta())) exercised.add(key);
      }
    }
    const report = coverageReport(
      documentedExamples(loadSpec().document),
      exercised,
      loadExclusions(EXCLUSIONS_FILE),
    );
    mkdirSync(REPORTS_DIR, { recursive: true });
    writeFileSync(join(REPORTS_DIR, "coverage.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(REPORTS_DIR, "coverage.md"), toMarkdown(report));
    const log = (text: string) => (this.vitest ? this.vitest.logger.log(text) : console.log(text));
    log(`\n${toText(report)}\nwritten to ${join(REPORTS_DIR, "coverage.{json,md}")}`);
    if (report.problems.length === 0) return;
    if (this.vitest?.config.testNamePattern) {
      log("coverage gate not applied: the run was filtered by test name.");
      return;
    }
    const error = (text: string) =>
      this.vitest ? this.vitest.logger.error(text) : console.error(text);
    error(`\ncoverage gate FAILED:\n  - ${report.problems.join("\n  - ")}`);
    process.exitCode = 1;
  }
}
