import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Each case runs the real Redocly CLI (about 0.5 s alone); on a busy two-core CI machine running
    // every package's tests at once that can take several seconds, so the default 5 s is too tight.
    testTimeout: 60_000,
  },
});
