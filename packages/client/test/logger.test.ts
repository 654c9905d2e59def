/** `logCalls`: which events reach the logger at each level, and the PINGBACK_LOG switch. */
import { afterEach, describe, expect, test, vi } from "vitest";
import type { PingbackEvent } from "../src/index.js";
import { logCalls } from "../src/logger.js";

const operation = "GET /contacts/{email}";
const events: PingbackEvent[] = [
  { callId: 1, operation, type: "call" },
  { callId: 1, operation, type: "request", attempt: 1 },
  { callId: 1, operation, type: "response", attempt: 1, status: 503, durationMs: 12.4 },
  { callId: 1, operation, type: "retry", attempt: 1, reason: "status", status: 503, delayMs: 500 },
  { callId: 1, operation, type: "call-end", status: 200, durationMs: 530.2 },
];

function capture(options?: Parameters<typeof logCalls>[1]) {
  const lines: string[] = [];
  const at = (level: string) => (_fields: object, message: string) =>
    lines.push(`${level} ${message}`);
  const observe = logCalls({ debug: at("debug"), info: at("info"), warn: at("warn") }, options);
  for (const event of events) observe(event);
  return lines;
}

afterEach(() => vi.unstubAllEnvs());

describe("logCalls", () => {
  test("at debug level, every event, each at its level", () => {
    expect(capture({ level: "debug" })).toEqual([
      "debug GET /contacts/{email}: call",
      "debug GET /contacts/{email}: attempt 1 sent",
      "debug GET /contacts/{email}: attempt 1 answered 503 in 12 ms",
      "warn GET /contacts/{email}: retrying after 500 ms (503)",
      "info GET /contacts/{email}: 200 in 530 ms",
    ]);
  });

  test("by default, warnings only", () => {
    expect(capture()).toEqual(["warn GET /contacts/{email}: retrying after 500 ms (503)"]);
  });

  test.each([
    ["debug", 5],
    ["info", 2],
    ["off", 0],
  ])("PINGBACK_LOG=%s turns it to that level with no change to the code", (level, count) => {
    vi.stubEnv("PINGBACK_LOG", level);
    expect(capture()).toHaveLength(count);
  });

  test("the option wins over PINGBACK_LOG; an unknown PINGBACK_LOG is ignored", () => {
    vi.stubEnv("PINGBACK_LOG", "debug");
    expect(capture({ level: "warn" })).toHaveLength(1);
    vi.stubEnv("PINGBACK_LOG", "verbose");
    expect(capture()).toHaveLength(1);
  });

  test("a logger without the methods, or an unknown level, is refused", () => {
    expect(() => logCalls({} as never)).toThrow(
      "logCalls: pass a logger with debug, info and warn methods (pino, console, ...).",
    );
    expect(() => logCalls(console, { level: "trace" as never })).toThrow(
      'logCalls: `level` must be "debug", "info", "warn" or "off", got "trace".',
    );
  });
});
