import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The lint-rule cases each start the Redocly CLI (about 1 s of CPU), and the reference-page test
    // drives Chromium: generous bounds keep a busy 2-core CI machine from failing them spuriously.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
