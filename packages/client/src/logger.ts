/**
 * @pingback/client/logger: the client's events as log lines, for any logger with `debug`, `info`
 * and `warn` (pino, console, ...): `createPingbackClient({ apiKey, observers: [logCalls(pino)] })`.
 *
 * A line holds the event's fields: the operation's path template, statuses, timings, error names.
 * Events never hold a URL, header, body or parameter value, so no API key, email address or webhook
 * path can reach a log. The level comes from `level`, else the `PINGBACK_LOG` environment variable
 * (`debug`, `info`, `warn` or `off`), else `warn`: set `PINGBACK_LOG=debug` while debugging to see
 * every request, with no change to the code.
 */
import type { PingbackEvent, PingbackObserver } from "./events.js";

/** What the logger must have: pino's and console's methods fit. */
export interface PingbackLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export type LogLevel = "debug" | "info" | "warn" | "off";

export interface LogCallsOptions {
  /** The least severe level written (default: `PINGBACK_LOG`, else `warn`). */
  level?: LogLevel | undefined;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, off: 3 };

/** The level of each event: waits and retries are worth a warning, the rest is detail. */
const LEVEL: Record<PingbackEvent["type"], Exclude<LogLevel, "off">> = {
  call: "debug",
  "rate-limit": "debug",
  request: "debug",
  response: "debug",
  "call-end": "info",
  timeout: "warn",
  "network-error": "warn",
  retry: "warn",
  "give-up": "warn",
};

function message(event: PingbackEvent): string {
  const op = event.operation;
  switch (event.type) {
    case "call":
      return `${op}: call`;
    case "rate-limit":
      return `${op}: waited ${Math.round(event.waitedMs)} ms for the ${event.limiter} rate limit`;
    case "request":
      return `${op}: attempt ${event.attempt} sent`;
    case "response":
      return `${op}: attempt ${event.attempt} answered ${event.status} in ${Math.round(event.durationMs)} ms`;
    case "timeout":
      return `${op}: timed out after ${event.timeoutMs} ms (${event.phase})`;
    case "network-error":
      return `${op}: attempt ${event.attempt} got no response (${event.error})`;
    case "retry":
      return `${op}: retrying after ${event.delayMs} ms (${event.status ?? event.reason})`;
    case "give-up":
      return `${op}: giving up after ${event.attempts} attempts (${event.status ?? event.reason})`;
    case "call-end":
      return `${op}: ${event.error ?? event.status}${event.errorCode ? ` ${event.errorCode}` : ""} in ${Math.round(event.durationMs)} ms`;
  }
}

/** `PINGBACK_LOG` where the runtime has environment variables (Node, Bun, Deno with --allow-env). */
function levelFromEnvironment(): LogLevel | undefined {
  try {
    const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env?.PINGBACK_LOG;
    return value !== undefined && value in RANK ? (value as LogLevel) : undefined;
  } catch {
    return undefined;
  }
}

/** An observer that writes each event the level lets through to `logger`; pass it in `observers`. */
export function logCalls(logger: PingbackLogger, options: LogCallsOptions = {}): PingbackObserver {
  if (
    typeof logger?.debug !== "function" ||
    typeof logger.info !== "function" ||
    typeof logger.warn !== "function"
  ) {
    throw new TypeError(
      "logCalls: pass a logger with debug, info and warn methods (pino, console, ...).",
    );
  }
  const level = options.level ?? levelFromEnvironment() ?? "warn";
  if (!(level in RANK)) {
    throw new TypeError(
      `logCalls: \`level\` must be "debug", "info", "warn" or "off", got ${JSON.stringify(level)}.`,
    );
  }
  const least = RANK[level];
  return (event) => {
    const at = LEVEL[event.type];
    if (RANK[at] < least) return;
    logger[at]({ pingback: event }, message(event));
  };
}
