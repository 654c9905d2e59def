/**
 * The `fetch` that openapi-fetch calls, bound to its call: it sends within the call's deadline,
 * and retries what `retryDelay` allows while the deadline leaves time for it, each retry after its
 * turn in the rate limiter. Everything else stays openapi-fetch's.
 */
import {
  type CallPhase,
  PingbackNetworkError,
  PingbackRedirectError,
  PingbackTimeoutError,
} from "./errors.js";
import type { Note } from "./events.js";
import { rememberFailedCall } from "./operation.js";
import type { ResolvedRetry } from "./options.js";
import type { RateLimitStore, Release } from "./rate-limit.js";
import { fetchSameOrigin } from "./redirect.js";
import { type Failure, parseRetryAfter, retryDelay } from "./retry.js";
import { type Deadline, sleep } from "./timeout.js";

export type Fetch = (input: Request, init?: RequestInit) => Promise<Response>;

/** One call, as the client's wrapper starts it and the transport moves it along. */
export interface Call {
  /** `METHOD /path/{param}`. */
  operation: string;
  /** Reports the call's events to the observers, with its id; undefined when there are none. */
  note: Note;
  /** The call's deadline, which also follows the caller's signal. */
  deadline: Deadline;
  /** Where the call is, for the error if its deadline passes or its caller aborts. */
  phase: CallPhase;
  /** Headers this operation must not get (the key, for a webhook intake), removed before sending. */
  withheld: readonly string[];
  /** The client's retry options merged with the call's own. */
  retry: ResolvedRetry;
  /**
   * The first attempt's slot, taken by the wrapper before openapi-fetch builds the request; the
   * transport takes it over, or the wrapper releases it if fetch is never reached.
   */
  slot?: Release | undefined;
  /** The 2xx response, set here: the wrapper names it if its body turns out not to be JSON. */
  response?: Response;
}

/** What every call of a client shares: its limiter and the API's pause. */
export interface Policy {
  limiter: RateLimitStore | undefined;
  /** Until when (performance.now()) the API asked this client to pause, by its last 429. */
  pause: { until: number };
  /** Whether `limiter` is the `rateLimit.store` (shared by processes) rather than this client's own. */
  sharedLimiter: boolean;
}

export interface TransportOptions extends Policy {
  fetch: Fetch;
}

/** The error's message and, for Node's "fetch failed", the code of its cause (ECONNRESET, ...). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown } | undefined;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return `${error.message}${code}`;
}

/** Why a wait of more than `bound` ms is not taken: `maxRetryAfterMs`, or the call's deadline. */
const over = (bound: number, retry: ResolvedRetry) =>
  `more than ${bound === retry.maxRetryAfterMs ? "maxRetryAfterMs" : "the deadline leaves"} (${Math.floor(bound)} ms)`;

/** The slot of an attempt when there is no limiter. */
const noop = () => {};

/**
 * An attempt's turn: refused at once when the API's pause outlasts what the call may wait, then a
 * slot, at once when one is free (a no-op without a limiter), else once the limiter's queue (within
 * the call's deadline) grants it, reporting the wait.
 */
export function admit(policy: Policy, call: Call, attempt: number): Release | Promise<Release> {
  const { limiter, pause } = policy;
  const { deadline, retry } = call;
  call.phase = "queue";
  // A pause the API asked for that this call cannot sit out: say so now rather than wait.
  const paused = pause.until - performance.now();
  const bound = Math.min(retry.maxRetryAfterMs, deadline.left());
  if (paused > bound) {
    throw new PingbackTimeoutError(deadline.timeoutMs, {
      operation: call.operation,
      phase: "queue",
      reason: `the API's Retry-After pauses calls ${Math.ceil(paused)} ms more, ${over(bound, retry)}`,
    });
  }
  const release = limiter ? limiter.tryAcquire?.() : noop;
  if (release) return release;
  const start = performance.now();
  return (limiter as RateLimitStore).acquire(deadline.signal).then((granted) => {
    call.note?.({
      type: "rate-limit",
      attempt,
      waitedMs: performance.now() - start,
      limiter: policy.sharedLimiter ? "shared" : "local",
    });
    return granted;
  });
}

