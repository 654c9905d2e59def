/** `createPingbackClient`: openapi-fetch for the spec's paths, with auth and a resilient transport. */
import { declaredHeaders, type paths } from "@pingback/types";
import createClient, {
  type Client,
  type FetchResponse,
  type MaybeOptionalInit,
  mergeHeaders,
} from "openapi-fetch";
import { PingbackAbortError, PingbackError, PingbackTimeoutError, redacted } from "./errors.js";
import { emitterOf } from "./events.js";
import { failedCallOf } from "./operation.js";
import {
  checkApiKey,
  checkBaseUrl,
  DEFAULT_BASE_URL,
  type PingbackClientOptions,
  type PingbackRequestOptions,
  refuse,
  resolveRateLimit,
  resolveRetry,
  resolveTimeout,
} from "./options.js";
import { type PageItem, type PaginatedPath, type PaginateInit, paginate } from "./paginate.js";
import { serializePath } from "./path.js";
import { createRateLimiter } from "./rate-limit.js";
import { createDeadlines } from "./timeout.js";
import { admit, type Call, createTransport, type Fetch, type Policy } from "./transport.js";

const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

type HttpMethod = Lowercase<(typeof METHODS)[number]>;
type Media = `${string}/${string}`;
// The types below take the spec's `paths` as a parameter (`Paths`) and are given it at the end, as
// openapi-fetch's own are. Written against `paths` directly, TypeScript resolved each method's init
// type over every path at the first call: 319,724 type instantiations at 1,000 operations, against
// 44,154 this way (`pnpm bench:scale --factor 100`, tools/src/scale/type-cost.ts).
/** The paths that have method `M` (openapi-fetch's `PathsWithMethod`, without its Client lookup). */
type PathOf<Paths, M extends HttpMethod> = {
  [P in keyof Paths]: Paths[P] extends { [K in M]: unknown } ? P : never;
}[keyof Paths];
/** What a call may pass as its init: openapi-fetch's, for that path and method. */
type AllowedInit<Paths, Path extends keyof Paths, M extends HttpMethod> = MaybeOptionalInit<
  Paths[Path],
  M & keyof Paths[Path]
>;
/** What a call resolves to: openapi-fetch's result of that operation. */
type Result<Paths, Path extends keyof Paths, M extends HttpMethod, Init> = Paths[Path][M &
  keyof Paths[Path]] extends infer Op extends Record<string | number, unknown>
  ? Promise<FetchResponse<Op, Init, Media>>
  : never;

/**
 * A call's init: openapi-fetch's (params, body, headers, signal, parseAs, ...) and this client's
 * `timeoutMs` and `retry`, and no other key. openapi-fetch itself accepts any key, so a misspelt
 * option (`timeout: 500`) would be ignored without a word.
 */
type Checked<Allowed, Init> = Init &
  PingbackRequestOptions & {
    [K in Exclude<keyof Init, keyof Allowed | keyof PingbackRequestOptions>]: never;
  };
type InitArg<Allowed, Init> = undefined extends Allowed
  ? [init?: Checked<NonNullable<Allowed>, Init>]
  : [init: Checked<Allowed, Init>];

type MethodOf<Paths, M extends HttpMethod> = <
  Path extends PathOf<Paths, M>,
  Init extends AllowedInit<Paths, Path, M>,
>(
  url: Path,
  ...init: InitArg<AllowedInit<Paths, Path, M>, Init>
) => Result<Paths, Path, M, Init>;

type RequestMethodOf<Paths> = <
  M extends HttpMethod,
  Path extends PathOf<Paths, M>,
  Init extends AllowedInit<Paths, Path, M>,
>(
  method: M,
  url: Path,
  ...init: InitArg<AllowedInit<Paths, Path, M>, Init>
) => Result<Paths, Path, M, Init>;

/** `client.GET`, `client.POST`, ...: openapi-fetch's method, with this client's options typed. */
export type PingbackMethod<M extends HttpMethod> = MethodOf<paths, M>;

/** `client.request(method, path, init)`, typed like the methods. */
export type PingbackRequestMethod = RequestMethodOf<paths>;

