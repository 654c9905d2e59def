/**
 * `pnpm bench:queue`: what calls queued in the rate limiter cost while they wait.
 *
 * For 10,000, 30,000 and 100,000 queued calls, each subject runs in a child process of its own
 * (so that memory and CPU are its alone), queues them all at the default limit (5/s), then for
 * WINDOW_MS reports the CPU it uses (% of one core), the heap it holds per queued call (after a
 * GC), and the event loop's delay (p99, ms). Subjects, measured in the same run:
 *
 * - `before`: the limiter as it was (bench/baseline/rate-limit.ts), `acquire()` per call;
 * - `after`: this package's limiter, `acquire()` per call;
 * - `client`: `Promise.all` over creates through `createPingbackClient` (a stubbed fetch that
 *   answers at once, retries off, a one-day deadline), as a bulk import would queue them. It is
 *   the built entry (`dist/`, as users get it): run from source, tsx's `keepNames` gives each named
 *   closure made per call a property table of its own (256 B each, about 1 kB per queued call).
 *   The limiters run from source, both alike.
 *
 * Goal: CPU flat in the number of queued calls, memory linear and small per call, p99 < 10 ms.
 */
import { spawnSync } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DEFAULT_RATE_LIMIT } from "../src/options.js";
import { createRateLimiter as createAfter } from "../src/rate-limit.js";
import { createRateLimiter as createBefore } from "./baseline/rate-limit.js";

const SIZES = [10_000, 30_000, 100_000];
const SUBJECTS = ["before", "after", "client"] as const;
type Subject = (typeof SUBJECTS)[number];
const WINDOW_MS = 5_000;
/** A child that takes longer than this (the old limiter at 100,000) is reported as such. */
const CHILD_TIMEOUT_MS = 180_000;

interface Figures {
  enqueueMs: number;
  cpuPercent: number;
  bytesPerCall: number;
  p99Ms: number;
  granted: number;
}

// The built entry, imported by URL so that type-checking reads the source's types instead.
const { createPingbackClient }: typeof import("../src/index.js") = await import(
  new URL("../dist/index.js", import.meta.url).href
);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function queue(subject: Subject, n: number): { granted: () => number } {
  let granted = 0;
  if (subject === "client") {
    const client = createPingbackClient({
      apiKey: "sk_bench_queue",
      fetch: async () => Response.json({ message: "Contact created", data: {} }, { status: 201 }),
      retry: false,
      timeoutMs: 86_400_000,
    });
    for (let i = 0; i < n; i++) {
      void client.POST("/contacts", { body: { email: `c${i}@x.com` } }).then(() => granted++);
    }
  } else {
    const limiter = (subject === "before" ? createBefore : createAfter)(DEFAULT_RATE_LIMIT);
    for (let i = 0; i < n; i++) {
      void limiter.acquire().then((release) => {
        granted++;
        release();
      });
    }
  }
  return { granted: () => granted };
}

async function child(subject: Subject, n: number): Promise<Figures> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const { granted } = queue(subject, n);
  const enqueueMs = performance.now() - start;
  gc();
  const bytesPerCall = n && (process.memoryUsage().heapUsed - heapBefore) / n;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpu = process.cpuUsage();
  const windowStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const used = process.cpuUsage(cpu);
  const elapsed = performance.now() - windowStart;
  delay.disable();
  return {
    enqueueMs,
    cpuPercent: ((used.user + used.system) / 1000 / elapsed) * 100,
    bytesPerCall,
    // No sample at all: the loop did not turn once in the window, one stall as long as it.
    p99Ms: delay.count > 0 ? delay.percentile(99) / 1e6 : elapsed,
    granted: granted(),
  };
}

function parent(): void {
  const self = fileURLToPath(import.meta.url);
  const runs: [Subject, number][] = [
    ["after", 0],
    ...SIZES.flatMap((n) => SUBJECTS.map((subject): [Subject, number] => [subject, n])),
  ];
  console.log(
    `calls queued at the default limit (5/s), measured over ${WINDOW_MS / 1000} s while they wait`,
  );
  console.log(
    "queued    subject  enqueue     CPU (1 core)  heap/call   event-loop p99  granted in window",
  );
  // The first run queues nothing: the floor of this machine's event-loop delay and CPU.
  for (const [subject, n] of runs) {
    const run = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", self, "--child", subject, String(n)],
      { encoding: "utf8", timeout: CHILD_TIMEOUT_MS },
    );
    const label = `${n.toLocaleString("en").padStart(7)}   ${(n ? subject : "none").padEnd(7)}`;
    if (run.status !== 0) {
      const why = run.error ? `did not finish in ${CHILD_TIMEOUT_MS / 1000} s` : run.stderr;
      console.log(`${label}  ${why}`);
      continue;
    }
    const f = JSON.parse(run.stdout) as Figures;
    console.log(
      `${label}  ${`${f.enqueueMs.toFixed(0)} ms`.padStart(8)}  ${`${f.cpuPercent.toFixed(1)} %`.padStart(12)}  ${`${f.bytesPerCall.toFixed(0)} B`.padStart(9)}  ${`${f.p99Ms.toFixed(1)} ms`.padStart(14)}  ${f.granted}`,
    );
  }
}

const at = process.argv.indexOf("--child");
if (at === -1) {
  parent();
} else {
  const figures = await child(process.argv[at + 1] as Subject, Number(process.argv[at + 2]));
  process.stdout.write(JSON.stringify(figures));
  process.exit(0);
}
