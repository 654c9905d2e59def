/**
 * The fake's core: a `Request` in, a `Response` out, with no Node built-in, so it runs wherever the
 * client runs. The pipeline per request: the rate limit (counted on arrival), the named faults'
 * `before` hooks, the checks the spec describes (route, key, body, parameters, schema), Pingback's
 * semantics on the state, the faults' `after` hooks, then the latency.
 */
import { BUNDLED_SPEC, type JsonObject, type Operation, readSpec } from "./document.js";
import {
  createFault,
  type FaultContext,
  type FaultHooks,
  type FaultName,
  type FaultOptions,
  type Incoming,
} from "./faults.js";
import { Limiter, type RateLimit } from "./limiter.js";
import { coerce, violation } from "./schema.js";
import { type Answer, type Call, SEMANTICS } from "./semantics.js";
import { clone, type FakeSeed, type FakeState, Store } from "./state.js";

/** The key the fake accepts when no `apiKey` is given. */
export const DEFAULT_FAKE_API_KEY = "pingback-fake-key";
/** Shown instead of the key wherever the fake reports a request. */
export const REDACTED = "[redacted]";
/** Header that tells a test why the fake refused a request (the body stays the API's own). */
export const REASON_HEADER = "x-pingback-fake-reason";

export interface FakePingbackOptions {
  /** The API key the fake accepts (default `pingback-fake-key`); any other key, or none, is answered 403. */
  apiKey?: string;
  /** What the account holds at the start, and again after `reset()`. */
  seed?: FakeSeed;
  /** The API's limit, counted on arrival (default 5/s, burst 2, 2 in flight), other numbers, or `false` for none. */
  rateLimit?: Partial<RateLimit> | false;
  /** Time every answer takes, so requests overlap as on a real network (default 0). */
  latencyMs?: number;
  /** The clock for `createdAt` and other timestamps, in ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** The source of new ids (default `crypto.randomUUID`); see `sequentialIds()`. */
  ids?: () => string;
  /** Faults on from the start (kept by `reset()`). */
  faults?: (FaultName | [FaultName, FaultOptions])[];
  /** Another bundled OpenAPI document to derive the fake from (default: the spec this package was built with). */
  spec?: object;
}

/** A request the fake received, as a test may inspect it: never the key. */
export interface FakeRequest {
  method: string;
  /** The path after the API's base path, with its query: `/contacts?page=1`. */
  path: string;
  operationId: string | undefined;
  /** `valid`, `wrong` or `missing`: what the request carried as `x-api-key`. */
  apiKey: "valid" | "wrong" | "missing";
  developerMode: boolean;
  /** The request's headers, with `x-api-key` shown as `[redacted]`. */
  headers: Record<string, string>;
  /** The parsed JSON body, the raw text when it is not JSON, or undefined. */
  body: unknown;
  /** The status answered (0 for a reset connection). */
  status: number;
  /** Why the fake refused it, when it did (the same text as the `x-pingback-fake-reason` header). */
  reason: string | undefined;
}

/** A running HTTP server of the fake. */
export interface FakeServer {
  /** `http://127.0.0.1:<port>/v2`: the base URL to give the client. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Also answer the control routes under `/__fake/` (state, requests, reset, faults, seed), as `pingback-fake` does. */
  control?: boolean;
}

export interface FakePingback {
  /** The key the fake accepts. */
  readonly apiKey: string;
  /** The API's base URL from the spec (`https://connect.pingback.com/v2`): what `fetch` answers under. */
  readonly url: string;
  /** A `fetch` that answers as Pingback: pass it as the client's `fetch` option. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Serves the fake over HTTP on 127.0.0.1 (Node). */
  listen(options?: ListenOptions): Promise<FakeServer>;
  /** Adds to what the account holds. */
  seed(seed: FakeSeed): void;
  /** A copy of everything the fake holds. */
  state(): FakeState;
  /** Every request received since the start or the last `reset()`, in order. */
  readonly requests: readonly FakeRequest[];
  /** Turns a named fault on, until `reset()` or its `times` run out. */
  fault(name: FaultName, options?: FaultOptions): void;
  /** Back to the seed: state, requests, faults (but those given at creation) and the rate limit. */
  reset(): void;
  /** Closes every server `listen()` opened. */
  close(): Promise<void>;
}

/** Ids `00000000-0000-4000-8000-000000000001`, `…002`, …: valid uuids a test can predict. */
export function sequentialIds(start = 1): () => string {
  let next = start;
  return () => `00000000-0000-4000-8000-${(next++).toString(16).padStart(12, "0")}`;
}

