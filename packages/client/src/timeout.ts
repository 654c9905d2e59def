/**
 * Each call's deadline, combined with the caller's `AbortSignal`. A call's deadline covers all of
 * it: the wait for the rate limit, every attempt (connection, headers and body), and the waits
 * between attempts. Its signal goes to the limiter, to fetch (which ends a body still being read
 * when it aborts) and to the waits.
 *
 * Written by hand rather than with `AbortSignal.any`/`AbortSignal.timeout` so that a timeout and a
 * caller's abort stay apart (they throw different errors), fake timers drive it in tests, and
 * runtimes without `AbortSignal.any` (Node 20.0–20.2, older browsers) work.
 *
 * Creating an AbortSignal costs Node more than all the rest of the client's work on a call
 * (`pnpm bench`), so calls that start within GROUP_WINDOW_MS of each other share one signal and
 * one timer, which fires `timeoutMs` after the last of them may have started: every call times
 * out after at least `timeoutMs`, and at most GROUP_WINDOW_MS later. The timer is set once per
 * group (not per call: that costs too) and unref'd while the group is idle. A call with a caller's
 * signal needs a signal that follows it, so it is a group of its own.
 */
import { PingbackTimeoutError } from "./errors.js";

/** Calls that start within this many ms of each other share a deadline. */
export const GROUP_WINDOW_MS = 100;
/** setTimeout's longest delay (24.8 days); a longer one would fire at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** At most this many calls share a signal: it bounds the abort listeners fetch adds to one. */
const GROUP_SIZE = 64;

export interface Deadline {
  /** The signal to hand to fetch: it aborts when the deadline passes, or the caller aborts. */
  signal: AbortSignal;
  /** Whether the deadline has passed (as opposed to the caller aborting). */
  timedOut(): boolean;
  /** The call's deadline, in ms from its start. */
  timeoutMs: number;
  /** Milliseconds left before this call's own deadline. */
  left(): number;
  /** The call has its answer: the deadline no longer needs to fire for it. */
  clear(): void;
}

interface Group {
  controller: AbortController;
  timeoutMs: number;
  closesAt: number;
  joined: number;
  active: number;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Node warns ("possible EventTarget memory leak") past 10 listeners on one signal, and a group's
 * calls each add one while queued or in fetch: Node's own `setMaxListeners` lifts the bound for
 * the group's signal. Elsewhere there is no such warning, and no such module.
 */
const events = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.("events") as
  | { setMaxListeners(n: number, ...targets: EventTarget[]): void }
  | undefined;

/** Node keeps a process alive for a pending timer unless it is unref'd; browsers have no such thing. */
const keepAlive = (timer: unknown, on: boolean) => {
  const t = timer as { ref?: () => void; unref?: () => void };
  on ? t.ref?.() : t.unref?.();
};

/** The deadlines of one client's calls. */
export function createDeadlines() {
  let current: Group | undefined;
  return {
    start(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline {
      const now = performance.now();
      let group = current;
      if (
        callerSignal ||
        group?.timeoutMs !== timeoutMs ||
        group.joined >= GROUP_SIZE ||
        now >= group.closesAt
      ) {
        const controller = new AbortController();
        events?.setMaxListeners(0, controller.signal);
        const timer = setTimeout(
          () => controller.abort(new PingbackTimeoutError(timeoutMs)),
          Math.min(timeoutMs + GROUP_WINDOW_MS, MAX_DELAY_MS),
        );
        group = {
          controller,
          timeoutMs,
          closesAt: now + GROUP_WINDOW_MS,
          joined: 0,
          active: 0,
          timer,
        };
        // A call that follows a caller's signal keeps its group to itself. Otherwise the new
        // group replaces the current one, which is over once its last call is.
        if (!callerSignal) {
          if (current?.active === 0) clearTimeout(current.timer);
          current = group;
        }
      }
      const { controller } = group;
      const onCallerAbort = () => controller.abort(callerSignal?.reason);
      if (callerSignal?.aborted) onCallerAbort();
      else callerSignal?.addEventListener("abort", onCallerAbort);
      group.joined++;
      // While no call of the group waits, its timer must not keep a Node process alive.
      if (group.active++ === 0) keepAlive(group.timer, true);
      const joined = group;
      let cleared = false;
      return {
        signal: controller.signal,
        timeoutMs,
        timedOut: () => controller.signal.reason instanceof PingbackTimeoutError,
        left: () => now + timeoutMs - performance.now(),
        clear() {
          if (cleared) return;
          cleared = true;
          callerSignal?.removeEventListener("abort", onCallerAbort);
          if (--joined.active > 0) return;
          if (joined === current) keepAlive(joined.timer, false);
          else clearTimeout(joined.timer);
        },
      };
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
