import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    reporters: ["default", "./src/coverage-reporter.ts"],
    // The mock answers in milliseconds; the slow parts (prism proxy start, live calls) set their own.
    testTimeout: 10_000,
  },
});
