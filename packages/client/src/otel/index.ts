/**
 * @pingback/client/otel: OpenTelemetry spans of the client's calls, PII-safe by construction.
 *
 * `createPingbackClient({ apiKey, observers: [traceCalls()] })` makes one span per call, named by
 * its operation (`GET /contacts/{email}`), and one child span per attempt (HTTP client semantic
 * conventions: `http.request.resend_count` on each retry). The spans are built from the client's
 * events, which hold path templates and never a URL: no path parameter (a contact's email), no
 * webhook path (its secret) and no API key can reach an attribute, an event or a span name.
 * Generic HTTP instrumentation, by contrast, records `url.full`. With `pathParamHashKey`, each path
 * parameter of an operation that takes the API key is exported as a keyed hash: spans of one
 * contact can be found together, and its email is not in them.
 */
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { PingbackEvent, PingbackEventOf, PingbackObserver } from "../events.js";
import { hmacSha256 } from "./hmac.js";
import { OPERATION_IDS } from "./operation-ids.gen.js";

export interface TraceCallsOptions {
  /** The tracer to use (default: `trace.getTracer("@pingback/client")` of the global provider). */
  tracer?: Tracer | undefined;
  /**
   * A secret of your own (not the API key), at least 16 bytes: each path parameter then becomes
   * `pingback.path_hash.<name>`, the first 16 hex digits of its HMAC-SHA-256 (default: none).
   */
  pathParamHashKey?: string | Uint8Array | undefined;
}

interface CallSpans {
  call: Span;
  attempt: Span | undefined;
  waitedMs: number;
  /** The hashes of the call's path parameters, which its attempts carry too. */
  hashes: Attributes;
}

/** An HMAC's first 64 bits, 16 hex digits: two of a million contacts share them at odds of 3e-8. */
function truncatedHex(digest: Uint8Array): string {
  const view = new DataView(digest.buffer, digest.byteOffset);
  const word = (at: number) => view.getUint32(at).toString(16).padStart(8, "0");
  return word(0) + word(4);
}

/**
 * The attributes of a call's path parameters, `pingback.path_hash.<name>`: each value's
 * HMAC-SHA-256 with the key, as hex, truncated. Only the template's parameters, and only strings
 * and numbers (what the URL can hold: anything else fails the call before it is sent).
 */
function pathHasher(key: string | Uint8Array): (event: PingbackEventOf<"call">) => Attributes {
  const bytes = typeof key === "string" ? new TextEncoder().encode(key) : key;
  if (!(bytes instanceof Uint8Array) || bytes.length < 16) {
    throw new TypeError(
      "traceCalls: `pathParamHashKey` must be a string or Uint8Array of at least 16 bytes: a " +
        "random secret of your own, not the API key (e.g. `openssl rand -hex 32`).",
    );
  }
  const hmac = hmacSha256(bytes);
  const encoder = new TextEncoder();
  return (event) => {
    const values = event.pathParams?.();
    const hashes: Attributes = {};
    for (const [, name = ""] of values ? event.operation.matchAll(/\{([^{}]+)\}/g) : []) {
      const value = values?.[name];
      if (typeof value !== "string" && typeof value !== "number") continue;
      hashes[`pingback.path_hash.${name}`] = truncatedHex(hmac(encoder.encode(String(value))));
    }
    return hashes;
  };
}

/** The attributes of every span of an operation: its method, template and operationId. */
function operationAttributes(operation: string): Attributes {
  const [method, template] = operation.split(" ") as [string, string];
  const id = OPERATION_IDS[operation];
  return {
    "http.request.method": method,
    "url.template": template,
    "pingback.operation": operation,
    ...(id && { "pingback.operation_id": id }),
  };
}

/** An observer that turns the client's events into spans; pass it in `observers`. */
export function traceCalls(options: TraceCallsOptions = {}): PingbackObserver {
  const tracer = options.tracer ?? trace.getTracer("@pingback/client");
  const key = options.pathParamHashKey;
  const hashesOf = key === undefined ? () => ({}) : pathHasher(key);
  const calls = new Map<number, CallSpans>();

  return (event: PingbackEvent) => {
    if (event.type === "call") {
      const hashes = hashesOf(event);
      const call = tracer.startSpan(event.operation, {
        kind: SpanKind.INTERNAL,
        attributes: { ...operationAttributes(event.operation), ...hashes },
      });
      calls.set(event.callId, { call, attempt: undefined, waitedMs: 0, hashes });
      return;
    }
    const spans = calls.get(event.callId);
    if (!spans) return;
    const { call } = spans;
    switch (event.type) {
      case "rate-limit":
        spans.waitedMs += event.waitedMs;
        call.setAttribute("pingback.rate_limit.wait_ms", spans.waitedMs);
        call.addEvent("pingback.rate_limit.wait", {
          "pingback.attempt": event.attempt,
          "pingback.rate_limit.wait_ms": event.waitedMs,
          "pingback.rate_limit.limiter": event.limiter,
        });
        return;
      case "request":
        spans.attempt = tracer.startSpan(
          event.operation,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              ...operationAttributes(event.operation),
              ...spans.hashes,
              // The semantic conventions: the ordinal of a resend, absent on the first attempt.
              ...(event.attempt > 1 && { "http.request.resend_count": event.attempt - 1 }),
            },
          },
          trace.setSpan(context.active(), call),
        );
        return;
      case "response": {
        const attempt = spans.attempt;
        attempt?.setAttribute("http.response.status_code", event.status);
        if (event.status >= 400) {
          attempt?.setAttribute("error.type", String(event.status));
          attempt?.setStatus({ code: SpanStatusCode.ERROR });
        }
        attempt?.end();
        spans.attempt = undefined;
        return;
      }
      case "timeout":
      case "network-error": {
        const type = event.type === "timeout" ? "PingbackTimeoutError" : event.error;
        spans.attempt?.setAttribute("error.type", type);
        spans.attempt?.setStatus({ code: SpanStatusCode.ERROR, message: type });
        spans.attempt?.end();
        spans.attempt = undefined;
        return;
      }
      case "retry":
        call.addEvent("pingback.retry", {
          "pingback.attempt": event.attempt,
          "pingback.retry.reason": event.reason,
          "pingback.retry.delay_ms": event.delayMs,
          ...(event.status !== undefined && { "http.response.status_code": event.status }),
        });
        return;
      case "give-up":
        call.addEvent("pingback.give_up", {
          "pingback.attempts": event.attempts,
          "pingback.retry.reason": event.reason,
          ...(event.status !== undefined && { "http.response.status_code": event.status }),
        });
        return;
      case "call-end": {
        if (event.status !== undefined)
          call.setAttribute("http.response.status_code", event.status);
        if (event.errorCode) call.setAttribute("pingback.error_code", event.errorCode);
        if (event.requestId) call.setAttribute("pingback.request_id", event.requestId);
        const type =
          event.error ??
          (event.status !== undefined && event.status >= 400 ? String(event.status) : undefined);
        if (type) {
          call.setAttribute("error.type", type);
          call.setStatus({ code: SpanStatusCode.ERROR, message: event.errorCode ?? type });
        }
        // An attempt still open (a caller's abort) ends with its call.
        spans.attempt?.end();
        call.end();
        calls.delete(event.callId);
        return;
      }
    }
  };
}
