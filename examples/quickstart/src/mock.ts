/**
 * Starts and stops the Prism CLI as a mock of the bundled spec on a free port of 127.0.0.1, the
 * way a user would run it by hand: `prism mock spec/dist/openapi.json`. With `--port 0` the system
 * picks the port and Prism reports it in its "listening on" line.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
/** Prism starts in about 2 s; a loaded CI machine can take many times that. */
const START_TIMEOUT_MS = 60_000;
/** Only the end of Prism's log is kept, to show when it fails to start. */
const LOG_LIMIT = 20_000;

export interface RunningMock {
  url: string;
  close(): Promise<void>;
}

/** The bundled spec, as built by `pnpm build` in spec/. */
export const specPath = require.resolve("@pingback/spec/openapi.json");

export async function startMock(): Promise<RunningMock> {
  const cli = join(dirname(require.resolve("@stoplight/prism-cli/package.json")), "dist/index.js");
  const child = spawn(
    process.execPath,
    [cli, "mock", specPath, "--host", "127.0.0.1", "--port", "0"],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } },
  );
  let log = "";
  const url = await new Promise<string>((resolve, reject) => {
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
      const listening = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      if (listening) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve(listening);
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