/** Sends one call's request, with that call's deadline, retries and slots. */
export type Transport = (request: Request, call: Call) => Promise<Response>;

export function createTransport(options: TransportOptions): Transport {
  const { fetch, limiter, pause } = options;
  return async function pingbackFetch(request, call) {
    if (call.withheld.some((name) => request.headers.has(name))) {
      const headers = new Headers(request.headers);
      for (const name of call.withheld) headers.delete(name);
      request = new Request(request, { headers });
    }
    const { operation, deadline, retry, note } = call;
    const { signal } = deadline;

    for (let retryNumber = 1; ; retryNumber++) {
      // A body can be read once: keep the original intact while another attempt may follow.
      const sent =
        retryNumber <= retry.retries && request.body !== null ? request.clone() : request;
      // The first attempt's slot was taken before openapi-fetch built the request; each retry
      // waits for its own. Nothing may throw from here until the `finally` that releases it.
      let release = call.slot;
      call.slot = undefined;
      release ??= await admit(options, call, retryNumber);
      let failure: Failure;
      let result: Response | Error;
      call.phase = "headers";
      const start = note && performance.now();
      note?.({ type: "request", attempt: retryNumber });
      try {
        result = await fetchSameOrigin(fetch, sent, signal, operation);
        const durationMs = note && performance.now() - (start as number);
        note?.({
          type: "response",
          attempt: retryNumber,
          status: result.status,
          durationMs: durationMs as number,
        });
      } catch (error) {
        // The wrapper turns the deadline's or the caller's abort into its typed error (and event).
        if (signal.aborted) throw error;
        const name = error instanceof PingbackRedirectError ? error.name : "PingbackNetworkError";
        note?.({ type: "network-error", attempt: retryNumber, error: name });
        // A refused redirect is not retried: the next answer would be the same.
        if (error instanceof PingbackRedirectError) throw error;
        // The host names the server that did not answer; the path and query may hold an email.
        result = new PingbackNetworkError(
          `${operation} got no response from ${new URL(request.url).host}: ${describe(error)}`,
          { cause: error, operation },
        );
      } finally {
        release();
      }
      if (result instanceof Error) {
        failure = { error: result };
      } else {
        call.phase = "body";
        if (result.ok) {
          call.response = result;
          return result;
        }
        failure = { status: result.status, retryAfter: result.headers.get("retry-after") };
        if (result.status === 429) {
          const asked = parseRetryAfter(failure.retryAfter);
          limiter?.throttled(asked);
          pause.until = Math.max(pause.until, performance.now() + (asked ?? 0));
        }
      }

      let delayMs = retryDelay(request.method, failure, retryNumber, retry);
      const left = deadline.left();
      if (typeof delayMs === "number" && delayMs >= left) {
        delayMs = `waiting ${delayMs} ms, ${over(left, retry)}`;
      }
      if (note) {
        const status = "status" in failure ? failure.status : undefined;
        const reason = status === undefined ? "network" : "status";
        if (typeof delayMs === "number") {
          note({ type: "retry", attempt: retryNumber, reason, status, delayMs });
        } else if (reason === "network" || status === 429 || (status as number) >= 500) {
          // A 4xx other than 429 is an answer; anything else without a retry is a give-up.
          note({ type: "give-up", attempts: retryNumber, reason, status });
        }
      }
      if (typeof delayMs !== "number") {
        if (result instanceof Error) throw result;
        rememberFailedCall(result, {
          operation,
          apiKey: request.headers.get("x-api-key"),
          notRetried: delayMs,
        });
        return result;
      }
      retry.onRetry?.({ attempt: retryNumber, delayMs, operation, ...failure });
      call.phase = "retry";
      await sleep(delayMs, signal);
    }
  };
}
