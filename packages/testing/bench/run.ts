/**
 * `pnpm bench` (here) or `pnpm bench:fake` (root): the fake against Prism, in the same run, on the
 * same sequence (create a contact, read it, list a page), with no rate limit. Prints requests per
 * second through `fake.fetch`, `fake.listen()` (in this process, and as the `pingback-fake` command
 * in its own process) and `prism mock` (the HTTP targets through one client), each as a ratio to
 * Prism; and the time from nothing (a process spawned) to the first answer for each. Goals (from issue 18): in process ≥ 50× Prism and a
 * first answer under 50 ms; over HTTP ≥ 5× Prism. Figures, never assertions.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const SPEC = require.resolve("@pingback/spec/openapi.json");
const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const PRISM = fileURLToPath(new URL("../node_modules/.bin/prism", import.meta.url));
const KEY = "pingback-fake-key";
/** Sequences per target (3 requests each), after a warm-up of a tenth as many. */
const SEQUENCES = Number(process.env.BENCH_SEQUENCES ?? 1500);
/** Sequences in flight at once. */
const CONCURRENCY = 4;

/** Sends one request and reads the answer whole; resolves with its status. */
type Send = (method: string, url: string, body?: string) => Promise<number>;
const HEADERS = { "x-api-key": KEY, "content-type": "application/json" };

/** Through a `fetch` (the fake's own): a `Request` in, a `Response` read whole. */
const viaFetch =
  (fetch: (request: Request) => Promise<Response>): Send =>
  async (method, url, body) => {
    const response = await fetch(
      new Request(url, { method, headers: HEADERS, body: body ?? null }),
    );
    await response.arrayBuffer();
    return response.status;
  };

/**
 * Over HTTP, with Node's own client and keep-alive: the same client for the fake's server and for
 * Prism. (Node 20's `fetch` costs about 1 ms of CPU per request on this machine, more than the fake's
 * server; with it, every HTTP figure measured the client.)
 */
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const viaHttp: Send = (method, url, body) =>
  new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: HEADERS, agent }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
    request.end(body);
  });

/** The sequence: create a contact, read it, list a page; each answer read whole and its status checked. */
async function sequence(send: Send, base: string, n: number): Promise<void> {
  const email = `bench-${n}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const steps: [string, string, string | undefined, number][] = [
    ["POST", `${base}/contacts`, JSON.stringify({ email, attributes: { name: "Bench" } }), 201],
    ["GET", `${base}/contacts/${email}`, undefined, 200],
    ["GET", `${base}/contacts?page=0`, undefined, 200],
  ];
  for (const [method, url, body, want] of steps) {
    const status = await send(method, url, body);
    if (status !== want) throw new Error(`${method} ${url}: expected ${want}, got ${status}`);
  }
}

/** Requests per second over `count` sequences, `CONCURRENCY` at a time. */
async function throughput(send: Send, base: string, count: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let n = next++; n < count; n = next++) await sequence(send, base, n);
    }),
  );
  return (count * 3) / ((performance.now() - started) / 1000);
}

async function measure(send: Send, base: string): Promise<number> {
  await throughput(send, base, Math.ceil(SEQUENCES / 10));
  return throughput(send, base, SEQUENCES);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a server command; resolves when its first answer to a real request arrives, with the ms since spawn. */
async function spawnServer(
  command: string,
  args: string[],
  base: string,
): Promise<{ child: ChildProcess; firstAnswerMs: number }> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited: ${stderr}`);
    const answered = await fetch(`${base}/contacts?page=0`, { headers: { "x-api-key": KEY } })
      .then((r) => r.arrayBuffer().then(() => r.status))
      .catch(() => 0);
    if (answered === 200) return { child, firstAnswerMs: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * A fresh Node process that imports the package, creates a fake and gets its first answer. Node
 * loads its fetch classes (undici) on their first use, which a test pays once whatever it fakes
 * with (the client builds a `Request` for its first call): that cost is measured apart.
 */
function firstAnswerInChild(
  form: "fetch" | "listen",
): Promise<{ spawnMs: number; fetchClassesMs: number; importMs: number }> {
  const script = `
    const t0 = performance.now();
    await new Response(new Request("http://127.0.0.1/").body).arrayBuffer();
    const t1 = performance.now();
    const { createFakePingback } = await import(${JSON.stringify(DIST)});
    const fake = createFakePingback({ rateLimit: false });
    const request = (base) => new Request(base + "/contacts?page=0", { headers: { "x-api-key": "${KEY}" } });
    let response;
    if (${JSON.stringify(form)} === "fetch") response = await fake.fetch(request(fake.url));
    else { const server = await fake.listen(); response = await fetch(request(server.url)); }
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error("status " + response.status);
    process.stdout.write(JSON.stringify({ fetchClassesMs: t1 - t0, importMs: performance.now() - t1 }));
    await fake.close();`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.endsWith("}")) resolve({ spawnMs: performance.now() - started, ...JSON.parse(out) });
    });
    child.on("exit", (code) => code !== 0 && reject(new Error(`child exited ${code}`)));
  });
}

