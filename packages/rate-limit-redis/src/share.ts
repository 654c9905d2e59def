/**
 * The fallback while Redis fails: this process keeps to its share of the account, as Redis last
 * counted the live processes. With N processes, process k of N may start one request in each of
 * its own time slots, slots k, k + N, k + 2N, ... of one interval each on Redis's clock (as this
 * process last measured it): together the processes send at the account's rate, one after the
 * other, never two in one interval (no burst), and each has at most `maxInFlight / N` requests in
 * flight (at least one).
 */
import type { Release } from "./store.js";

export interface Share {
  /** This process's place among the live processes, and their number. */
  rank: number;
  count: number;
}

export interface ShareLimiterOptions {
  /** ms between two requests of the account. */
  intervalMs: number;
  maxInFlight: number;
  /** Redis's clock, as estimated here (ms). */
  redisNow(): number;
  /** Requests of this process in flight under slots Redis granted (they count too). */
  grantedInFlight(): number;
}

interface Waiter {
  resolve(release: Release): void;
  reject(reason: unknown): void;
  signal: AbortSignal | null | undefined;
  onAbort(): void;
}

export interface ShareLimiter {
  /** Starts limiting to `share`, no earlier than `notBefore` on Redis's clock. */
  start(share: Share, notBefore: number): void;
  acquire(signal?: AbortSignal | null): Promise<Release>;
  throttled(retryAfterMs?: number): void;
  /** A slot Redis granted was given back: room in flight may have opened. */
  wake(): void;
  /** Stops, and hands back the callers still waiting (to be served by Redis again). */
  stop(): Waiter[];
}

export function createShareLimiter(options: ShareLimiterOptions): ShareLimiter {
  const { intervalMs, redisNow, grantedInFlight } = options;
  let share: Share = { rank: 0, count: 1 };
  let notBefore = 0;
  let lastSlot = Number.NEGATIVE_INFINITY;
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const queue: Waiter[] = [];

  const cap = () => Math.max(1, Math.floor(options.maxInFlight / share.count));
  const frame = () => share.count * intervalMs;
  /** The start of this process's latest slot at or before `t`. */
  const slotAt = (t: number) => {
    const offset = share.rank * intervalMs;
    return Math.floor((t - offset) / frame()) * frame() + offset;
  };

  function pump(): void {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 || inFlight + grantedInFlight() >= cap()) return; // a release pumps
    const now = redisNow();
    const current = slotAt(now);
    // A slot is used once, and only in the first quarter of its interval: a timer that a loaded
    // machine fires late must not send close to the next process's slot (it waits for its next).
    if (current > lastSlot && current >= notBefore && now < current + intervalMs / 4) {
      lastSlot = current;
      const waiter = queue.shift() as Waiter;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      inFlight++;
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        inFlight--;
        pump();
      });
      pump();
      return;
    }
    let next = current + frame();
    if (next < notBefore) next = slotAt(notBefore) + (slotAt(notBefore) < notBefore ? frame() : 0);
    timer = setTimeout(pump, Math.max(1, Math.ceil(next - now)));
  }

  return {
    start(next, at) {
      share = next.count >= 1 && next.rank < next.count ? next : { rank: 0, count: 1 };
      notBefore = at;
      pump();
    },
    acquire(signal) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const waiter: Waiter = {
          resolve,
          reject,
          signal,
          onAbort: () => {
            queue.splice(queue.indexOf(waiter), 1);
            reject(signal?.reason);
          },
        };
        signal?.addEventListener("abort", waiter.onAbort, { once: true });
        queue.push(waiter);
        pump();
      });
    },
    throttled(retryAfterMs) {
      notBefore = Math.max(notBefore, redisNow() + Math.max(retryAfterMs ?? 0, intervalMs));
      pump();
    },
    wake: pump,
    stop() {
      clearTimeout(timer);
      timer = undefined;
      return queue.splice(0).map((waiter) => {
        waiter.signal?.removeEventListener("abort", waiter.onAbort);
        return waiter;
      });
    },
  };
}
