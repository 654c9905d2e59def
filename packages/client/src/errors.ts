/**
 * The errors a caller handles differently: the API said no (`PingbackError`), the request never got
 * an answer (`PingbackNetworkError`), or it took too long (`PingbackTimeoutError`).
 *
 * None of them holds the request (whose headers carry the API key): only what is safe to log.
 */
import type { ErrorBody, ErrorCode } from "@pingback/types";

/** What a `PingbackError` is built from. */
export interface PingbackErrorInit {
  status: number;
  /** The parsed JSON body, the text of a non-JSON body, or undefined when it was empty. */
  body: unknown;
  /** `METHOD /path/{param}` of the operation, e.g. `GET /contacts/{email}`. */
  operation?: string;
  statusText?: string;
}

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === "object" && body !== null && !Array.isArray(body);
}

function stringField(body: unknown, key: keyof ErrorBody): string | undefined {
  if (!isErrorBody(body)) return undefined;
  const value = body[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** A short, single-line description of a body that is not the API's JSON error. */
function describeBody(body: unknown): string {
  if (body === undefined || body === "") return "an empty body";
  if (typeof body === "string") {
    const text = body.replace(/\s+/g, " ").trim();
    const kind = /^<(!doctype|html)/i.test(text) ? "an HTML page" : "a non-JSON body";
    return `${kind} (${text.length > 80 ? `${text.slice(0, 80)}…` : text})`;
  }
  return "a JSON body without an `error` message";
}

/** The API answered with a non-2xx status. */
export class PingbackError<Code extends ErrorCode = ErrorCode> extends Error {
  override name = "PingbackError";
  /** The HTTP status, e.g. 404. */
  readonly status: number;
  /** The API's machine-readable code, e.g. `CONTACT_NOT_FOUND`; undefined when the body had none. */
  readonly errorCode: Code | undefined;
  /** The id to quote to Pingback's support, when the API sent one. */
  readonly requestId: string | undefined;
  /** `METHOD /path/{param}` of the operation, e.g. `GET /contacts/{email}`. */
  readonly operation: string | undefined;
  /** The response body: parsed JSON, the raw text of a non-JSON body, or undefined when empty. */
  readonly body: unknown;

  constructor({ status, body, operation, statusText }: PingbackErrorInit) {
    const serverMessage = stringField(body, "error");
    const errorCode = stringField(body, "errorCode") as Code | undefined;
    const requestId = stringField(body, "requestId");
    const what = `${operation ?? "Request"} failed with ${status}${statusText ? ` ${statusText}` : ""}`;
    const code = errorCode ? ` ${errorCode}` : "";
    const why = serverMessage ?? `the server sent ${describeBody(body)}`;
    const support = requestId ? ` (requestId ${requestId})` : "";
    super(`${what}${code}: ${why}${support}`);
    this.status = status;
    this.errorCode = errorCode;
    this.requestId = requestId;
    this.operation = operation;
    this.body = body;
  }

  /** True when the API sent this error code; narrows `errorCode` to it. */
  is<C extends Code>(code: C): this is PingbackError<C> & { errorCode: C } {
    return this.errorCode === code;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      requestId: this.requestId,
      operation: this.operation,
      body: this.body,
    };
  }
}

/** The request got no HTTP answer: DNS, connection refused or reset, TLS, or a body cut short. */
export class PingbackNetworkError extends Error {
  override name = "PingbackNetworkError";
  /** `METHOD /path/{param}` of the operation, when known. */
  operation: string | undefined;

  constructor(message: string, options?: { cause?: unknown; operation?: string }) {
    super(message, { cause: options?.cause });
    this.operation = options?.operation;
  }

  toJSON() {
    return { name: this.name, message: this.message, operation: this.operation };
  }
}

/** One attempt took longer than `timeoutMs`. A caller's own abort is not this: it rethrows the signal's reason. */
export class PingbackTimeoutError extends Error {
  override name = "PingbackTimeoutError";
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number;
  /** `METHOD /path/{param}` of the operation, when known. */
  operation: string | undefined;

  constructor(timeoutMs: number, options?: { operation?: string }) {
    super(
      `${options?.operation ?? "Request"} timed out after ${timeoutMs} ms. Raise \`timeoutMs\` ` +
        "(per client or per request) if the API is expected to take longer.",
    );
    this.timeoutMs = timeoutMs;
    this.operation = options?.operation;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      timeoutMs: this.timeoutMs,
      operation: this.operation,
    };
  }
}

/** True for a `PingbackError`, optionally only with the given code; narrows `errorCode`. */
export function isPingbackError<C extends ErrorCode = ErrorCode>(
  value: unknown,
  code?: C,
): value is PingbackError<C> {
  return value instanceof PingbackError && (code === undefined || value.errorCode === code);
}
