/**
 * The `fetch` that openapi-fetch calls: it waits for the rate limiter, bounds each attempt with a
 * deadline, and retries what `retryDelay` allows. Everything else stays openapi-fetch's.
 */
import { PingbackNetworkError, PingbackTimeoutError } from "./errors.js";
import { rememberFailedCall } from "./operation.js";
import type { PingbackRequestOptions, ResolvedRetry } from "./options.js";
import { resolveRetry, resolveTimeout } from "./options.js";
import type { RateLimitStore } from "./rate-limit.js";
import { type Failure, parseRetryAfter, retryDelay } from "./retry.js";
import { type Deadline, sleep } from "./timeout.js";

export type Fetch = (input: Request, init?: RequestInit) => Promise<Response>;

/** What the client's wrapper puts on each call's Request (openapi-fetch copies unknown init keys). */
export interface CallInfo {
  pingbackCall?: {
    /** `METHOD /path/{param}`. */
    operation: string;
    /** The caller's `signal`, if any. */
    signal: AbortSignal | undefined;
    /** The 2xx response, set here: the wrapper names it if its body turns out not to be JSON. */
    response?: Response;
  };
}

export interface TransportOptions {
  fetch: Fetch;
  deadlines: { start(timeoutMs: number, callerSignal: AbortSignal | undefined): Deadline };
  limiter: RateLimitStore | undefined;
  timeoutMs: number;
  retry: ResolvedRetry;
}

/** One attempt: a limiter slot, then the fetch within its deadline. */
async function attempt(
  request: Request,
  { fetch, limiter, deadlines }: TransportOptions,
  timeoutMs: number,
  operation: string,
  callerSignal: AbortSignal | undefined,
): Promise<Response> {
  const release = limiter && (limiter.tryAcquire?.() ?? (await limiter.acquire(callerSignal)));
  const deadline = deadlines.start(timeoutMs, callerSignal);
  try {
    return await fetch(request, { signal: deadline.signal });
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (deadline.timedOut()) throw new PingbackTimeoutError(timeoutMs, { operation });
    // The host names the server that did not answer; the path and query may hold an email address.
    const { host } = new URL(request.url);
    throw new PingbackNetworkError(
      `${operation} got no response from ${host}: ${describe(error)}`,
      {
        cause: error,
        operation,
      },
    );
  } finally {
    deadline.clear();
    release?.();
  }
}

/** The error's message and, for Node's "fetch failed", the code of its cause (ECONNRESET, ...). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown } | undefined;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return `${error.message}${code}`;
}

export function createTransport(options: TransportOptions): Fetch {
  return async function pingbackFetch(request) {
    const own = request as Request & PingbackRequestOptions & CallInfo;
    const call = own.pingbackCall;
    const operation = call?.operation ?? request.method;
    // A request's own options are checked here, before the request is sent.
    const timeoutMs =
      own.timeoutMs === undefined ? options.timeoutMs : resolveTimeout(own.timeoutMs, operation);
    const retry =
      own.retry === undefined ? options.retry : resolveRetry(own.retry, options.retry, operation);
    // The caller's own signal, as the client's wrapper saw it (the request's own signal always
    // exists): knowing there is none lets the attempt share a deadline with others.
    const callerSignal = call?.signal;

    for (let retryNumber = 1; ; retryNumber++) {
      // A body can be read once: keep the original intact while another attempt may follow.
      const last = retryNumber > retry.retries;
      const sent = !last && request.body !== null ? request.clone() : request;
      let failure: Failure;
      let result: Response | Error;
      try {
        result = await attempt(sent, options, timeoutMs, operation, callerSignal);
        if (result.ok) {
          if (call) call.response = result;
          return result;
        }
        rememberFailedCall(result, { operation, apiKey: request.headers.get("x-api-key") });
        failure = { status: result.status, retryAfter: result.headers.get("retry-after") };
        if (result.status === 429) options.limiter?.throttled(parseRetryAfter(failure.retryAfter));
      } catch (error) {
        if (!(error instanceof PingbackNetworkError || error instanceof PingbackTimeoutError)) {
          throw error;
        }
        result = error;
        failure = { error };
      }

      const delayMs = retryDelay(request.method, failure, retryNumber, retry);
      if (delayMs === undefined) {
        if (result instanceof Error) throw result;
        return result;
      }
      retry.onRetry?.({ attempt: retryNumber, delayMs, operation, ...failure });
      await sleep(delayMs, callerSignal);
    }
  };
}
