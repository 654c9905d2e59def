/** The pinned Redocly CLI, run as a child process: its `bundle` and `diff` are our engine. */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const cliPath = join(
  dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")),
  "bin/cli.js",
);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `redocly <args>` in `cwd`, with telemetry and update notices off; never throws on exit codes. */
export async function redocly(
  args: string[],
  cwd: string,
  signal?: AbortSignal,
): Promise<RunResult> {
  const env = {
    ...process.env,
    REDOCLY_TELEMETRY: "off",
    REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
    REDOCLY_SUPPRESS_NOTIFICATIONS: "true",
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliPath, ...args], {
      cwd,
      env,
      maxBuffer: 64 * 1024 * 1024,
      ...(signal ? { signal } : {}),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof code === "number" ? code : 1,
      stdout: stdout ?? "",
      stderr: stderr ?? "",
    };
  }
}

/** Redocly's output without the Node 20 deprecation box, for error messages. */
export function withoutBanner(output: string): string {
  return output
    .split("\n")
    .filter((line) => !/[║╔╚]/.test(line))
    .join("\n")
    .trim();
}
