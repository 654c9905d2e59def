/**
 * One attempt's deadline, combined with the caller's `AbortSignal`.
 *
 * Written by hand rather than with `AbortSignal.any`/`AbortSignal.timeout` so that a timeout and a
 * caller's abort stay apart (they throw different errors), fake timers drive it in tests, and
 * runtimes without `AbortSignal.any` (Node 20.0–20.2, older browsers) work.
 */
import { PingbackTimeoutError } from "./errors.js";

export interface Deadline {
  /** Aborts when the caller aborts or the time runs out. */
  signal: AbortSignal;
  /** Rejects with the caller's reason or a `PingbackTimeoutError`, whichever comes first. */
  expired: Promise<never>;
  /** Stops the timer and the listener; call it once the attempt has settled. */
  clear(): void;
}

export function startDeadline(
  timeoutMs: number,
  callerSignal?: AbortSignal | null,
  operation?: string,
): Deadline {
  const controller = new AbortController();
  let reject!: (reason: unknown) => void;
  const expired = new Promise<never>((_, r) => {
    reject = r;
  });
  // Nobody may await `expired` when the attempt settles first; that is not an unhandled rejection.
  expired.catch(() => {});

  const abort = (reason: unknown) => {
    controller.abort(reason);
    reject(reason);
  };
  const onCallerAbort = () => abort(callerSignal?.reason);
  const timer = setTimeout(
    () => abort(new PingbackTimeoutError(timeoutMs, { operation })),
    timeoutMs,
  );
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    expired,
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