interface ActiveFault {
  hooks: FaultHooks;
  operations: Set<string> | undefined;
  left: number;
}

export function createFakePingback(options: FakePingbackOptions = {}): FakePingback {
  const spec = readSpec((options.spec as JsonObject | undefined) ?? BUNDLED_SPEC);
  const { document, catalogue } = spec;
  const apiKey = options.apiKey ?? DEFAULT_FAKE_API_KEY;
  const nowMs = options.now ?? Date.now;
  const now = () => new Date(nowMs()).toISOString();
  const newId = options.ids ?? (() => crypto.randomUUID());
  const latencyMs = options.latencyMs ?? 0;
  const limiter = options.rateLimit === false ? undefined : new Limiter(options.rateLimit ?? {});
  const servers = new Set<FakeServer>();
  const url = String(
    (Array.isArray(document.servers) && (document.servers[0] as JsonObject | undefined)?.url) ||
      "http://pingback.invalid",
  ).replace(/\/+$/, "");

  let store = new Store(newId, now);
  let requests: FakeRequest[] = [];
  let faults: ActiveFault[] = [];

  const fail = (code: string, status?: number): Answer => ({
    status: status ?? catalogue.get(code)?.status ?? 500,
    body: { error: catalogue.get(code)?.message ?? code, requestId: newId(), errorCode: code },
  });
  const faultContext: FaultContext = {
    apiKey,
    limit: limiter?.limit,
    serve: (path, headers) =>
      core(incomingOf({ method: "GET", url: new URL(path, url).href, headers, text: "" }), ""),
    fail,
    nowMs: () => performance.now(),
    store: () => store,
    newId,
  };
  const addFault = (name: FaultName, given: FaultOptions = {}) => {
    const ids = given.operationId;
    faults.push({
      hooks: createFault(name, given, faultContext),
      operations: ids === undefined ? undefined : new Set(Array.isArray(ids) ? ids : [ids]),
      left:
        name === "5xx-then-ok"
          ? Number.POSITIVE_INFINITY
          : (given.times ?? Number.POSITIVE_INFINITY),
    });
  };
  const start = () => {
    store = new Store(newId, now);
    if (options.seed) store.seed(options.seed);
    requests = [];
    faults = [];
    for (const f of options.faults ?? []) Array.isArray(f) ? addFault(f[0], f[1]) : addFault(f);
    limiter?.reset();
  };
  start();

  const route = (method: string, path: string): Operation | "wrong-method" | undefined => {
    let pathMatched = false;
    for (const op of spec.operations) {
      if (!op.match.test(path)) continue;
      if (op.method === method) return op;
      pathMatched = true;
    }
    return pathMatched ? "wrong-method" : undefined;
  };

  const incomingOf = (request: Received, text = ""): Incoming => {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(`${spec.basePath}/`)
      ? url.pathname.slice(spec.basePath.length)
      : url.pathname;
    const found = route(request.method.toUpperCase(), path);
    return {
      method: request.method.toUpperCase(),
      path,
      url,
      headers: new Headers(request.headers),
      text,
      op: typeof found === "object" ? found : undefined,
      skip: new Set(),
      ...(found === "wrong-method" && { wrongMethod: true }),
    } as Incoming;
  };

  /** The checks the spec describes, then the semantics. */
  const core = async (incoming: Incoming, text: string): Promise<Answer> => {
    const { op } = incoming;
    const refuse = (code: string, reason: string): Answer => ({ ...fail(code), reason });
    if (!op) {
      const wrongMethod = (incoming as { wrongMethod?: boolean }).wrongMethod === true;
      return {
        status: wrongMethod ? 405 : 404,
        body: {
          error: wrongMethod
            ? `The spec has no ${incoming.method} operation on ${incoming.path}.`
            : `No operation of the spec matches ${incoming.method} ${incoming.path}.`,
          requestId: newId(),
          errorCode: wrongMethod ? "METHOD_NOT_ALLOWED" : "NOT_FOUND",
        },
        reason: "no operation of the spec matches this request",
      };
    }
    if (op.needsKey && incoming.headers.get("x-api-key") !== apiKey)
      return refuse(
        "FORBIDDEN",
        incoming.headers.has("x-api-key")
          ? "x-api-key is not the fake's key"
          : "x-api-key is missing",
      );
    if (op.body?.required && text === "")
      return refuse("MISSING_BODY", `${op.operationId} needs a JSON body`);
    const params: Record<string, unknown> = {};
    const query: Record<string, unknown> = {};
    const pathValues = op.match.exec(incoming.path)?.slice(1) ?? [];
    for (const p of op.parameters) {
      let raw: string | null;
      if (p.in === "path") {
        const index = op.pathNames.indexOf(p.name);
        raw = index < 0 ? null : safeDecode(pathValues[index] ?? "");
      } else if (p.in === "query") raw = incoming.url.searchParams.get(p.name);
      else raw = incoming.headers.get(p.name);
      if (raw === null || raw === "") {
        if (p.required) return paramsError(op, p.in, `${p.in} parameter ${p.name} is missing`);
        continue;
      }
      const value = coerce(document, p.schema, raw);
      const formats = !incoming.skip.has("parameter-formats");
      const broken = violation(document, p.schema, value, `${p.in} parameter ${p.name}`, formats);
      if (broken) return paramsError(op, p.in, broken);
      (p.in === "query" ? query : params)[p.name] = value;
    }
    let body: Record<string, unknown> | undefined;
    if (op.body && text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return refuse("INVALID_INPUT", "the body is not JSON");
      }
      const formats = !incoming.skip.has("body-formats");
      const broken = violation(document, op.body.schema, body, "body", formats);
      if (broken) return refuse("INVALID_INPUT", broken);
    }
    const handler = SEMANTICS[op.operationId];
    if (!handler)
      return {
        status: 501,
        body: {
          error: `not implemented by the fake: ${op.operationId}`,
          requestId: newId(),
          errorCode: "NOT_IMPLEMENTED_BY_FAKE",
        },
        reason: `not implemented by the fake: ${op.operationId} (${op.method} ${op.path}). Update @pingback/testing, or use a fault to answer it.`,
      };
    const developerMode = params["x-developer-mode"] === true;
    const call: Call = {
      op,
      params,
      query,
      body,
      developerMode,
      data: store.mode(developerMode),
      store,
      fail,
      ok: (status, data) => {
        const example = op.examples.get(String(status))?.[0];
        const base = isRecord(example) ? clone(example) : {};
        return { status, body: data === undefined ? base : { ...base, data } };
      },
      page: (items, show) => {
        const page = typeof query.page === "number" ? query.page : 0;
        const size = op.pageSize ?? 10;
        return call.ok(200, {
          page,
          total: items.length,
          data: items.slice(page * size, (page + 1) * size).map(show),
        });
      },
      newId,
      now,
    };
    return handler(call);
  };

  const paramsError = (op: Operation, where: string, reason: string): Answer => {
    const examples = (op.examples.get(String(catalogue.get("INVALID_PARAMS")?.status ?? 422)) ?? [])
      .filter(isRecord)
      .filter((e) => e.errorCode === "INVALID_PARAMS");
    // The published messages name the missing path parameter (CONTACT_EMAIL_IS_NECESSARY); others are generic.
    const named = examples.find(
      (e) => typeof e.error === "string" && /_IS_NECESSARY$/.test(e.error),
    );
    const generic = examples.find((e) => e !== named);
    const chosen = where === "path" ? (named ?? generic) : (generic ?? named);
    const answer = fail("INVALID_PARAMS");
    if (chosen && typeof chosen.error === "string")
      (answer.body as Record<string, unknown>).error = chosen.error;
    return { ...answer, reason };
  };

  const respond = async (request: Received): Promise<Answer> => {
    const admitted = limiter ? limiter.admit() : true;
    try {
      const { text } = request;
      const incoming = incomingOf(request, text);
      const key = incoming.headers.get("x-api-key");
      const record: FakeRequest = {
        method: incoming.method,
        path: `${incoming.path}${incoming.url.search}`,
        operationId: incoming.op?.operationId,
        apiKey: key === null ? "missing" : key === apiKey ? "valid" : "wrong",
        developerMode: incoming.headers.get("x-developer-mode") === "true",
        headers: redact(incoming.headers),
        body: parseOrText(text),
        status: 0,
        reason: undefined,
      };
      requests.push(record);
      let early: Answer | undefined;
      const active = faults.filter(
        (f) =>
          f.left > 0 &&
          (!f.operations || (incoming.op && f.operations.has(incoming.op.operationId))),
      );
      for (const f of active) f.left -= 1;
      if (!admitted) early = { ...fail("TOO_MANY_REQUESTS"), reason: "over the rate limit" };
      else
        for (const f of active) {
          early = f.hooks.before?.(incoming);
          if (early) break;
        }
      let answer = early ?? (await core(incoming, text));
      for (const f of active) if (f.hooks.after) answer = await f.hooks.after(incoming, answer);
      faults = faults.filter((f) => f.left > 0);
      record.status = answer.reset ? 0 : answer.status;
      record.reason = answer.reason;
      await pause(latencyMs + (answer.delayMs ?? 0), request.signal);
      return answer;
    } finally {
      if (admitted) limiter?.release();
    }
  };

  /** The control routes: the JavaScript API over HTTP, for tests in other languages. */
  const control = async (request: Request): Promise<Response | undefined> => {
    const { pathname } = new URL(request.url);
    if (!pathname.startsWith("/__fake/")) return undefined;
    const route = `${request.method} ${pathname.slice("/__fake".length)}`;
    const json = (status: number, body: unknown) => Response.json(body, { status });
    try {
      if (route === "GET /state") return json(200, store.snapshot());
      if (route === "GET /requests") return json(200, fake.requests);
      if (route === "POST /reset") {
        start();
        return json(200, { reset: true });
      }
      if (route === "POST /seed") {
        store.seed((await request.json()) as FakeSeed);
        return json(200, { seeded: true });
      }
      if (route === "POST /faults") {
        const { name, options: given } = (await request.json()) as {
          name: FaultName;
          options?: FaultOptions;
        };
        addFault(name, given);
        return json(200, { fault: name });
      }
      return json(404, {
        error: `no control route ${route}: GET /__fake/state, GET /__fake/requests, POST /__fake/reset, POST /__fake/seed, POST /__fake/faults`,
      });
    } catch (error) {
      return json(400, { error: error instanceof Error ? error.message : String(error) });
    }
  };

  const fake: FakePingback = {
    apiKey,
    url,
    fetch: async (input, init) => {
      const request =
        input instanceof Request && init === undefined ? input : new Request(input, init);
      request.signal.throwIfAborted();
      const { method, url, headers, signal } = request;
      const answer = await respond({ method, url, headers, signal, text: await request.text() });
      if (answer.reset) throw connectionReset();
      return toResponse(answer);
    },
    listen: async (listenOptions = {}) => {
      const { serve } = await import("./listen.js");
      const server = await serve(
        respond,
        listenOptions,
        spec.basePath,
        listenOptions.control ? control : undefined,
      );
      const tracked: FakeServer = {
        ...server,
        close: async () => {
          servers.delete(tracked);
          await server.close();
        },
      };
      servers.add(tracked);
      return tracked;
    },
    seed: (seed) => store.seed(seed),
    state: () => store.snapshot(),
    get requests() {
      return requests.map((r) => clone(r));
    },
    fault: addFault,
    reset: start,
    close: async () => {
      await Promise.all([...servers].map((s) => s.close()));
    },
  };
  return fake;
}

