import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The tests share one redis-server per file and real child processes: one file at a time keeps
    // a loaded machine's timings from crowding the processes' pacing.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