/** The typed openapi-fetch client of the Pingback API, plus `paginate`. */
export interface PingbackClient extends Omit<Client<paths>, "request" | (typeof METHODS)[number]> {
  request: PingbackRequestMethod;
  GET: PingbackMethod<"get">;
  PUT: PingbackMethod<"put">;
  POST: PingbackMethod<"post">;
  DELETE: PingbackMethod<"delete">;
  OPTIONS: PingbackMethod<"options">;
  HEAD: PingbackMethod<"head">;
  PATCH: PingbackMethod<"patch">;
  TRACE: PingbackMethod<"trace">;
  /**
   * Every item of a paginated list (`/contacts`, `/segments`), fetching page after page as the
   * loop asks for more. Throws `PingbackError` when a page fails.
   */
  paginate<P extends PaginatedPath>(
    path: P,
    init?: PaginateInit<P>,
  ): AsyncGenerator<PageItem<P>, void, undefined>;
}

/** The client's own headers, which go only to the operations that declare them. */
const OWN_HEADERS = ["x-api-key", "x-developer-mode"];

export function createPingbackClient(options: PingbackClientOptions): PingbackClient {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createPingbackClient: pass an options object: { apiKey, ... }.");
  }
  const apiKey = checkApiKey(options.apiKey);
  // As openai-node does: a key in a web page is a key anyone who opens it can read.
  const page = (globalThis as { window?: { document?: unknown } }).window;
  if (apiKey && !options.dangerouslyAllowBrowser && page?.document !== undefined) {
    refuse(
      "apiKey",
      "in a browser is readable by anyone: call Pingback from a server, or set `dangerouslyAllowBrowser: true`.",
    );
  }
  const rateLimit = resolveRateLimit(options.rateLimit);
  const emit = emitterOf(options.observers);
  let calls = 0;
  const policy: Policy = {
    sharedLimiter: !!rateLimit?.store,
    limiter: rateLimit && (rateLimit.store ?? createRateLimiter(rateLimit)),
    pause: { until: 0 },
  };
  const retry = resolveRetry(options.retry);
  const deadlines = createDeadlines();
  const timeoutMs = resolveTimeout(options.timeoutMs);
  // A plain object: openapi-fetch merges it into every request faster than a Headers.
  const headers: Record<string, string> = Object.fromEntries(
    mergeHeaders(options.headers, {
      "x-api-key": apiKey,
      "x-developer-mode": options.developerMode ? "true" : undefined,
    }),
  );
  const client = createClient<paths>({
    baseUrl: checkBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL, options.dangerouslyAllowHttpHosts),
    pathSerializer: serializePath,
    headers,
  });
  const transport = createTransport({
    ...policy,
    // Looked up on each call, so a fetch replaced after construction (a test, a polyfill) is used.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
  });
  /**
   * The headers an operation must not get, which the transport removes from its request: the
   * client's own headers it does not declare and, for an operation that takes no key (a webhook
   * intake, whose URL is its secret), the key and every header of the `headers` option, even
   * one the request sets itself. Computed once per declared set (the generated table's).
   */
  const withheld = new Map<readonly string[], string[]>();
  function withheldFrom(declared: readonly string[]): string[] {
    let names = withheld.get(declared);
    if (!names) {
      names = declared.includes("x-api-key")
        ? OWN_HEADERS.filter((name) => !declared.includes(name))
        : ["x-api-key", ...Object.keys(headers)];
      withheld.set(declared, names);
    }
    return names;
  }
  type Init =
    | (PingbackRequestOptions & {
        fetch?: Fetch;
        signal?: AbortSignal;
        params?: { path?: Record<string, unknown> };
      })
    | undefined;
  type Answer = { error?: unknown; response: Response };
  const request = client.request as unknown as (m: string, u: string, i: Init) => Promise<Answer>;
  async function send(method: string, url: string, init: Init): Promise<Answer> {
    const operation = `${method.toUpperCase()} ${url}`;
    const declared = declaredHeaders(url, method);
    const takesKey = declared.includes("x-api-key");
    if (!apiKey && takesKey) {
      refuse("apiKey", `is needed by ${operation}: this client was created without one.`);
    }
    const ms =
      init?.timeoutMs === undefined ? timeoutMs : resolveTimeout(init.timeoutMs, operation);
    const callId = ++calls;
    const call: Call = {
      operation,
      note: emit && ((event) => emit({ callId, operation, ...event })),
      // A request's own options are checked here, before the call waits for anything.
      retry: init?.retry === undefined ? retry : resolveRetry(init.retry, retry, operation),
      deadline: deadlines.start(ms, init?.signal),
      phase: "queue",
      withheld: withheldFrom(declared),
    };
    const { deadline, note } = call;
    const start = note && performance.now();
    note?.({
      type: "call",
      // A function, so that a printed event holds no value; none for an operation that takes
      // no key (a webhook intake), whose path is its secret.
      pathParams: takesKey ? () => init?.params?.path ?? {} : undefined,
    });
    let result: Answer | undefined;
    let error: unknown;
    let failed = false;
    try {
      // The first attempt's slot is taken before openapi-fetch builds the request: a queued call
      // holds its init, not a Request (about 8 kB with its signal and body). What openapi-fetch
      // refuses (a missing path parameter in plain JS) is refused when the call's turn comes.
      call.slot = await admit(policy, call, 1);
      // Each call's own fetch, bound to the call: it stays the call's even when a middleware
      // answers with a Request of its own. A request's own `fetch` gets the limit, retries and
      // deadline too.
      const transportOf = init?.fetch
        ? createTransport({ ...policy, fetch: init.fetch })
        : transport;
      result = await request(method, url, {
        ...init,
        fetch: (sent: Request) => transportOf(sent, call),
        // openapi-fetch fills the path only when `params.path` exists: without it, plain JS would
        // send the literal `{email}`. An empty one makes the serializer name what is missing.
        ...(!init?.params?.path && url.includes("{") && { params: { ...init?.params, path: {} } }),
      } as Init);
    } catch (caught) {
      failed = true;
      error = caught;
      const { signal } = deadline;
      // The deadline or the caller ended the call, wherever it was: in the queue, in fetch, in
      // the body (fetch aborts it with the signal), or in a wait between attempts.
      if (signal.aborted) {
        const timedOut = deadline.timedOut();
        error = timedOut
          ? new PingbackTimeoutError(ms, { operation, phase: call.phase })
          : new PingbackAbortError(signal.reason, operation, call.phase);
        if (timedOut) note?.({ type: "timeout", timeoutMs: ms, phase: call.phase });
      } else if (caught instanceof SyntaxError && call.response) {
        // A 2xx whose body is not JSON: an HTML page from a proxy, or a baseUrl that is not the API.
        const { status, headers } = call.response;
        error = new PingbackError({
          status,
          body: undefined,
          operation,
          reason: `the body is not JSON (content-type: ${headers.get("content-type")}); is \`baseUrl\` the API's?`,
          cause: caught,
          headers,
        });
      }
    } finally {
      // Still here if openapi-fetch never reached fetch (a serializer or a middleware threw, or a
      // middleware answered): the transport did not take the slot over.
      call.slot?.();
      deadline.clear();
    }
    const body = result?.error as { errorCode?: unknown; requestId?: unknown } | undefined;
    if (note) {
      note({
        type: "call-end",
        durationMs: performance.now() - (start as number),
        status: (result?.response ?? call.response)?.status,
        ...(typeof body?.errorCode === "string" && { errorCode: body.errorCode }),
        ...(typeof body?.requestId === "string" && { requestId: body.requestId }),
        ...(failed && { error: error instanceof Error ? error.name : typeof error }),
      });
    }
    if (failed || !result) throw error;
    // A server may echo the key it refused: the result's `error` is redacted like a PingbackError.
    const key = body && failedCallOf(result.response)?.apiKey;
    return key ? { ...result, error: redacted(body, key) } : result;
  }
  const loose = client as unknown as Record<string, unknown>;
  loose.request = (method: string, url: string, init: Init) => send(method, url, init);
  for (const method of METHODS) {
    loose[method] = (url: string, init: Init) => send(method, url, init);
  }
  return Object.assign(client as unknown as Omit<PingbackClient, "paginate">, {
    paginate<P extends PaginatedPath>(path: P, init?: PaginateInit<P>) {
      return paginate(client.GET as Parameters<typeof paginate>[0], path, init);
    },
  });
}