/** A request as the core reads it: what a `Request` or Node's `IncomingMessage` carries. */
export interface Received {
  method: string;
  url: string;
  headers: Headers;
  /** The body, read whole ("" when none). */
  text: string;
  signal?: AbortSignal;
}

/** An answer as the wire carries it: status, headers, body. */
export function render(answer: Answer): {
  status: number;
  headers: Record<string, string>;
  body: string;
} {
  const headers: Record<string, string> = {};
  if (answer.reason) headers[REASON_HEADER] = answer.reason.replace(/[^\x20-\x7e]/g, "?");
  if (answer.text) {
    headers["content-type"] = answer.text.contentType;
    return { status: answer.status, headers, body: answer.text.content };
  }
  headers["content-type"] = "application/json; charset=utf-8";
  const body = answer.body === undefined ? "" : JSON.stringify(answer.body);
  return { status: answer.status, headers, body };
}

/** Renders an answer as the API would send it. */
export function toResponse(answer: Answer): Response {
  const { status, headers, body } = render(answer);
  return new Response(body, { status, headers });
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (a client's timeout). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    if (signal.aborted) abort();
    else signal.addEventListener("abort", abort, { once: true });
  });
}

/** What `fetch` throws when the server resets the connection (as undici does). */
function connectionReset(): TypeError {
  const cause = Object.assign(new Error("read ECONNRESET (connection-reset fault)"), {
    code: "ECONNRESET",
  });
  return new TypeError("fetch failed", { cause });
}

function redact(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = name === "x-api-key" ? REDACTED : value;
  });
  return out;
}

function parseOrText(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
