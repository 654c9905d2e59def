import {
  createPingbackClient,
  DEFAULT_RATE_LIMIT,
  type PingbackClient,
  type RateLimitOptions,
  type RetryOptions,
} from "@pingback/client";
import { isJson, mediaOf, type RequestSpec, responses, schemaPointer } from "./cases.js";
import { conventions, errorFields } from "./catalogue.js";
import { type Arrival, type Limit, rateLimitVerdict } from "./live-limit.js";
import {
  type Answered,
  type LiveCase,
  type LivePlan,
  RATE_LIMIT_CASE,
  unpublishedSuccess,
} from "./live-plan.js";
import type { Exchange } from "./send.js";
import { type JsonObject, type Operation, operations } from "./spec.js";
import type { SchemaValidator } from "./validator.js";

/** Sent by the wrong-key check: a well-formed key that is no account's. */
const WRONG_KEY = "contract-tests-wrong-key-0000000000000000";

/** The published limit, as the client knows it: 5 requests per second, burst 2, 2 in flight. */
const DOCUMENTED_LIMIT: Limit = {
  requestsPerSecond: DEFAULT_RATE_LIMIT.requestsPerSecond,
  burst: DEFAULT_RATE_LIMIT.burst,
  maxInFlight: DEFAULT_RATE_LIMIT.maxInFlight,
};

/** Where a live run goes. The limits default to the client's own (the API's published ones). */
export interface LiveTarget {
  baseUrl: string;
  apiKey: string;
  developerMode: boolean;
  rateLimit?: RateLimitOptions;
  retry?: RetryOptions;
  /** The limit the server publishes, which its 429s are judged against (default: the client's, 5/s, burst 2, 2 in flight). */
  documentedLimit?: Limit;
  /** How far apart the network may move two requests between leaving here and arriving there (default 100 ms). */
  jitterMs?: number;
  /** The fetch that reaches the server (default `globalThis.fetch`): an in-process fake's own. */
  fetch?: (input: Request, init?: RequestInit) => Promise<Response>;
}

/**
 * Retries per request in a live run: one more than the client's default, since a 429 proves nothing
 * and each one is worth another try; the backoff between them is the client's own.
 */
export const LIVE_RETRIES = 3;

export type Verdict = "pass" | "fail" | "not run";

/** One case as the report shows it: never the key. */
export interface CaseResult {
  name: string;
  check: LiveCase["check"];
  operationId: string;
  /** `GET /contacts/…@example.com [no key]`: the request as sent, without the key. */
  request: string;
  /** The final status received, or null when nothing was sent. */
  status: number | null;
  verdict: Verdict;
  why: string[];
  /** What the report should say that is neither a failure nor a warning. */
  notes: string[];
  /** 429s met (each retried by the client). */
  tooManyRequests: number;
  changesData: boolean;
}

export interface LiveRun {
  results: CaseResult[];
  wallMs: number;
  tooManyRequests: number;
  /** Every attempt sent, with when it left and when its answer came. */
  arrivals: Arrival[];
}

/** One attempt of a request as it came back (the client may retry it). */
interface Attempt {
  status: number;
  mediaType: string | null;
  body: unknown;
}

