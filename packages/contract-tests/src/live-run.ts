import {
  createPingbackClient,
  type PingbackClient,
  type RateLimitOptions,
  type RetryOptions,
} from "@pingback/client";
import { isJson, mediaOf, type RequestSpec, responses, schemaPointer } from "./cases.js";
import { conventions, errorFields } from "./catalogue.js";
import type { Answered, LiveCase, LivePlan } from "./live-plan.js";
import type { Exchange } from "./send.js";
import { type JsonObject, type Operation, operations } from "./spec.js";
import type { SchemaValidator } from "./validator.js";

/** Sent by the wrong-key check: a well-formed key that is no account's. */
const WRONG_KEY = "contract-tests-wrong-key-0000000000000000";

/** Where a live run goes. The limits default to the client's own (the API's published ones). */
export interface LiveTarget {
  baseUrl: string;
  apiKey: string;
  developerMode: boolean;
  rateLimit?: RateLimitOptions;
  retry?: RetryOptions;
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
  warnings: string[];
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
            );
        }
        return runCase(document, ops, client, validator, plan, c, answers);
      })();
      running.set(c.name, promise);
    }
    return promise;
  };
  // Lists are paged before anything is created, so the run's own creates cannot shift the pages.
  await Promise.all(plan.cases.filter((c) => c.check === "pagination").map(run));
  const results = await Promise.all(plan.cases.map(run));
  return {
    results,
    wallMs: performance.now() - started,
    tooManyRequests: results.reduce((sum, r) => sum + r.tooManyRequests, 0),
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
): Promise<CaseResult> {
  const result: CaseResult = {
    name: c.name,
    check: c.check,
    operationId: c.operationId,
    request: "(not sent)",
    status: null,
    verdict: "not run",
    why: [],
    warnings: [],
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
  const attempts: number[] = [];
  let got: Exchange;
  try {
    got = await send(client, request, c, attempts);
  } catch (error) {
    result.verdict = "fail";
    result.why.push(`no answer: ${error instanceof Error ? error.message : String(error)}`);
    return result;
  }
  result.status = got.status;
  result.tooManyRequests = attempts.filter((status) => status === 429).length;
  const why = judge(document, op, c, got, validator, attempts);
  const { failures, warnings } = conventions(plan.catalogue, got.status, got.body);
  why.push(...failures);
  result.warnings.push(...warnings);
  if (why.length === 0 && c.verify) why.push(...c.verify(got, request, answers));
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
  attempts: number[],
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
    const response = await globalThis.fetch(outgoing, init);
    attempts.push(response.status);
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
    mediaType: answer.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? null,
    body: parseBody(text),
    headers: answer.headers,
  };
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
  attempts: number[],
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
  const serverErrors = attempts.filter((status) => status >= 500);
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
  const response = documented.get(String(got.status));
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
  ].filter(Boolean);
  return `${request.method.toUpperCase()} ${path}${query ? `?${query}` : ""}${marks.length ? ` [${marks.join(", ")}]` : ""}`;
}
