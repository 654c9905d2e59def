/**
 * Starts and stops the Prism CLI as a mock of the bundled spec on a free port of 127.0.0.1, the
 * way a user would run it by hand: `prism mock spec/dist/openapi.json`.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const START_TIMEOUT_MS = 20_000;
/** Only the end of Prism's log is kept, to show when it fails to start. */
const LOG_LIMIT = 20_000;

export interface RunningMock {
  url: string;
  close(): Promise<void>;
}

/** The bundled spec, as built by `pnpm build` in spec/. */
export const specPath = require.resolve("@pingback/spec/openapi.json");

export async function startMock(): Promise<RunningMock> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = join(dirname(require.resolve("@stoplight/prism-cli/package.json")), "dist/index.js");
  const child = spawn(
    process.execPath,
    [cli, "mock", specPath, "--host", "127.0.0.1", "--port", String(port)],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
  );
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`The Prism mock did not start: ${why}.\n--- Prism log ---\n${log}`));
    };
    const timer = setTimeout(
      () => fail(`not listening after ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    );
    const onOutput = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-LOG_LIMIT);
      if (log.includes(`listening on ${url}`)) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve();
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput);
    child.once("exit", (code) => fail(`it exited with code ${code}`));
  });
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/** A free port of 127.0.0.1: the Prism CLI cannot listen on port 0 and report it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
