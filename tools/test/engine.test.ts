/** The engine reads its inputs from named pipes: when it is gone, the gate fails clearly instead of hanging. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { EngineError, startEngine } from "../src/breaking/engine.js";

test("an engine that ended before it was fed gives a clear EngineError", async () => {
  const dir = await mkdtemp(join(tmpdir(), "spec-engine-"));
  try {
    const engine = await startEngine(dir);
    engine.stop();
    const pair = { base: { openapi: "3.1.0" }, revision: { openapi: "3.1.0" } };
    const error = await engine.compare(pair).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as Error).message).toMatch(/`redocly diff` gave no JSON report/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
