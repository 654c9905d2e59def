/**
 * The errors a caller handles differently: the API said no (`PingbackError`), the request never got
 * an answer (`PingbackNetworkError`), it ran out of time (`PingbackTimeoutError`), or its caller
 * aborted it (`PingbackAbortError`).
 *
 * None of them holds the request (whose headers carry the API key): only what is safe to log.
 */
import type { ErrorBody, ErrorCode, KnownErrorCode } from "@pingback/types";

/**
 * The brand every Pingback error carries, under a registry symbol: an app that loads both the ESM
 * and the CommonJS copy of this package (the dual-package hazard) recognises the other copy's
 * errors, which `instanceof` alone would not.
 */
const BRAND = Symbol.for("pingback.client.error");

type ErrorName =
  | "PingbackError"
  | "PingbackNetworkError"
  | "PingbackTimeoutError"
  | "PingbackAbortError"
  | "PingbackPaginationError"
  | "PingbackRedirectError";

/**
 * Where a call was when it timed out or was aborted: waiting for the rate limit, waiting for the
 * response (connection and headers), reading its body, waiting to retry, or between the items of
 * `paginate`.
 */
export type CallPhase = "queue" | "headers" | "body" | "retry" | "pages";

const PHASES: Record<CallPhase, string> = {
  queue: "waiting for the rate limit",
  headers: "waiting for the response",
  body: "reading the response body",
  retry: "waiting to retry",
  pages: "between two items of its pages",
};

/** True when `value` is a Pingback error of the given name, from this copy or from another. */
function hasBrand(value: unknown, name: ErrorName): boolean {
  return (
    typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === name
  );
}

/** What a `PingbackError` is built from. */
export interface PingbackErrorInit {
  status: number;
  /** The parsed JSON body, the text of a non-JSON body, or undefined when it was empty. */
  body: unknown;
  /** `METHOD /path/{param}` of the operation, e.g. `GET /contacts/{email}`. */
  operation?: string | undefined;
  /** A secret (the API key) to replace wherever the body repeats it. */
  redact?: string | null | undefined;
  /** Why the call failed, when the body does not say it (e.g. a 2xx body that is not JSON). */
  reason?: string | undefined;
  /** The error that caused this one, e.g. the `SyntaxError` of a body that is not JSON. */
  cause?: unknown;
  /** The response's headers (`Retry-After`, a request id, ...). */
  headers?: Headers | undefined;
  /** Why the client did not retry a retryable answer (a `Retry-After` too long to wait for). */
  notRetried?: string | undefined;
}

/** The body with every occurrence of `secret` replaced, at any depth. */
export function redacted(body: unknown, secret: string | null | undefined): unknown {
  const json = JSON.stringify(body);
  return json && secret
    ? JSON.parse(json.split(JSON.stringify(secret).slice(1, -1)).join("[redacted]"))
    : body;
}

