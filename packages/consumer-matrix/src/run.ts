/** Runs a command to its end and keeps its output; never throws, so one failing row fails alone. */
import { spawn } from "node:child_process";

export interface RunResult {
  ok: boolean;
  output: string;
  ms: number;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

const OUTPUT_LIMIT = 20_000;

export function run(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutMs} ms)`;
      child.kill("SIGKILL");
    }, timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      resolve({ ok, output: output.trim(), ms: performance.now() - started });
    };
    child.once("error", (error) => {
      output += `\n${error.message}`;
      finish(false);
    });
    child.once("close", (code) => finish(code === 0));
  });
}

/** Like `run`, but throws with the output when the command fails: for set-up steps. */
export async function mustRun(command: string, args: string[], options: RunOptions) {
  const result = await run(command, args, options);
  if (!result.ok) throw new Error(`${command} ${args.join(" ")} failed:\n${result.output}`);
  return result;
}