/** `12.3 ms from import (+ 80 ms Node's first use of fetch); 250 ms from spawn` */
const firstText = (first: { spawnMs: number; fetchClassesMs: number; importMs: number }) =>
  `${first.importMs.toFixed(1)} ms from import (+ ${first.fetchClassesMs.toFixed(0)} ms Node's first use of fetch); ${first.spawnMs.toFixed(0)} ms from spawn`;

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill();
  });

const { createFakePingback } = (await import(DIST)) as typeof import("../src/index.js");
const rows: { name: string; rps: number; first: string }[] = [];
console.log(
  `${SEQUENCES} sequences per target (create, read, list a page: ${SEQUENCES * 3} requests), ${CONCURRENCY} at a time, after a warm-up; no rate limit; Node ${process.versions.node}`,
);

const inProcess = createFakePingback({ rateLimit: false });
const fetchFirst = await firstAnswerInChild("fetch");
rows.push({
  name: "fake.fetch (in process)",
  rps: await measure(viaFetch(inProcess.fetch), inProcess.url),
  first: firstText(fetchFirst),
});

const listening = createFakePingback({ rateLimit: false });
const server = await listening.listen();
const listenFirst = await firstAnswerInChild("listen");
rows.push({
  name: "fake.listen() (this process: client and server share it)",
  rps: await measure(viaHttp, server.url),
  first: firstText(listenFirst),
});
await listening.close();

const fakePort = await freePort();
const fakeBase = `http://127.0.0.1:${fakePort}/v2`;
const command = await spawnServer(
  process.execPath,
  [CLI, "--port", String(fakePort), "--no-rate-limit"],
  fakeBase,
);
rows.push({
  name: "pingback-fake (fake.listen() in its own process)",
  rps: await measure(viaHttp, fakeBase),
  first: `${command.firstAnswerMs.toFixed(0)} ms from spawn`,
});
await stop(command.child);

const prismPort = await freePort();
const prismBase = `http://127.0.0.1:${prismPort}`;
const prism = await spawnServer(
  PRISM,
  ["mock", SPEC, "--port", String(prismPort), "--host", "127.0.0.1"],
  prismBase,
);
rows.push({
  name: "prism mock (its own process)",
  rps: await measure(viaHttp, prismBase),
  first: `${prism.firstAnswerMs.toFixed(0)} ms from spawn`,
});
await stop(prism.child);
agent.destroy();

const prismRps = rows.at(-1)?.rps ?? 1;
const width = Math.max(...rows.map((r) => r.name.length));
console.log(
  `\n${"target".padEnd(width)}  ${"req/s".padStart(8)}  ${"× Prism".padStart(8)}  first answer`,
);
for (const row of rows)
  console.log(
    `${row.name.padEnd(width)}  ${row.rps.toFixed(0).padStart(8)}  ${(row.rps / prismRps).toFixed(1).padStart(7)}×  ${row.first}`,
  );
console.log(
  "\ngoals: in process ≥ 50× Prism, first answer < 50 ms (from import); over HTTP ≥ 5× Prism",
);
