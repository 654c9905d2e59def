/** Starts worker processes, waits until each is ready, and lets them all go at once. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { WorkerResult, WorkerTask } from "./worker.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

export interface Worker {
  child: ChildProcess;
  /** Resolves with the first line of stdout that satisfies `test`. */
  line(test: (line: string) => boolean): Promise<string>;
  go(): void;
  /** Resolves with the exit code once the process has ended by itself. */
  ended: Promise<number | null>;
}

export function startWorker(task: WorkerTask): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, JSON.stringify(task)], {
    cwd: PACKAGE_DIR,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiting: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const lines: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    const parts = out.split("\n");
    out = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      for (const w of waiting.filter((w) => w.test(line))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const ended = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before answering:\n${err}`)),
    ),
  );
  return {
    child,
    line: (test) => {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((resolve) => waiting.push({ test, resolve })),
        exited,
      ]);
    },
    go: () => child.stdin?.write("go\n"),
    ended,
  };
}

/**
 * Runs `count` workers doing `task` together; resolves with each one's results. `during` runs
 * while they work (e.g. to kill Redis); with `untilEnded`, resolves once every worker has ended by
 * itself (else they are killed once they have answered).
 */
export async function runTogether(
  count: number,
  task: WorkerTask,
  { during, untilEnded = false }: { during?: () => Promise<void>; untilEnded?: boolean } = {},
): Promise<WorkerResult[]> {
  const workers = Array.from({ length: count }, () => startWorker(task));
  try {
    await Promise.all(workers.map((w) => w.line((l) => l === "ready")));
    for (const w of workers) w.go();
    await during?.();
    const lines = await Promise.all(workers.map((w) => w.line((l) => l.startsWith("{"))));
    if (untilEnded) {
      const codes = await Promise.all(workers.map((w) => w.ended));
      if (codes.some((code) => code !== 0)) throw new Error(`workers exited with ${codes}`);
    }
    return lines.map((l) => JSON.parse(l) as WorkerResult);
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
  }
}
