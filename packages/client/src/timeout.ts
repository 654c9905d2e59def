/**
 * One attempt's deadline, combined with the caller's `AbortSignal`.
 *
 * Written by hand rather than with `AbortSignal.any`/`AbortSignal.timeout` so that a timeout and a
 * caller's abort stay apart (they throw different errors), fake timers drive it in tests, and
 * runtimes without `AbortSignal.any` (Node 20.0–20.2, older browsers) work.
 */
import { PingbackTimeoutError } from "./errors.js";

/** A signal that aborts with the caller's reason, or with a `PingbackTimeoutError` after `timeoutMs`. */
export function startDeadline(
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  operation: string,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  const timer = setTimeout(
    () => controller.abort(new PingbackTimeoutError(timeoutMs, { operation })),
    timeoutMs,
  );
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort);
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
