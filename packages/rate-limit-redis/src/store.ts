/** `createRedisRateLimitStore`: the account's rate limit kept in Redis, shared by every process. */
import {
  type RedisConnection,
  type RunScript,
  type Subscription,
  scriptRunner,
  subscribe,
} from "./connection.js";
import { SCRIPT } from "./script.js";
import { createShareLimiter, type ShareLimiter } from "./share.js";

/** Gives back a slot. Calling it twice has no further effect. */
export type Release = () => void;

/**
 * The shape of `@pingback/client`'s `RateLimitStore`, declared here so that this package needs no
 * particular version of the client (a type test checks that the two agree).
 */
export interface RateLimitStore {
  acquire(signal?: AbortSignal | null): Promise<Release>;
  throttled(retryAfterMs?: number): void;
}

/** The store, and how to end with it. */
export interface RedisRateLimitStore extends RateLimitStore {
  /**
   * Ends cleanly: refuses new calls, waits until the releases already sent are confirmed, gives
   * Redis back whatever this process still holds, and closes the store's own connection. Call it
   * once your calls have settled, before you close the Redis connection; it never rejects.
   */
  close(): Promise<void>;
}

export interface RedisRateLimitStoreOptions {
  /** A connected node-redis or ioredis client; the store runs one Lua script on it. */
  redis: RedisConnection;
  /** The account's API key: its SHA-256 names the account's keys in Redis; the key is not stored. */
  apiKey: string;
  /** Requests per second the API allows the account (default 5). */
  requestsPerSecond?: number | undefined;
  /** The API's burst (default 2). */
  burst?: number | undefined;
  /** Tokens of the burst never spent, left as slack for transit jitter (default 1). */
  reserve?: number | undefined;
  /** Requests of the account in flight at once, across every process (default 2). */
  maxInFlight?: number | undefined;
  /**
   * How long the slots of a process that stopped answering stay taken (default 5000 ms). A live
   * process renews them while its requests are open; more than twice `commandTimeoutMs`.
   */
  leaseMs?: number | undefined;
  /** How long one Redis call may take before the store gives up on it (default 1000 ms). */
  commandTimeoutMs?: number | undefined;
  /**
   * While Redis fails: `false` (default) refuses every call with `RedisRateLimitStoreError`;
   * `true` keeps this process to its share of the account (the rate, burst and in-flight cap
   * divided among the processes Redis last counted) until Redis answers again.
   */
  fallback?: boolean | undefined;
  /** Told when the store switches to the fallback and back (default: `console.warn`). */
  onFallback?: ((event: { active: boolean; error?: Error }) => void) | undefined;
  /** Prefix of the store's Redis keys (default `pingback:rate-limit`). */
  keyPrefix?: string | undefined;
}

/** Redis did not answer, or answered with an error: the account's limit cannot be checked. */
export class RedisRateLimitStoreError extends Error {
  override name = "RedisRateLimitStoreError";
}

const STORE = "@pingback/rate-limit-redis";
const RECOVERY_MS = 10_000;
/** Without its own connection's messages, a waiter asks Redis this often (at least). */
const POLL_MS = 50;

function refuse(option: string, why: string): never {
  throw new TypeError(`createRedisRateLimitStore: \`${option}\` ${why}`);
}

