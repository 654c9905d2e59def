/**
 * The workerd row: the client bundled into a Worker (as wrangler would: esbuild, the `workerd` and
 * `worker` export conditions) that shares ONE client across requests, served by the real workerd
 * binary, and hit with concurrent requests. A client whose shared state ties one request to
 * another's timers hangs here ("the Worker's code had hung").
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { type AddressInfo, connect, createServer } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";

const CONCURRENT_REQUESTS = 8;
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;

export async function runWorker(
  workerd: string,
  appDir: string,
  env: { apiKey: string; baseUrl: string },
): Promise<{ ok: boolean; output: string }> {
  const dir = join(appDir, "worker");
  await mkdir(dir, { recursive: true });
  await build({
    entryPoints: [join(appDir, "plain", "worker.mjs")],
    absWorkingDir: appDir,
    outfile: join(dir, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["node:*"],
    logLevel: "silent",
  });
  const port = await freePort();
  await writeFile(join(dir, "config.capnp"), config(port, env));

  const child = spawn(workerd, ["serve", "config.capnp"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitUntilListening(port);
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        return `${response.status} ${await response.text()}`;
      }),
    );
    const ok = answers.every((answer) => answer.startsWith("200 "));
    return { ok, output: `${answers.join("\n")}\n${log}`.trim() };
  } catch (error) {
    return { ok: false, output: `${String(error)}\n${log}`.trim() };
  } finally {
    child.kill("SIGKILL");
  }
}

function config(port: number, env: { apiKey: string; baseUrl: string }): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-09-01",
  compatibilityFlags = ["nodejs_compat"],
  globalOutbound = "loopback",
  bindings = [
    (name = "API_KEY", text = ${JSON.stringify(env.apiKey)}),
    (name = "BASE_URL", text = ${JSON.stringify(env.baseUrl)}),
  ],
);
`;
}

/** A port the system says is free now (workerd binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on the port; throws after START_TIMEOUT_MS. */
async function waitUntilListening(port: number): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`workerd was not listening on port ${port} after ${START_TIMEOUT_MS} ms`);
}
