/**
 * What the client did, as events: one place to observe every call (`observers` of
 * `createPingbackClient`). Each event names the operation by its path template, never by its URL,
 * and holds no header, body or parameter value: nothing in it can be the API key, an email address
 * or a webhook's secret path. (The one way to a value is the `call` event's `pathParams`, a
 * function that printing does not call.) With no observer, no event object is built.
 */

/** What every event carries: which call, and which operation. */
interface CallEvent {
  /** Tells apart the events of concurrent calls: unique within one client. */
  callId: number;
  /** `METHOD /path/{param}`, e.g. `GET /contacts/{email}`. */
  operation: string;
}

/** Why an attempt failed: an HTTP status (429, 5xx), or no answer at all. */
export type FailureReason = "status" | "network";

/** Everything the client reports, told apart by `type`. */
export type PingbackEvent = CallEvent &
  (
    | {
        /** A call starts (before the rate limit). */
        type: "call";
        /**
         * The call's path parameters (`params.path`) as the caller passed them: strings, or
         * numbers. A function, so that an event printed or serialised (a logger, `JSON.stringify`,
         * `util.inspect`) holds no value: an observer that wants them, e.g. to hash them
         * (`traceCalls({ pathParamHashKey })`), asks. Absent for an operation that takes no API
         * key (the webhook intake): its path is its secret, so no observer ever gets it.
         */
        pathParams?: (() => Readonly<Record<string, unknown>>) | undefined;
      }
    | {
        /** The attempt waited for a rate-limit slot. */
        type: "rate-limit";
        /** 1 for the first attempt, 2 for the first retry, ... */
        attempt: number;
        /** How long it waited. */
        waitedMs: number;
        /** `local`: this client's limiter; `shared`: the `rateLimit.store` (e.g. Redis). */
        limiter: "local" | "shared";
      }
    | {
        /** An attempt is sent. */
        type: "request";
        attempt: number;
      }
    | {
        /** An attempt got an answer (its headers). */
        type: "response";
        attempt: number;
        /** The HTTP status. */
        status: number;
        /** From sending to the headers' arrival. */
        durationMs: number;
      }
    | {
        /** An attempt got no answer: DNS, connection refused or reset, TLS, or a refused redirect. */
        type: "network-error";
        attempt: number;
        /** The error's name, e.g. `PingbackNetworkError`, `PingbackRedirectError`. */
        error: string;
      }
    | {
        /** The call's deadline (`timeoutMs`) passed: the call ends with `PingbackTimeoutError`. */
        type: "timeout";
        timeoutMs: number;
        /** Where the call was: `queue`, `headers`, `body` or `retry`. */
        phase: string;
      }
    | {
        /** The failed attempt will be sent again after `delayMs`. */
        type: "retry";
        /** The attempt that failed. */
        attempt: number;
        reason: FailureReason;
        /** The status, when the reason is one. */
        status?: number | undefined;
        delayMs: number;
      }
    | {
        /** The call failed for good: a retryable failure with no retry left (or allowed). */
        type: "give-up";
        /** Attempts made, the first included. */
        attempts: number;
        reason: FailureReason;
        status?: number | undefined;
      }
    | {
        /** The call is over. */
        type: "call-end";
        durationMs: number;
        /** The final HTTP status, when there was an answer. */
        status?: number | undefined;
        /** The API's `errorCode`, when its error body had one. */
        errorCode?: string | undefined;
        /** The API's `requestId`, when its error body had one: what to quote to Pingback's support. */
        requestId?: string | undefined;
        /** The name of the error thrown, when the call threw (e.g. `PingbackTimeoutError`). */
        error?: string | undefined;
      }
  );

/** One event type's own fields. */
export type PingbackEventOf<T extends PingbackEvent["type"]> = Extract<PingbackEvent, { type: T }>;

/** Receives every event, synchronously, as it happens. It should return quickly. */
export type PingbackObserver = (event: PingbackEvent) => void;

/** What the client and its transport call; undefined when nobody listens. */
export type Emit = ((event: PingbackEvent) => void) | undefined;

/** An event's own fields, without the call's. */
type Fields<E> = E extends unknown ? Omit<E, keyof CallEvent> : never;

/** Emits an event of the call it was made for; undefined when nobody listens. */
export type Note = ((event: Fields<PingbackEvent>) => void) | undefined;

/**
 * One function that hands each event to every observer. An observer that throws does not stop the
 * call or the other observers: its error is reported as an EventTarget listener's is, uncaught.
 */
export function emitterOf(observers: readonly PingbackObserver[] | undefined): Emit {
  if (!observers?.length) return undefined;
  for (const observe of observers) {
    if (typeof observe !== "function") {
      throw new TypeError("createPingbackClient: `observers` must be functions.");
    }
  }
  return (event) => {
    for (const observe of observers) {
      try {
        observe(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
}