function amount(option: string, value: number, min: number, whole = false): number {
  if (!Number.isFinite(value) || value < min || (whole && value % 1 !== 0)) {
    refuse(option, `must be a ${whole ? "whole" : "finite"} number ≥ ${min}, got ${value}.`);
  }
  return value;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `promise`, or a `RedisRateLimitStoreError` after `ms`; a failure becomes one too. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    const error = new RedisRateLimitStoreError(
      `${STORE}: Redis did not answer ${what} within ${ms} ms`,
    );
    // Timers run before I/O in an event loop turn: after a stall of the process, the answer may
    // be waiting unread. One more turn lets it in before the timeout is declared.
    timer = setTimeout(() => {
      timer = setTimeout(() => reject(error), 0);
    }, ms);
  });
  try {
    return await Promise.race([promise, late]);
  } catch (error) {
    if (error instanceof RedisRateLimitStoreError) throw error;
    throw new RedisRateLimitStoreError(
      `${STORE}: Redis failed ${what}: ${(error as Error)?.message}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** A caller whose ticket is in Redis's line (or on its way there). */
interface Waiter {
  resolve(release: Release): void;
  reject(reason: unknown): void;
  signal: AbortSignal | null | undefined;
  onAbort(): void;
}

type Reply = (number | string)[];

export function createRedisRateLimitStore(
  options: RedisRateLimitStoreOptions,
): RedisRateLimitStore {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createRedisRateLimitStore: pass an options object: { redis, apiKey }.");
  }
  const redis = options.redis;
  const run: RunScript = scriptRunner(redis, SCRIPT);
  if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
    refuse(
      "apiKey",
      "is missing or empty: pass the account's Pingback API key (only its hash is used).",
    );
  }
  const requestsPerSecond = amount(
    "requestsPerSecond",
    options.requestsPerSecond ?? 5,
    Number.MIN_VALUE,
  );
  const burst = amount("burst", options.burst ?? 2, 1);
  const reserve = amount("reserve", options.reserve ?? 1, 0);
  if (burst - reserve < 1)
    refuse(
      "reserve",
      `must leave a whole token of \`burst\` (at most ${burst - 1}), got ${reserve}.`,
    );
  const maxInFlight = amount("maxInFlight", options.maxInFlight ?? 2, 1, true);
  const commandTimeoutMs = amount("commandTimeoutMs", options.commandTimeoutMs ?? 1_000, 1);
  const leaseMs = amount("leaseMs", options.leaseMs ?? 5_000, 1);
  if (leaseMs <= 2 * commandTimeoutMs) {
    refuse(
      "leaseMs",
      `must be more than twice \`commandTimeoutMs\` (${commandTimeoutMs} ms), got ${leaseMs}: a process renews its slots every leaseMs / 2, and a renewal may take commandTimeoutMs.`,
    );
  }
  if (options.fallback !== undefined && typeof options.fallback !== "boolean") {
    refuse(
      "fallback",
      "must be true (this process keeps to its share of the account while Redis fails) or false.",
    );
  }
  const onFallback =
    options.onFallback ??
    (({ active, error }) =>
      console.warn(
        active
          ? `${STORE}: ${error?.message}; keeping this process to its share of the account (the fallback) until Redis answers again.`
          : `${STORE}: Redis answers again; the account's shared limit is back.`,
      ));
  const prefix = options.keyPrefix ?? "pingback:rate-limit";
  // One hash tag, so that every key lives on one node of a Redis Cluster.
  const account = sha256(options.apiKey).then((hash) => `${prefix}:{${hash.slice(0, 32)}}`);
  const keys = account.then((a) => [`${a}:state`, `${a}:leases`, `${a}:line`, `${a}:procs`]);
  const intervalMs = 1000 / requestsPerSecond;
  const proc = crypto.randomUUID().replaceAll("-", "");

  const waiting = new Map<string, Waiter>(); // tickets asked of Redis, not granted yet
  const open = new Set<string>(); // tickets granted, not given back yet
  const pending = new Set<Promise<unknown>>(); // releases on their way to Redis
  let tickets = 0;
  // When Redis last renewed this process's leases (any call, or a grant from the line, does).
  let renewedAt = Number.NEGATIVE_INFINITY;
  let askedAt = Number.NEGATIVE_INFINITY; // when this process last called Redis
  // Whether Redis may hold anything of this process (a failed call leaves it unknown: yes).
  let registered = false;
  let down: RedisRateLimitStoreError | undefined;
  let sharing = false; // the fallback is in use
  let closed = false;
  let subscription: Subscription | undefined;
  let subscribed = false;
  let startup: Promise<void> = Promise.resolve();
  let beat: ReturnType<typeof setTimeout> | undefined;
  let beating = false;
  // The head of the line, and when the soonest holder of a lease expires unless it answers: the
  // process whose ticket is the head asks Redis then (if that holder died, its slot is free).
  let head = "-";
  let expiresAt: number | undefined;
  // What the last answer told of Redis: its clock (offset from ours), the rate's next time, and
  // this process's share of the account, for the fallback.
  let clock: { offset: number; tat: number; rank: number; count: number } | undefined;
  // Redis's clock is at least `redisNow` when an answer or a message carrying it arrives: the
  // largest such offset of the last minute is the one least delayed in transit (a loaded process
  // reads a message late; a guess from the round trip's middle is off by half of it).
  let bestOffset = { value: Number.NEGATIVE_INFINITY, at: Number.NEGATIVE_INFINITY };
  function sampleClock(redisTime: number): void {
    const at = performance.now();
    const value = redisTime - at;
    if (value >= bestOffset.value || at - bestOffset.at > 60_000) bestOffset = { value, at };
    if (clock) clock.offset = bestOffset.value;
  }
  // Redis's time of what set clock.rank and clock.count: a reply and a message travel on two
  // connections, so the older of the two may arrive last, and must not undo the newer.
  let liveAt = Number.NEGATIVE_INFINITY;
  function learnShare(time: number, rank: number, count: number): void {
    if (!clock || time < liveAt) return;
    liveAt = time;
    clock.rank = rank;
    clock.count = count;
  }
  const redisNow = () => performance.now() + (clock?.offset ?? 0);
  const share: ShareLimiter | undefined = options.fallback
    ? createShareLimiter({ intervalMs, maxInFlight, redisNow, grantedInFlight: () => open.size })
    : undefined;

  async function call(
    what: string,
    op: string,
    ticket = "",
    more: { retryAfterMs?: number; live?: string[] } = {},
  ): Promise<Reply> {
    const idle = open.size + waiting.size === 0;
    const args = [
      op,
      intervalMs,
      burst - reserve,
      maxInFlight,
      leaseMs,
      RECOVERY_MS,
      `${await account}:grants`,
      proc,
      ticket,
      more.retryAfterMs ?? 0,
      waiting.size - (waiting.has(ticket) ? 1 : 0), // its other tickets in the line
      ...(more.live ?? []),
    ].map(String);
    const sentAt = performance.now();
    askedAt = sentAt;
    const reply = (await bounded(run(await keys, args), commandTimeoutMs, what).catch((e) => {
      registered = true;
      throw e;
    })) as Reply;
    const [, , now, tat, rank, count, expires] = reply.map(Number);
    if (now !== undefined && tat !== undefined && rank !== undefined && count !== undefined) {
      clock = {
        offset: clock?.offset ?? 0,
        tat,
        rank: clock?.rank ?? rank,
        count: clock?.count ?? count,
      };
      learnShare(now, rank, count);
      sampleClock(now);
    }
    if (op !== "throttled") {
      renewedAt = sentAt;
      registered = op !== "leave" && !idle;
    }
    watch(String(reply[7] ?? "-"), expires ?? -1);
    return reply;
  }

  /** Redis failed: every waiting caller is refused at once (or moved to the fallback). */
  function fail(error: unknown): void {
    if (closed) return;
    const cause =
      error instanceof RedisRateLimitStoreError
        ? error
        : new RedisRateLimitStoreError(`${STORE}: ${String(error)}`, { cause: error });
    const first = down === undefined;
    down = cause;
    clearTimeout(beat);
    beat = undefined;
    if (first && share && clock) {
      // Slots Redis granted are sent by the rate's next time at the latest: start after them.
      share.start(clock, Math.max(redisNow(), clock.tat) + maxInFlight * intervalMs);
      sharing = true;
      onFallback({ active: true, error: cause });
    }
    const waiters = [...waiting.values()];
    waiting.clear();
    for (const waiter of waiters) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      whileDown(waiter.signal).then(waiter.resolve, waiter.reject);
    }
    if (first) probeLater();
  }

  function refusal(cause: RedisRateLimitStoreError): RedisRateLimitStoreError {
    return new RedisRateLimitStoreError(
      `${cause.message}. The account's rate limit cannot be checked, so the request was not sent: check the Redis connection, or set \`fallback: true\` to keep each process to its share meanwhile.`,
      { cause: cause.cause },
    );
  }

  function whileDown(signal?: AbortSignal | null): Promise<Release> {
    const cause = down as RedisRateLimitStoreError;
    if (share && sharing) return share.acquire(signal);
    if (share) {
      return Promise.reject(
        new RedisRateLimitStoreError(
          `${cause.message}. This process has not reached Redis yet, so it has no share of the account to keep to: the request was not sent. Check the Redis connection.`,
          { cause: cause.cause },
        ),
      );
    }
    return Promise.reject(refusal(cause));
  }

  /** Asks Redis again on the store's own schedule; the timer does not keep the process alive. */
  function probeLater(): void {
    const timer = setTimeout(async () => {
      if (closed) return;
      try {
        const reply = await call("a probe", "heartbeat", "", { live: [...open] });
        recover();
        heard(reply);
      } catch {
        probeLater();
      }
    }, commandTimeoutMs);
    timer.unref?.();
  }

  function recover(): void {
    down = undefined;
    liveAt = Number.NEGATIVE_INFINITY; // the Redis that answers may be another one, another clock
    if (!share || !sharing) return;
    sharing = false;
    onFallback({ active: false });
    for (const waiter of share.stop()) fromRedis(waiter.signal).then(waiter.resolve, waiter.reject);
  }

  /**
   * The account's channel: "<ticket> <delayMs> <head> <expiresMs>" for each grant from the line,
   * followed by " <procs> <now>" only when the live processes changed since the last message that
   * carried them (see script.ts). A message without them leaves the share as it is (what this
   * process last heard, or its last reply, is still true) and gives no clock sample (the replies
   * give theirs). Listeners of the version before this
   * format (a rolling deploy) read it the same way: their parse leaves procs and now undefined,
   * which keeps their share and skips that clock sample (a marker such as "=" in procs' place
   * would have been split into one process id by them: a wrong rank and a count of 2).
   */
  function listen(): void {
    if (subscribed || closed) return;
    subscribed = true;
    // The first calls wait (up to commandTimeoutMs) until the channel is heard, so that they need
    // not ask Redis on a timer meanwhile.
    startup = account.then(async (a) => {
      if (closed) return;
      subscription = subscribe(redis, `${a}:grants`, {
        message(text) {
          const [ticket = "", delay = "0", newHead = "-", expires = "-1", procs, time] =
            text.split(" ");
          watch(newHead, Number(expires));
          if (time !== undefined && procs !== undefined) {
            sampleClock(Number(time));
            // Who is live, when that changed: the share stays current for a process that waits.
            const ids = procs === "" ? [] : procs.split(",");
            const count = ids.length + (ids.includes(proc) ? 0 : 1);
            learnShare(Number(time), ids.filter((id) => id < proc).length, count);
          }
          if (ticket.startsWith(`${proc}:`)) {
            renewedAt = performance.now();
            granted(ticket, Number(delay));
          }
          keepAlive();
        },
        // Lost: Redis may be gone (a heartbeat finds out within commandTimeoutMs) and grants
        // published meanwhile are lost (the heartbeat's answer lists them).
        down: () => heartbeat(),
        up: () => heartbeat(),
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        subscription?.subscribed,
        new Promise((resolve) => {
          timer = setTimeout(resolve, commandTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    });
  }

  /** Asks Redis which of this process's tickets were granted, and renews its slots. */
  function heartbeat(): void {
    if (beating || down || closed || open.size + waiting.size === 0) return;
    beating = true;
    clearTimeout(beat);
    beat = undefined;
    call("a heartbeat", "heartbeat", "", { live: [...open, ...waiting.keys()] })
      .then(heard, fail)
      .finally(() => {
        beating = false;
        keepAlive();
      });
  }

  function heard(reply: Reply): void {
    for (let i = 8; i + 1 < reply.length; i += 2) {
      const ticket = String(reply[i]);
      if (waiting.has(ticket)) granted(ticket, Number(reply[i + 1]));
    }
  }

  function watch(newHead: string, expires: number): void {
    head = newHead;
    expiresAt = expires >= 0 ? performance.now() + expires : undefined;
  }

  /**
   * In how long this process must ask Redis: to renew the leases it holds (every leaseMs / 2;
   * any call does), when its ticket heads the line and a holder's lease runs out, or, without
   * the channel's messages, every interval while it waits. Infinity: nothing to ask.
   */
  function nextBeat(): number {
    const now = performance.now();
    let due = Number.POSITIVE_INFINITY;
    if (open.size > 0) due = renewedAt + leaseMs / 2 - now;
    if (waiting.has(head) && expiresAt !== undefined) due = Math.min(due, expiresAt + 1 - now);
    if (waiting.size > 0 && !subscription?.ready) {
      due = Math.min(due, askedAt + Math.max(intervalMs, POLL_MS) - now);
    }
    return due;
  }

  function keepAlive(): void {
    clearTimeout(beat);
    beat = undefined;
    if (beating || down || closed) return;
    const due = nextBeat();
    if (due === Number.POSITIVE_INFINITY) return;
    beat = setTimeout(
      () => {
        beat = undefined;
        if (nextBeat() <= 1) heartbeat();
        else keepAlive();
      },
      Math.max(1, Math.ceil(due)),
    );
  }

  /** Gives a ticket back to Redis (a release, or a ticket nobody waits for any more). */
  function giveBack(ticket: string): void {
    share?.wake();
    // While Redis fails the probe's heartbeat tells it what is still held once it answers.
    if (down) return;
    const release = call("a release", "release", ticket)
      .then(() => keepAlive(), fail)
      .finally(() => pending.delete(release));
    pending.add(release);
  }

  /** Redis granted `ticket`, to be sent in `delayMs`. */
  function granted(ticket: string, delayMs: number): void {
    const waiter = waiting.get(ticket);
    if (!waiter) {
      if (!open.has(ticket)) giveBack(ticket); // its caller gave up or was refused meanwhile
      return;
    }
    waiting.delete(ticket);
    open.add(ticket);
    let released = false;
    const release: Release = () => {
      if (released) return;
      released = true;
      open.delete(ticket);
      giveBack(ticket);
    };
    const { signal } = waiter;
    signal?.removeEventListener("abort", waiter.onAbort);
    if (delayMs <= 0) {
      waiter.resolve(release);
      return;
    }
    // The slot's send time, reserved by Redis: sleep until then; an abort gives the slot back.
    const onAbort = () => {
      clearTimeout(timer);
      release();
      waiter.reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      waiter.resolve(release);
    }, delayMs);
    signal?.addEventListener("abort", onAbort, { once: true });
  }

  function fromRedis(signal?: AbortSignal | null): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (down) return whileDown(signal);
    listen();
    return new Promise((resolve, reject) => {
      const ticket = `${proc}:${++tickets}`;
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          waiting.delete(ticket);
          reject(signal?.reason);
          giveBack(ticket); // out of the line, or its slot back if granted meanwhile
        },
      };
      waiting.set(ticket, waiter);
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      startup
        .then(() => {
          if (!waiting.has(ticket)) throw ticket; // gave up before asking
          return call("a slot request", "acquire", ticket);
        })
        .then(
          (reply) => {
            if (reply[0] === 1) granted(ticket, Number(reply[1]));
            keepAlive();
          },
          (error: unknown) => {
            if (error === ticket) return;
            // A request that timed out may still run once Redis wakes up: the release queued behind
            // it on the same connection takes it out again.
            if (!down) call("a release", "release", ticket).catch(() => {});
            fail(error);
          },
        );
    });
  }

  const refusedLater = () =>
    new RedisRateLimitStoreError(`${STORE}: the store was closed while this call waited.`);
  let closing: Promise<void> | undefined;
  // Subscribed from the start, so that the first calls to wait are told of their grants too.
  listen();
  return {
    acquire(signal) {
      if (closed) {
        return Promise.reject(
          new RedisRateLimitStoreError(
            `${STORE}: the store is closed (\`close()\` was called): create a new one to send more requests.`,
          ),
        );
      }
      return fromRedis(signal);
    },
    throttled(retryAfterMs) {
      if (down) {
        share?.throttled(retryAfterMs);
        return;
      }
      call("a 429 report", "throttled", "", { retryAfterMs: retryAfterMs ?? 0 }).catch(fail);
    },
    close() {
      closing ??= (async () => {
        closed = true;
        clearTimeout(beat);
        for (const waiter of share?.stop() ?? []) waiter.reject(refusedLater());
        for (const waiter of waiting.values()) {
          waiter.signal?.removeEventListener("abort", waiter.onAbort);
          waiter.reject(refusedLater());
        }
        waiting.clear();
        await Promise.allSettled([...pending]);
        if (registered || open.size > 0) await call("a leave", "leave").catch(() => {});
        await subscription?.close().catch(() => {});
      })();
      return closing;
    },
  };
}