/** A non-empty string field of the API's error body; undefined for any other body. */
function stringField(body: unknown, key: keyof ErrorBody): string | undefined {
  const value = (body as ErrorBody | undefined)?.[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A short, single-line description of a body that is not the API's JSON error. */
function describeBody(body: unknown): string {
  if (body === undefined || body === "") return "an empty body";
  if (typeof body !== "string") return "JSON without an `error` message";
  const text = body.replace(/\s+/g, " ").trim();
  return `a non-JSON body (${text.length > 80 ? `${text.slice(0, 80)}…` : text})`;
}

/**
 * What the errors share: a `toJSON` that logs their fields, and never a request. Each names itself
 * with a getter on its prototype, so that `instanceof` (one `Symbol.hasInstance` for all) can read
 * a class's name without an instance.
 */
abstract class PingbackFailure extends Error {
  abstract override get name(): ErrorName;
  /** `METHOD /path/{param}` of the operation, e.g. `GET /contacts/{email}`, when known. */
  declare readonly operation: string | undefined;

  /** On the prototype, so neither `toJSON` nor a log line shows it. */
  get [BRAND](): ErrorName {
    return this.name;
  }

  /** `instanceof` also recognises an error thrown by another copy of this package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` asks about.
    return hasBrand(value, this.prototype.name);
  }

  constructor(message: string, operation: string | undefined, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.operation = operation;
  }

  toJSON() {
    return { ...this, name: this.name, message: this.message };
  }
}

/** The API answered with a non-2xx status. */
export class PingbackError<Code extends ErrorCode = ErrorCode> extends PingbackFailure {
  override get name() {
    return "PingbackError" as const;
  }
  /** The HTTP status, e.g. 404. */
  declare readonly status: number;
  /** The API's machine-readable code, e.g. `CONTACT_NOT_FOUND`; undefined when the body had none. */
  declare readonly errorCode: Code | undefined;
  /** The id to quote to Pingback's support, when the API sent one. */
  declare readonly requestId: string | undefined;
  /** The response body: parsed JSON, the raw text of a non-JSON body, or undefined when empty. */
  declare readonly body: unknown;
  /** The response's headers, lowercase, without `set-cookie` (e.g. `headers["retry-after"]`). */
  declare readonly headers: Record<string, string>;

  constructor(init: PingbackErrorInit) {
    const { status, body: raw, operation, redact, reason, cause, notRetried } = init;
    // A server may echo the key it refused ("invalid key sk_…"): it must not reach a log.
    const body = redacted(raw, redact);
    const serverMessage = stringField(body, "error");
    const errorCode = stringField(body, "errorCode") as Code | undefined;
    const requestId = stringField(body, "requestId");
    // No status text: HTTP/2 has none, and the code says it.
    const what = `${operation ?? "Request"} failed with ${status}`;
    const code = errorCode ? ` ${errorCode}` : "";
    const why = reason ?? serverMessage ?? `the server sent ${describeBody(body)}`;
    const support = requestId ? ` (requestId ${requestId})` : "";
    const retry = notRetried ? ` — not retried: ${notRetried}` : "";
    super(`${what}${code}: ${why}${support}${retry}`, operation, cause);
    this.status = status;
    this.errorCode = errorCode;
    this.requestId = requestId;
    this.body = body;
    const headers: Record<string, string> = {};
    init.headers?.forEach((value, name) => {
      if (name !== "set-cookie") headers[name] = redacted(value, redact) as string;
    });
    this.headers = headers;
  }
}

/** The request got no HTTP answer: DNS, connection refused or reset, TLS. */
export class PingbackNetworkError extends PingbackFailure {
  override get name() {
    return "PingbackNetworkError" as const;
  }

  constructor(message: string, options?: { cause?: unknown; operation?: string }) {
    super(message, options?.operation, options?.cause);
  }
}

/**
 * The call ran out of time: its deadline (`timeoutMs`, which covers the rate limit's queue, the
 * connection, the headers and the body) passed, or a wait it needed (the API's `Retry-After`) was
 * longer than its deadline or `maxRetryAfterMs` allow, so it gave up at once.
 */
export class PingbackTimeoutError extends PingbackFailure {
  override get name() {
    return "PingbackTimeoutError" as const;
  }
  /** The call's deadline, in milliseconds. */
  declare readonly timeoutMs: number;
  /** Where the call was when its time ran out. */
  declare readonly phase: CallPhase | undefined;

  constructor(
    timeoutMs: number,
    options?: { operation?: string; phase?: CallPhase; reason?: string | undefined },
  ) {
    const { operation = "Request", phase, reason } = options ?? {};
    super(
      reason
        ? `${operation} gave up ${phase ? PHASES[phase] : ""}: ${reason}.`
        : `${operation} timed out after ${timeoutMs} ms${phase ? ` ${PHASES[phase]}` : ""}; raise \`timeoutMs\` if that is too short.`,
      options?.operation,
    );
    this.timeoutMs = timeoutMs;
    this.phase = phase;
  }
}

/** The caller's `signal` aborted the call; its reason is the `cause`. */
export class PingbackAbortError extends PingbackFailure {
  override get name() {
    return "PingbackAbortError" as const;
  }
  /** Where the call was when it was aborted. */
  declare readonly phase: CallPhase;

  constructor(reason: unknown, operation: string, phase: CallPhase) {
    super(`${operation} was aborted ${PHASES[phase]}.`, operation, reason);
    this.phase = phase;
  }
}

/**
 * `paginate` got pages that cannot add up to the list's `total`: an empty or short page came before
 * it. The list changed while it was read, or the API's page size did; `allowIncomplete` accepts it.
 */
export class PingbackPaginationError extends PingbackFailure {
  override get name() {
    return "PingbackPaginationError" as const;
  }
  /** The page that ended the list early (from 0), e.g. the one to resume from. */
  declare readonly page: number;
  /** How many items that page held. */
  declare readonly received: number;
  /** How many items this run yielded, that page's included. */
  declare readonly fetched: number;
  /** How many items the list holds, as that page's answer counted them. */
  declare readonly total: number;

  constructor(operation: string, page: number, received: number, fetched: number, total: number) {
    super(
      `${operation}: page ${page} held ${received} items, ${fetched} in all, short of the total ${total} (the list or its page size changed); resume with \`params.query.page\`, or pass \`allowIncomplete: true\`.`,
      operation,
    );
    Object.assign(this, { page, received, fetched, total });
  }
}

/**
 * The API's host redirected the request to another origin (another host, port, or http): it was
 * not followed, so neither the API key nor the body (a webhook intake's path is its secret) left.
 */
export class PingbackRedirectError extends PingbackFailure {
  override get name() {
    return "PingbackRedirectError" as const;
  }
  /** The origin the redirect pointed to (`https://host:port`, never its path); undefined when the runtime hides it. */
  declare readonly targetOrigin: string | undefined;
  /** The redirect's status, e.g. 302. */
  declare readonly status: number;

  constructor(status: number, targetOrigin: string | undefined, operation: string) {
    super(
      `${operation} was redirected (${status}) to ${targetOrigin ?? "a hidden origin"}: not followed, the key goes only to \`baseUrl\`'s origin.`,
      operation,
    );
    this.status = status;
    this.targetOrigin = targetOrigin;
  }
}

/**
 * True for a `PingbackError` (from this copy of the package or another), optionally only with the
 * given code, one of the spec's known codes; narrows `errorCode`. For a code the spec does not list
 * yet, compare `error.errorCode`, which stays an open string.
 */
export function isPingbackError(value: unknown): value is PingbackError;
export function isPingbackError<C extends KnownErrorCode>(
  value: unknown,
  code: C,
): value is PingbackError<C>;
export function isPingbackError(value: unknown, code?: KnownErrorCode): boolean {
  return (
    hasBrand(value, "PingbackError") &&
    (code === undefined || (value as PingbackError).errorCode === code)
  );
}
