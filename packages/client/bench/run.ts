/**
 * `pnpm bench`: what the client's machinery costs, and what it weighs.
 *
 * 1. Per-call time of raw fetch, bare openapi-fetch and @pingback/client against the same stubbed
 *    fetch, in interleaved rounds of one run, printed as ratios (goal: client ≤ 1.10× openapi-fetch
 *    with nothing listening). The client runs with auth, retries, timeout and orThrow on, and its
 *    limiter on with limits far above the benchmark's rate, so the figure is the machinery's cost,
 *    not waiting. Then the same client with observers: the logger at debug level (every event
 *    formatted, written to a sink) and OpenTelemetry (the real SDK's tracer provider, recording
 *    every span, exporting none), also with `pathParamHashKey` (the email hashed on every call).
 * 2. Minified + gzipped size of the ESM entry bundled with openapi-fetch (goal: ≤ 6 kB), and of the
 *    CommonJS file, alone and bundled with openapi-fetch's CommonJS build; then where the ESM
 *    entry's bytes go: what each module adds to the gzipped whole.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import type { paths } from "@pingback/types";
import { build } from "esbuild";
import createClient from "openapi-fetch";

// The built entry, as users get it (tsx would add its own helpers to the source). Imported by URL so
// that type-checking, which runs before the build, reads the source's types instead.
const { createPingbackClient, orThrow }: typeof import("../src/index.js") = await import(
  new URL("../dist/index.js", import.meta.url).href
);
const { logCalls }: typeof import("../src/logger.js") = await import(
  new URL("../dist/logger.js", import.meta.url).href
);
const { traceCalls }: typeof import("../src/otel/index.js") = await import(
  new URL("../dist/otel.js", import.meta.url).href
);

const CALLS_PER_ROUND = 1_000;
const ROUNDS = 31;
const BASE_URL = "https://connect.pingback.com/v2";
const API_KEY = "sk_bench";
const body = JSON.stringify({
  message: "Contact found",
  data: { id: "ea8a2a47-2a05-4a43-b284-35df0ea46333", email: "a@b.com", status: "active" },
});
const stub = async (_input: Request | string, _init?: RequestInit) =>
  new Response(body, { headers: { "content-type": "application/json" } });

const bare = createClient<paths>({
  baseUrl: BASE_URL,
  fetch: stub,
  headers: { "x-api-key": API_KEY },
});
const clientOptions = {
  apiKey: API_KEY,
  fetch: stub,
  rateLimit: { requestsPerSecond: 1e9, burst: 1e9, maxInFlight: 1e9 },
  retry: { retries: 2 },
  timeoutMs: 10_000,
};
const client = createPingbackClient(clientOptions);
const sink = (_fields: object, _message: string) => {};
const withLogger = createPingbackClient({
  ...clientOptions,
  observers: [logCalls({ debug: sink, info: sink, warn: sink }, { level: "debug" })],
});
const tracer = new BasicTracerProvider().getTracer("bench");
const withOtel = createPingbackClient({ ...clientOptions, observers: [traceCalls({ tracer })] });
const withHashes = createPingbackClient({
  ...clientOptions,
  observers: [traceCalls({ tracer, pathParamHashKey: "a bench key of 32 bytes, or more" })],
});
const params = { params: { path: { email: "a@b.com" } } };

const contenders = {
  "raw fetch": async () => {
    const response = await stub(
      new Request(`${BASE_URL}/contacts/${encodeURIComponent("a@b.com")}`, {
        headers: { "x-api-key": API_KEY },
      }),
    );
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  },
  "openapi-fetch": () => bare.GET("/contacts/{email}", params),
  "@pingback/client": () => client.GET("/contacts/{email}", params).then(orThrow),
  "+ logger (debug)": () => withLogger.GET("/contacts/{email}", params).then(orThrow),
  "+ OpenTelemetry": () => withOtel.GET("/contacts/{email}", params).then(orThrow),
  "+ OTel, hashed": () => withHashes.GET("/contacts/{email}", params).then(orThrow),
};
type Name = keyof typeof contenders;

async function round(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CALLS_PER_ROUND; i++) await call();
  return ((performance.now() - start) * 1000) / CALLS_PER_ROUND;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function speed(): Promise<void> {
  const names = Object.keys(contenders) as Name[];
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<Name, number[]>;
  const ratios = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<
    Name,
    number[]
  >;
  for (const name of names) await round(contenders[name]); // warm-up
  // Rounds are interleaved and the ratio is taken within each round, so the load of a shared
  // machine, which changes from second to second, hits both sides of each ratio alike.
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) times[name].push(await round(contenders[name]));
    for (const name of names) {
      ratios[name].push((times[name][r] ?? 0) / (times["openapi-fetch"][r] ?? 1));
    }
  }
  const base = median(times["openapi-fetch"]);
  console.log(
    `per-call time, median of ${ROUNDS} rounds × ${CALLS_PER_ROUND} calls (stubbed fetch)`,
  );
  for (const name of names) {
    const us = median(times[name]);
    console.log(
      `  ${name.padEnd(18)} ${us.toFixed(2).padStart(7)} µs   ${(us / base).toFixed(3)}× openapi-fetch`,
    );
  }
  console.log("median of per-round ratios to openapi-fetch");
  for (const name of [
    "@pingback/client",
    "+ logger (debug)",
    "+ OpenTelemetry",
    "+ OTel, hashed",
  ] as const) {
    const goal = name === "@pingback/client" ? " (goal ≤ 1.10×, nothing listening)" : "";
    console.log(`  ${name.padEnd(18)} ${median(ratios[name]).toFixed(3)}×${goal}`);
  }
}

async function gzippedSize(
  contents: string,
  { format = "esm", bundle = true }: { format?: "esm" | "cjs"; bundle?: boolean } = {},
): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: import.meta.dirname, loader: "ts" },
    bundle,
    minify: true,
    format,
    platform: "neutral",
    write: false,
    logLevel: "silent",
  });
  return gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length;
}

async function size(): Promise<void> {
  const client = await gzippedSize(`export * from "../dist/index.js";`);
  // What a user of openapi-fetch's createClient ships (its other helpers are tree-shaken away).
  const openapiFetch = await gzippedSize(`export { default } from "openapi-fetch";`);
  console.log("min+gzip size (esbuild --bundle --minify, gzip -9)");
  console.log(
    `  openapi-fetch alone          ${(openapiFetch / 1000).toFixed(2)} kB (createClient)`,
  );
  console.log(
    `  @pingback/client ESM entry   ${(client / 1000).toFixed(2)} kB = ${client} B (goal ≤ 6 kB)`,
  );
  const cjsFile = await readFile(new URL("../dist/index.cjs", import.meta.url), "utf8");
  const cjsAlone = await gzippedSize(cjsFile, { format: "cjs", bundle: false });
  const cjsBundled = await gzippedSize(`module.exports = require("../dist/index.cjs");`, {
    format: "cjs",
  });
  console.log(`  @pingback/client CJS file    ${(cjsAlone / 1000).toFixed(2)} kB = ${cjsAlone} B`);
  console.log(
    `  CJS file with openapi-fetch  ${(cjsBundled / 1000).toFixed(2)} kB = ${cjsBundled} B`,
  );
}

/**
 * What each module of the ESM entry adds to the gzipped whole: the entry's modules, each minified
 * on its own, are gzipped together with and without it. gzip shares what modules repeat, so the
 * figures are each module's own cost and add up to more than the whole.
 */
async function sizeByModule(): Promise<void> {
  const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(Object.values(metafile.outputs)[0]?.inputs ?? {});
  const parts = await Promise.all(
    inputs.map(async (input) => {
      const { outputFiles } = await build({
        entryPoints: [input],
        minify: true,
        format: "esm",
        write: false,
        logLevel: "silent",
      });
      return { input, text: outputFiles[0]?.text ?? "" };
    }),
  );
  const gzipped = (texts: string[]) => gzipSync(texts.join(""), { level: 9 }).length;
  const whole = gzipped(parts.map((part) => part.text));
  const rows = parts
    .map(({ input }) => ({
      name: input.replace(/^.*node_modules\//, "").replace(/^.*?src\//, "src/"),
      bytes: whole - gzipped(parts.filter((part) => part.input !== input).map((p) => p.text)),
    }))
    .sort((a, b) => b.bytes - a.bytes);
  console.log(
    "what each module adds to the ESM entry (min+gzip, its own bytes; the sum exceeds the whole)",
  );
  for (const { name, bytes } of rows) console.log(`  ${String(bytes).padStart(5)} B  ${name}`);
}

await speed();
await size();
await sizeByModule();
