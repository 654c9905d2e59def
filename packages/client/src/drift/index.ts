/**
 * @pingback/client/drift: checks the API's answers (and, in "throw" mode, your requests) against
 * the spec, as openapi-fetch middleware: `client.use(checkDrift({ mode: "report", onDrift }))`.
 *
 * Our spec is reconstructed from what Pingback publishes, and some of it is inference: this tells
 * you when production disagrees with it. The validators were compiled from the spec when the
 * package was built (no code is generated at run time), and only a client that imports this entry
 * point loads them.
 */
import type { Middleware } from "openapi-fetch";
import { VALIDATORS } from "./validators.gen.js";

/** The JSON type of a value, in place of the value: no personal data reaches a drift event. */
export type JsonType = "string" | "number" | "boolean" | "null" | "object" | "array" | "missing";

/** One place where a body broke the spec. */
export interface DriftEvent {
  /** `METHOD /path/{param}`, e.g. `GET /contacts/{email}`. */
  operation: string;
  /** Which body: the answer, or (in "throw" mode) the request about to be sent. */
  direction: "request" | "response";
  /** The answer's HTTP status; undefined for a request. */
  status: number | undefined;
  /** A JSON pointer to the value in the body, e.g. `/data/email` (`""` is the whole body). */
  pointer: string;
  /** The JSON Schema keyword that failed, e.g. `required`, `type`, `format`, `maxItems`. */
  rule: string;
  /** What the spec asks there, as the rule's parameters, e.g. `{ format: "email" }`. */
  expected: Record<string, unknown>;
  /** The JSON type of the value found there, never the value; `missing` for a required member. */
  received: JsonType;
  /**
   * `published`: Pingback documents the schema there; `inferred`: the spec's own inference
   * (`x-pingback-source: inferred`), so the spec may be what is wrong.
   */
  source: "published" | "inferred";
}

export interface DriftOptions {
  /** `report`: never throws, calls `onDrift`; `throw`: throws `PingbackDriftError` (for CI and tests). */
  mode: "report" | "throw";
  /** Called once per violation, in "report" mode. */
  onDrift?: ((event: DriftEvent) => void) | undefined;
  /** The share of answers checked, from 0 to 1 (default 1: every one). */
  sampleRate?: number | undefined;
}

/** At most this many violations are reported for one body. */
const MAX_EVENTS_PER_BODY = 20;

/** A body broke the spec, in "throw" mode: the answer's, or the request's before it was sent. */
export class PingbackDriftError extends Error {
  override readonly name = "PingbackDriftError";
  /** `METHOD /path/{param}`. */
  readonly operation: string;
  /** The answer's HTTP status; undefined when the request was refused before it was sent. */
  readonly status: number | undefined;
  /** Every violation found (at most 20), with the same fields as in "report" mode. */
  readonly violations: DriftEvent[];

  constructor(violations: DriftEvent[]) {
    const [first] = violations as [DriftEvent];
    const what =
      first.direction === "request"
        ? `${first.operation} was not sent: its body does not match the spec`
        : `${first.operation} answered ${first.status} with a body that does not match the spec`;
    const list = violations.map(
      (v) => `${v.pointer || "(body)"} ${v.rule} ${JSON.stringify(v.expected)}, got ${v.received}`,
    );
    super(`${what}: ${list.join("; ")}.`);
    this.operation = first.operation;
    this.status = first.status;
    this.violations = violations;
  }
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  parentSchema?: { "x-pingback-source"?: string };
}
type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
const TABLE = VALIDATORS as unknown as Record<string, Record<string, Validator>>;

function jsonType(value: unknown): JsonType {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value as JsonType;
}

/** The value a JSON pointer names in `body`. */
function at(body: unknown, pointer: string): unknown {
  let value = body;
  for (const token of pointer.split("/").slice(1)) {
    const key = token.replaceAll("~1", "/").replaceAll("~0", "~");
    value =
      value !== null && typeof value === "object"
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

/** The violations of `body` against the validator of `part` (`request` or a status), if any. */
export function driftOf(operation: string, part: "request" | number, body: unknown): DriftEvent[] {
  const parts = TABLE[operation];
  const validate =
    parts?.[part] ??
    (part === "request" ? undefined : (parts?.[`${String(part)[0]}XX`] ?? parts?.default));
  if (!validate || validate(body)) return [];
  return (validate.errors ?? []).slice(0, MAX_EVENTS_PER_BODY).map((error) => {
    // A missing member is reported where it should be, rather than at the object that lacks it.
    const missing = error.keyword === "required" ? error.params.missingProperty : undefined;
    const pointer =
      typeof missing === "string"
        ? `${error.instancePath}/${missing.replaceAll("~", "~0").replaceAll("/", "~1")}`
        : error.instancePath;
    return {
      operation,
      direction: part === "request" ? "request" : "response",
      status: part === "request" ? undefined : part,
      pointer,
      rule: error.keyword,
      expected: error.params,
      received: jsonType(at(body, pointer)),
      source: error.parentSchema?.["x-pingback-source"] === "inferred" ? "inferred" : "published",
    };
  });
}

const isJson = (headers: Headers) => /[/+]json\b/.test(headers.get("content-type") ?? "");

/** The body of a request or response as JSON, or undefined when it has none or is not JSON. */
async function jsonOf(message: Request | Response): Promise<{ body: unknown } | undefined> {
  if (message.body === null || !isJson(message.headers)) return undefined;
  const text = await message.clone().text();
  if (text === "") return undefined;
  try {
    return { body: JSON.parse(text) };
  } catch {
    // Not JSON after all: the client itself reports that with a clearer error.
    return undefined;
  }
}

function refuse(why: string): never {
  throw new TypeError(`checkDrift: ${why}`);
}

/**
 * openapi-fetch middleware that checks bodies against the spec; add it with `client.use(...)`.
 * Off unless added: a client that never imports `@pingback/client/drift` pays nothing for it.
 */
export function checkDrift(options: DriftOptions): Middleware {
  const { mode, onDrift, sampleRate = 1 } = options ?? ({} as DriftOptions);
  if (mode !== "report" && mode !== "throw") {
    refuse(`\`mode\` must be "report" or "throw", got ${JSON.stringify(mode)}.`);
  }
  if (mode === "report" && typeof onDrift !== "function") {
    refuse('`onDrift` must be a function in "report" mode: it receives each violation.');
  }
  if (typeof sampleRate !== "number" || !(sampleRate >= 0 && sampleRate <= 1)) {
    refuse(`\`sampleRate\` must be a number from 0 to 1, got ${String(sampleRate)}.`);
  }
  const found = (events: DriftEvent[]) => {
    if (events.length === 0) return;
    if (mode === "throw") throw new PingbackDriftError(events);
    for (const event of events) {
      try {
        onDrift?.(event);
      } catch (error) {
        // The call goes on: a reporting bug must not fail the request it reports on.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };
  return {
    async onRequest({ request, schemaPath }) {
      if (mode !== "throw") return undefined;
      const json = await jsonOf(request);
      if (json) found(driftOf(`${request.method} ${schemaPath}`, "request", json.body));
      return undefined;
    },
    async onResponse({ request, response, schemaPath }) {
      if (sampleRate < 1 && Math.random() >= sampleRate) return undefined;
      const json = await jsonOf(response);
      if (json) found(driftOf(`${request.method} ${schemaPath}`, response.status, json.body));
      return undefined;
    },
  };
}