type Method = "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
type Call = (
  path: string,
  init: object,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/**
 * Runs every case of the plan against a server, through `@pingback/client` with its rate limit
 * and retries on: cases start together and the client's limiter sets the pace; a case that reads
 * another's answer waits for it.
 */
export async function runLive(
  document: JsonObject,
  plan: LivePlan,
  target: LiveTarget,
  validator: SchemaValidator,
): Promise<LiveRun> {
  const started = performance.now();
  const client = createPingbackClient({
    apiKey: target.apiKey,
    baseUrl: target.baseUrl,
    developerMode: target.developerMode,
    ...(target.rateLimit && { rateLimit: target.rateLimit }),
    retry: { retries: LIVE_RETRIES, ...target.retry },
  });
  const ops = new Map(operations(document).map((op) => [op.operationId, op]));
  const answers = new Map<string, Answered>();
  const arrivals: Arrival[] = [];
  const running = new Map<string, Promise<CaseResult>>();
  const byName = new Map(plan.cases.map((c) => [c.name, c]));
  const run = (c: LiveCase): Promise<CaseResult> => {
    let promise = running.get(c.name);
    if (!promise) {
      promise = (async () => {
        for (const first of c.after ?? []) {
          const before = byName.get(first);
          if (before) await run(before);
        }
        for (const need of c.needs) {
          const source = byName.get(need);
          const before = source && (await run(source));
          // A case that builds on one not run is not run either, for the same reason.
          if (before?.verdict === "not run" && !c.notRun)
            return runCase(
              document,
              ops,
              client,
              validator,
              plan,
              { ...c, notRun: `${need} was not run (${before.why.join("; ")})` },
              answers,
              arrivals,
              target.fetch ?? globalThis.fetch,
            );
        }
        return runCase(
          document,
          ops,
          client,
          validator,
          plan,
          c,
          answers,
          arrivals,
          target.fetch ?? globalThis.fetch,
        );
      })();
      running.set(c.name, promise);
    }
    return promise;
  };
  // Lists are paged before anything is created, so the run's own creates cannot shift the pages.
  const sent = plan.cases.filter((c) => c.check !== "rate-limit");
  await Promise.all(
    sent.filter((c) => c.check === "pagination" || c.check === "past-last-page").map(run),
  );
  const results = await Promise.all(sent.map(run));
  const rate = plan.cases.find((c) => c.check === "rate-limit");
  if (rate) {
    const limit = target.documentedLimit ?? DOCUMENTED_LIMIT;
    const verdict = rateLimitVerdict(arrivals, limit, target.jitterMs ?? 100);
    results.push({
      name: RATE_LIMIT_CASE,
      check: "rate-limit",
      operationId: rate.operationId,
      request: `${arrivals.length} requests sent`,
      status: null,
      verdict: verdict.stricter.length > 0 ? "fail" : "pass",
      why: verdict.stricter,
      notes: [verdict.measured],
      tooManyRequests: 0,
      changesData: false,
    });
  }
  return {
    results,
    wallMs: performance.now() - started,
    tooManyRequests: results.reduce((sum, r) => sum + r.tooManyRequests, 0),
    arrivals,
  };
}

async function runCase(
  document: JsonObject,
  ops: Map<string, Operation>,
  client: PingbackClient,
  validator: SchemaValidator,
  plan: LivePlan,
  c: LiveCase,
  answers: Map<string, Answered>,
  arrivals: Arrival[],
  fetch: NonNullable<LiveTarget["fetch"]>,
): Promise<CaseResult> {
  const result: CaseResult = {
    name: c.name,
    check: c.check,
    operationId: c.operationId,
    request: "(not sent)",
    status: null,
    verdict: "not run",
    why: [],
    notes: [...(c.notes ?? [])],
    tooManyRequests: 0,
    changesData: c.changesData,
  };
  const op = ops.get(c.operationId);
  if (c.notRun || !op) {
    result.why.push(c.notRun ?? "not in the spec");
    return result;
  }
  const request = c.build(answers);
  if ("blocked" in request) {
    result.verdict = "fail";
    result.why.push(`not sent: ${request.blocked}`);
    return result;
  }
  result.request = describe(request, c);
  const attempts: Attempt[] = [];
  let got: Exchange;
  try {
    got = await send(client, request, c, attempts, arrivals, fetch);
  } catch (error) {
    result.verdict = "fail";
    result.why.push(`no answer: ${error instanceof Error ? error.message : String(error)}`);
    return result;
  }
  result.status = got.status;
  const limited = attempts.filter((attempt) => attempt.status === 429);
  result.tooManyRequests = limited.length;
  const why = judge(document, op, c, got, validator, attempts);
  why.push(...conventions(plan.catalogue, got.status, got.body));
  // A 429 is an answer too: documented status, media type and shape, before the client retries it.
  if (got.status !== 429)
    for (const [index, attempt] of limited.entries()) {
      const said = [
        ...documentedAnswer(document, op, { ...attempt, headers: new Headers() }, validator),
        ...conventions(plan.catalogue, 429, attempt.body),
      ];
      why.push(...said.map((line) => `the 429 of attempt ${index + 1} (retried): ${line}`));
    }
  if (why.length === 0 && c.verify) why.push(...c.verify(got, request, answers));
  // A value the user supplied is the first suspect when a case fails: say which variable it was.
  if (why.length > 0 && c.fromEnv?.length)
    why.push(
      `the request carries values from ${c.fromEnv.join(", ")}: check that the account holds them`,
    );
  result.why = why;
  result.verdict = why.length === 0 ? "pass" : "fail";
  if (result.verdict === "pass" && result.tooManyRequests > 0)
    result.notes.push(`verified after ${result.tooManyRequests} × 429, retried by the client`);
  answers.set(c.name, { request, exchange: got, passed: result.verdict === "pass" });
  return result;
}

/** Sends one case through the shared client; the per-request fetch sets the key and records each attempt. */
async function send(
  client: PingbackClient,
  request: RequestSpec,
  c: LiveCase,
  attempts: Attempt[],
  arrivals: Arrival[],
  fetch: NonNullable<LiveTarget["fetch"]>,
): Promise<Exchange> {
  let last: Response | undefined;
  const fetchAttempt = async (input: Request, init?: RequestInit) => {
    let outgoing = input;
    if (c.auth !== "key") {
      const headers = new Headers(input.headers);
      if (c.auth === "none") headers.delete("x-api-key");
      else headers.set("x-api-key", WRONG_KEY);
      outgoing = new Request(input, { headers });
    }
    if (c.rawBody !== undefined) outgoing = new Request(outgoing, { body: c.rawBody });
    const arrival: Arrival = { sentMs: performance.now(), answeredMs: null, status: null };
    arrivals.push(arrival);
    const response = await fetch(outgoing, init);
    arrival.answeredMs = performance.now();
    arrival.status = response.status;
    const attempt: Attempt = {
      status: response.status,
      mediaType: mediaTypeOf(response),
      body: undefined,
    };
    if (response.status === 429) attempt.body = parseBody(await response.clone().text());
    attempts.push(attempt);
    last = response.clone();
    return response;
  };
  const headers: Record<string, string> = { ...request.headers };
  if (c.productionRead) headers["x-developer-mode"] = "false";
  const init: Record<string, unknown> = {
    params: { path: request.pathParams, query: request.query },
    headers,
    fetch: fetchAttempt,
  };
  if (request.body !== undefined) init.body = request.body;
  const method = request.method.toUpperCase() as Method;
  const call = (client as unknown as Record<Method, Call>)[method];
  // The answer is read from the wire, not from the client's parsing: nothing hides or rewrites it.
  let failure: unknown;
  await call(request.path, init).catch((error: unknown) => {
    failure = error;
  });
  const answer = last as Response | undefined;
  if (!answer) throw failure instanceof Error ? failure : new Error(String(failure));
  const text = await answer.text();
  return {
    status: answer.status,
    mediaType: mediaTypeOf(answer),
    body: parseBody(text),
    headers: answer.headers,
  };
}

function mediaTypeOf(response: Response): string | null {
  return response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? null;
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The verdict on one answer: no 5xx, a real answer (not 429), the expected status and code, and an
 * answer the spec documents (status, media type, schema by our own validator).
 */
function judge(
  document: JsonObject,
  op: Operation,
  c: LiveCase,
  got: Exchange,
  validator: SchemaValidator,
  attempts: Attempt[],
): string[] {
  const why: string[] = [];
  const fields = errorFields(got.body);
  const said = [
    typeof fields.errorCode === "string" ? fields.errorCode : "",
    typeof fields.requestId === "string" ? `(requestId ${fields.requestId})` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const received = `${got.status}${said ? ` ${said}` : ""}`;
  const serverErrors = attempts.map((a) => a.status).filter((status) => status >= 500);
  if (serverErrors.length > 0 && got.status < 500)
    why.push(
      `${c.operationId}: answered ${serverErrors.join(", ")} before ${got.status} (a 5xx always fails)`,
    );
  if (got.status === 429) {
    why.push(
      `${c.operationId}: no real answer: 429 on all ${attempts.length} attempts (the client's backoff retried each)`,
    );
    return why;
  }
  const { status, codes } = c.expect;
  const statusOk = status === "2xx" ? got.status >= 200 && got.status < 300 : got.status === status;
  if (!statusOk) {
    why.push(`${c.operationId}: expected ${status}, got ${received}`);
    return why;
  }
  if (codes && typeof fields.errorCode === "string" && !codes.includes(fields.errorCode))
    why.push(`${c.operationId}: expected errorCode ${codes.join(" or ")}, got ${received}`);
  why.push(...documentedAnswer(document, op, got, validator));
  return why;
}

/** The answer is one the spec documents: its status, its media type, its schema. */
function documentedAnswer(
  document: JsonObject,
  op: Operation,
  got: Exchange,
  validator: SchemaValidator,
): string[] {
  const documented = new Map(responses(document, op));
  const success = got.status >= 200 && got.status < 300;
  const response =
    documented.get(String(got.status)) ?? (success ? unpublishedSuccess(document, op) : undefined);
  if (!response) {
    if (
      got.status >= 200 &&
      got.status < 300 &&
      ![...documented.keys()].some((s) => s.startsWith("2"))
    )
      return [];
    return [
      `${op.operationId}: status ${got.status} is not documented (documented: ${[...documented.keys()].join(", ")})`,
    ];
  }
  const { media, mediaTypes } = mediaOf(document, response);
  if (media.length === 0) return [];
  const index = got.mediaType === null ? -1 : mediaTypes.indexOf(got.mediaType);
  const item = media[index];
  if (!item)
    return [
      `${op.operationId}: ${got.status} answered ${got.mediaType ?? "no content type"}, documented ${mediaTypes.join(", ")}`,
    ];
  const pointer = schemaPointer(document, item);
  if (!pointer || !isJson(mediaTypes[index] ?? "")) return [];
  return validator
    .violations(pointer, got.body)
    .map(
      (violation) =>
        `${op.operationId}: ${got.status} ${got.mediaType} breaks ${pointer}: ${violation}`,
    );
}

/** `PUT /contacts/a@b.c?page=1 [no key]`: what was sent, never the key. */
function describe(request: RequestSpec, c: LiveCase): string {
  const path = request.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    String(request.pathParams[name] ?? `{${name}}`),
  );
  const query = new URLSearchParams(
    Object.entries(request.query).map(([key, value]) => [key, String(value)]),
  ).toString();
  const marks = [
    c.auth === "none" ? "no key" : c.auth === "wrong" ? "wrong key" : "",
    c.productionRead ? "x-developer-mode: false" : "",
    request.body === undefined && c.check === "missing-body" ? "no body" : "",
    c.rawBody !== undefined ? `body ${JSON.stringify(c.rawBody)}` : "",
  ].filter(Boolean);
  return `${request.method.toUpperCase()} ${path}${query ? `?${query}` : ""}${marks.length ? ` [${marks.join(", ")}]` : ""}`;
}
