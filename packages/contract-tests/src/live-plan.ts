import { randomUUID } from "node:crypto";
import {
  baseRequest,
  mediaOf,
  type RequestSpec,
  requestBody,
  requestVariants,
  responses,
  schemaPointer,
} from "./cases.js";
import { type ErrorCatalogue, errorCatalogue, errorFields } from "./catalogue.js";
import { applyLink, atPointer, type Link, links } from "./live-links.js";
import { setAt } from "./negatives.js";
import type { Exchange } from "./send.js";
import {
  at,
  escapePointer,
  isObject,
  type Json,
  type JsonObject,
  type Located,
  type Operation,
  operations,
  requiresApiKey,
  resolve,
} from "./spec.js";

/** What a live case checks; each kind has its breach in the self-test. */
export type CheckKind =
  | "outcome"
  | "read-back"
  | "read-after-write"
  | "pagination"
  | "past-last-page"
  | "developer-mode"
  | "production-unseen"
  | "no-key"
  | "wrong-key"
  | "missing-body"
  | "non-json-body"
  | "invalid-parameter"
  | "invalid-body"
  | "not-found"
  | "conflict"
  | "rate-limit";

/** Every check kind, in the order the report and the self-test list them. */
export const CHECK_KINDS: readonly CheckKind[] = [
  "outcome",
  "read-back",
  "read-after-write",
  "pagination",
  "past-last-page",
  "developer-mode",
  "production-unseen",
  "no-key",
  "wrong-key",
  "missing-body",
  "non-json-body",
  "invalid-parameter",
  "invalid-body",
  "not-found",
  "conflict",
  "rate-limit",
];

/** A request that was sent and what came back, for the cases that build on it. */
export interface Answered {
  request: RequestSpec;
  exchange: Exchange;
  passed: boolean;
}

/** One live case: how to build its request, what it expects, and what it checks beyond status. */
export interface LiveCase {
  /** `operationId › what`, unique in the plan. */
  name: string;
  check: CheckKind;
  operationId: string;
  /** The cases whose answers this one reads (link sources, the created resource). */
  needs: string[];
  /** Cases that must be answered first, though this one does not read them (reads before writes). */
  after?: string[];
  /** The operation whose answer fed this case through a link. */
  source?: string;
  /** Why it cannot run, known before anything is sent (an id the run cannot get). */
  notRun?: string;
  /** Whether it may create or change data on the account. */
  changesData: boolean;
  /** `key`: the run's key; `none`: no key at all; `wrong`: a key that is not the account's. */
  auth: "key" | "none" | "wrong";
  /** Sends `x-developer-mode: false` whatever the run's mode. */
  productionRead?: boolean;
  /** Sent instead of the JSON body, as is (a body that is not JSON). */
  rawBody?: string;
  /** The `PINGBACK_LIVE_…` variables whose values the request carries, named by every failure. */
  fromEnv?: string[];
  /** The statuses accepted (`2xx`: any success, for an operation whose success is not published). */
  expect: { status: number | "2xx"; codes?: string[] };
  build(answers: Map<string, Answered>): RequestSpec | { blocked: string };
  verify?(got: Exchange, request: RequestSpec, answers: Map<string, Answered>): string[];
  /** Notes for the report that are not failures (e.g. the success body is not published). */
  notes?: string[];
}

export interface RunData {
  /** Tags everything the run creates: emails and names carry it. */
  runId: string;
  /** Where ids the API cannot create come from (`PINGBACK_LIVE_<NAME>`). */
  env: Record<string, string | undefined>;
  developerMode: boolean;
}

export interface LivePlan {
  cases: LiveCase[];
  catalogue: ErrorCatalogue;
  /** Environment variables that would let more cases run. */
  missingEnv: string[];
  /** What the plan cannot check, and why: documented 4xx it cannot reach, writes it cannot read back. */
  outOfReach: string[];
}

const PREFIX = "PINGBACK_LIVE_";
const INVALID: Record<string, string> = { email: "not-an-email", uuid: "not-a-uuid" };
/** The catalogue code whose status each negative kind expects. */
const NEGATIVE_CODE = {
  "no-key": "FORBIDDEN",
  "wrong-key": "FORBIDDEN",
  "missing-body": "MISSING_BODY",
  "invalid-parameter": "INVALID_PARAMS",
  "invalid-body": "INVALID_INPUT",
  "non-json-body": "INVALID_INPUT",
} as const;
/** Sent by the non-JSON check, with `content-type: application/json`. */
export const NOT_JSON = "{not json";
/** `fieldName`, `stageName`: a camelCase name of something the account must already hold. */
const ACCOUNT_NAME = /^[a-z][a-zA-Z0-9]*Name$/;

/** `segmentedListsIds` → `PINGBACK_LIVE_SEGMENTED_LISTS_IDS`. */
export function envName(field: string): string {
  return PREFIX + field.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function runEmail(runId: string, operationId: string): string {
  return `pingback-live-${runId}-${operationId.toLowerCase()}@example.com`;
}

/** The plan of a live run, derived from the spec: nothing here names an operation, code or link. */
export function planLive(document: JsonObject, data: RunData): LivePlan {
  const catalogue = errorCatalogue(document);
  const ops = operations(document);
  const byId = new Map(ops.map((op) => [op.operationId, op]));
  const allLinks = links(document);
  const cases: LiveCase[] = [];
  const missingEnv = new Set<string>();
  const outOfReach: string[] = [];
  const outcomeName = (op: Operation, link?: Link) =>
    `${op.operationId} › expected ${expectedSuccess(document, op)}${link ? ` (link ${link.name} from ${link.source})` : ""}`;
  // The first link into an operation feeds its outcome case; a link to itself is a next page.
  const feeding = new Map<string, Link>();
  for (const link of allLinks)
    if (link.source !== link.target && !feeding.has(link.target)) feeding.set(link.target, link);
  // Towards production the suite only reads: whatever could write is not sent.
  const readOnly = (op: Operation) =>
    !data.developerMode && op.method !== "get"
      ? {
          notRun: `the run is not in developer mode (PINGBACK_DEVELOPER_MODE=false): a ${op.method.toUpperCase()} could change production data, so only reads are sent`,
        }
      : {};

  for (const op of ops) {
    const feed = feeding.get(op.operationId);
    const prepared = prepare(
      document,
      op,
      data,
      byId,
      new Set(Object.keys(feed?.parameters ?? {})),
      (creator) => outcomeName(creator, feeding.get(creator.operationId)),
    );
    for (const name of prepared.missingEnv) missingEnv.add(name);
    const sourceOp = feed && byId.get(feed.source);
    const sourceCase =
      feed && sourceOp ? outcomeName(sourceOp, feeding.get(feed.source)) : undefined;
    const needs = [...(sourceCase ? [sourceCase] : []), ...prepared.needs.map((n) => n.caseOf)];
    const success = successStatus(document, op);
    const requiresKey = requiresApiKey(document, op);
    const locations = new Map(op.parameters.map((p) => [String(p.value.name), String(p.value.in)]));
    const missing =
      prepared.missingEnv.length > 0 ? { notRun: `set ${prepared.missingEnv.join(", ")}` } : {};
    const fromEnv = prepared.fromEnv.length > 0 ? { fromEnv: prepared.fromEnv } : {};
    const build = (answers: Map<string, Answered>): RequestSpec | { blocked: string } => {
      let request = prepared.request;
      for (const need of prepared.needs) {
        const answer = answers.get(need.caseOf);
        const value = answer?.passed
          ? atPointer(answer.exchange.body as Json, "/data/id")
          : undefined;
        if (value === undefined) return { blocked: `${need.caseOf} gave no id for ${need.field}` };
        request = { ...request, body: setAt(request.body ?? {}, need.path, value) };
      }
      if (!feed || !sourceCase) return request;
      const source = answers.get(sourceCase);
      if (!source?.passed) return { blocked: `${sourceCase} did not succeed` };
      const applied = applyLink(feed, request, locations, contextOf(source));
      if (applied.missing.length > 0)
        return { blocked: `link ${feed.name} found no value for ${applied.missing.join(", ")}` };
      return applied.request;
    };
    const readBack = feed && sourceCase && op.method === "get";
    const outcome: LiveCase = {
      name: outcomeName(op, feed),
      check: readBack ? "read-back" : "outcome",
      operationId: op.operationId,
      needs,
      ...(feed && { source: feed.source }),
      ...missing,
      ...readOnly(op),
      ...fromEnv,
      changesData: op.method !== "get",
      auth: requiresKey ? "key" : "none",
      expect: { status: expectedSuccess(document, op) },
      build,
      ...(readBack && {
        verify: (got: Exchange, _request: RequestSpec, answers: Map<string, Answered>) => {
          const source = answers.get(sourceCase);
          return source ? agreement(document, op, source, got) : [];
        },
      }),
      ...(expectedSuccess(document, op) === "2xx" && {
        notes: [
          "its success status is not published: any 2xx is accepted, its body checked against the documented schema",
        ],
      }),
    };
    cases.push(outcome);

    // A contact created in developer mode must not be visible without it, and a production contact
    // the user names must not be visible with it.
    const notFound = documented(document, op, 404);
    if (readBack && notFound) {
      cases.push({
        name: `${op.operationId} › not visible without developer mode (link ${feed.name} from ${feed.source})`,
        check: "developer-mode",
        operationId: op.operationId,
        needs,
        source: feed.source,
        ...((!data.developerMode || prepared.missingEnv.length > 0) && {
          notRun: !data.developerMode
            ? "the run is not in developer mode (PINGBACK_DEVELOPER_MODE=false)"
            : `set ${prepared.missingEnv.join(", ")}`,
        }),
        changesData: false,
        auth: "key",
        productionRead: true,
        expect: { status: 404, codes: notFound },
        build,
      });
      const unseen = productionUnseen(document, op, feed, data, success, notFound);
      for (const name of unseen.missingEnv) missingEnv.add(name);
      cases.push(...unseen.cases);
    }

    // Negative checks: the run's own request (its created resources, its ids), made wrong in one
    // way, so the answer does not depend on the order in which the server checks things.
    const negativeEmail = (label: string) =>
      runEmail(data.runId, `${op.operationId}-${label.replace(/\W+/g, "-")}`);
    const variant =
      (label: string, change: (request: RequestSpec) => RequestSpec) =>
      (answers: Map<string, Answered>): RequestSpec | { blocked: string } => {
        const built = build(answers);
        if ("blocked" in built) return built;
        // A create made wrong must not take the email the real create uses.
        const own = runEmail(data.runId, op.operationId);
        const text = JSON.stringify(built).replaceAll(own, negativeEmail(label));
        return change(JSON.parse(text) as RequestSpec);
      };
    const refused = (
      check: CheckKind,
      label: string,
      status: number,
      codes: string[],
      change: (request: RequestSpec) => RequestSpec,
      extra: Partial<LiveCase> = {},
    ) => {
      cases.push({
        name: `${op.operationId} › ${label}`,
        check,
        operationId: op.operationId,
        needs,
        ...missing,
        ...readOnly(op),
        ...fromEnv,
        changesData: false,
        auth: requiresKey ? "key" : "none",
        expect: { status, codes },
        build: variant(label, change),
        ...extra,
      });
    };
    const negative = (
      check: keyof typeof NEGATIVE_CODE,
      label: string,
      change: (request: RequestSpec) => RequestSpec,
      extra: Partial<LiveCase> = {},
    ) => {
      const code = NEGATIVE_CODE[check];
      const status = catalogue.get(code)?.status;
      const name = `${op.operationId} › ${label}`;
      if (status === undefined) {
        cases.push({ ...skeleton(name, check, op), notRun: `the catalogue has no ${code}` });
        return;
      }
      const codes = documented(document, op, status);
      if (!codes) {
        cases.push({
          ...skeleton(name, check, op),
          notRun: `${op.operationId} documents no ${status}`,
        });
        return;
      }
      refused(check, label, status, [...new Set([code, ...codes])], change, extra);
    };
    const same = (request: RequestSpec) => request;
    if (requiresKey) {
      negative("no-key", "no API key", same, { auth: "none" });
      negative("wrong-key", "wrong API key", same, { auth: "wrong" });
    }
    const body = requestBody(document, op);
    if (body?.required)
      negative("missing-body", "missing body", (request) => ({ ...request, body: undefined }));
    if (body)
      negative("non-json-body", "a body that is not JSON", (request) => request, {
        rawBody: NOT_JSON,
      });
    for (const parameter of op.parameters) {
      const name = String(parameter.value.name);
      const where = String(parameter.value.in);
      const wrong = invalidValue(document, parameter);
      if (!wrong || (where !== "path" && where !== "query")) continue;
      negative("invalid-parameter", `invalid ${wrong.what} in ${where} parameter ${name}`, (r) =>
        where === "path"
          ? { ...r, pathParams: { ...r.pathParams, [name]: wrong.value } }
          : { ...r, query: { ...r.query, [name]: wrong.value } },
      );
    }
    const field = prepared.formatted[0];
    if (field)
      negative(
        "invalid-body",
        `invalid ${field.format} in body field ${field.path.join(".")}`,
        (request) => ({
          ...request,
          body: setAt(request.body ?? {}, field.path, INVALID[field.format] as string),
        }),
      );
    // 404: the run's request with what it looks up replaced by something that names nothing.
    if (notFound) {
      const target = lookedUp(document, op, prepared);
      if (target)
        refused(
          "not-found",
          `404 for ${/^[aeiou]/.test(target.name) ? "an" : "a"} ${target.name} that names nothing`,
          404,
          notFound,
          (r) => target.replace(r, data.runId),
        );
    }
    // 409: a create sent again, once the first one succeeded, conflicts with what it created.
    const conflict = documented(document, op, 409);
    if (conflict && success === 201)
      refused("conflict", "409 for the same create again", 409, conflict, same, {
        needs: [...needs, outcome.name],
        build: (answers) =>
          answers.get(outcome.name)?.passed
            ? build(answers)
            : { blocked: `${outcome.name} did not succeed` },
      });
  }

  // Pagination: page 0 (the list's outcome case) against the next page its link names, and a page
  // past the last one.
  for (const link of allLinks.filter((l) => l.source === l.target)) {
    const op = byId.get(link.source);
    if (!op) continue;
    const first = outcomeName(op, feeding.get(op.operationId));
    const locations = new Map(op.parameters.map((p) => [String(p.value.name), String(p.value.in)]));
    const itemsLimit = (answer: Exchange) => pageSize(document, op, answer);
    const paged = (
      check: CheckKind,
      label: string,
      pageOf: (answer: Exchange, page: number) => number,
      verify: (first: Exchange, got: Exchange) => string[],
    ): LiveCase => ({
      name: `${op.operationId} › ${label} (link ${link.name})`,
      check,
      operationId: op.operationId,
      needs: [first],
      changesData: false,
      auth: requiresApiKey(document, op) ? "key" : "none",
      expect: { status: successStatus(document, op) ?? "2xx" },
      build: (answers) => {
        const source = answers.get(first);
        if (!source?.passed) return { blocked: `${first} did not succeed` };
        const applied = applyLink(link, source.request, locations, contextOf(source));
        if (applied.missing.length > 0)
          return { blocked: `link ${link.name} found no value for ${applied.missing.join(", ")}` };
        const request = applied.request;
        for (const key of Object.keys(link.parameters)) {
          const name = key.replace(/^(path|query|header)\./, "");
          const bag = name in request.query ? request.query : request.pathParams;
          if (typeof bag[name] === "number") bag[name] = pageOf(source.exchange, bag[name]);
        }
        return request;
      },
      verify: (got, _request, answers) => {
        const source = answers.get(first);
        return source ? verify(source.exchange, got) : [];
      },
    });
    cases.push(
      paged(
        "pagination",
        "next page",
        (_, next) => next,
        (a, b) => pagination(a, b, itemsLimit(b)),
      ),
      paged(
        "past-last-page",
        "a page past the last",
        (answer, next) => {
          const found = pageOf(answer.body);
          const size = itemsLimit(answer);
          return found && size ? Math.max(next, Math.ceil(found.total / size)) : next;
        },
        pastTheLast,
      ),
    );
  }
  // What reads a created resource back goes before what changes it, so it reads what was created;
  // each write is then read back, after it.
  const writes = cases.filter((c) => c.source && c.changesData && c.check === "outcome");
  for (const write of writes) {
    write.after = cases
      .filter((read) => read.source === write.source && !read.changesData)
      .map((read) => read.name);
  }
  for (const write of writes) {
    const read = cases.find((c) => c.check === "read-back" && c.source === write.source);
    const readOp = read && byId.get(read.operationId);
    if (!read || !readOp) continue;
    cases.push({
      ...read,
      name: `${read.operationId} › after ${write.operationId} (read back)`,
      check: "read-after-write",
      needs: [...read.needs, write.name],
      build: (answers) => {
        if (!answers.get(write.name)?.passed) return { blocked: `${write.name} did not succeed` };
        return read.build(answers);
      },
      verify: (got, _request, answers) => {
        const sent = answers.get(write.name)?.request.body;
        return stored(document, readOp, write.operationId, sent, got);
      },
    });
  }
  // What the plan cannot reach, said once: writes no operation reads back, documented 4xx no
  // request reaches without changing data (429 is the rate limit's, measured over the whole run).
  const readBackOf = new Set(
    cases
      .filter((c) => c.check === "read-back" || c.check === "read-after-write")
      .flatMap((c) => [c.source, ...c.needs.map((n) => n.split(" › ")[0])]),
  );
  const reachedBy = new Map<string, Set<string>>();
  for (const c of cases) {
    const statuses = reachedBy.get(c.operationId) ?? new Set<string>();
    statuses.add(String(c.expect.status));
    reachedBy.set(c.operationId, statuses);
  }
  for (const op of ops) {
    if (op.method !== "get" && !readBackOf.has(op.operationId))
      outOfReach.push(
        `${op.operationId}: whether what it was sent took effect (no published operation reads it back)`,
      );
    const reached = reachedBy.get(op.operationId) ?? new Set();
    const unreached = responses(document, op)
      .map(([status]) => status)
      .filter((s) => /^4\d\d$/.test(s) && s !== "429" && !reached.has(s));
    if (unreached.length > 0)
      outOfReach.push(
        `${op.operationId} ${unreached.join(", ")}: no request reaches it without changing data`,
      );
  }
  cases.push({
    name: RATE_LIMIT_CASE,
    check: "rate-limit",
    operationId: "(every request)",
    needs: [],
    changesData: false,
    auth: "key",
    expect: { status: 429 },
    build: () => ({ blocked: "judged over the whole run, not sent" }),
  });
  return { cases, catalogue, missingEnv: [...missingEnv].sort(), outOfReach };
}

/** The run-level case: every 429 the run met, against the documented limit. */
export const RATE_LIMIT_CASE = "rate limit › 429 only beyond the documented limit";

/**
 * Developer mode, the other way: a production record the user names (`PINGBACK_LIVE_PRODUCTION_<PARAM>`)
 * is read without developer mode (it exists) and then with it, where it must not be found.
 */
function productionUnseen(
  document: JsonObject,
  op: Operation,
  feed: Link,
  data: RunData,
  success: number | undefined,
  notFound: string[],
): { cases: LiveCase[]; missingEnv: string[] } {
  const params = Object.keys(feed.parameters).map((key) => key.replace(/^path\./, ""));
  const variables = params.map((name) => envName(`production_${name}`));
  const values = variables.map((name) => data.env[name]?.trim() ?? "");
  const absent = variables.filter((_, i) => !values[i]);
  const base = baseRequest(document, op);
  const request: RequestSpec = {
    ...base,
    pathParams: {
      ...base.pathParams,
      ...Object.fromEntries(params.map((name, i) => [name, values[i] ?? ""])),
    },
  };
  const exists = `${op.operationId} › the production record of ${variables.join(", ")} exists`;
  const notRun =
    absent.length > 0
      ? { notRun: `set ${absent.join(", ")} to a record that exists in production` }
      : !data.developerMode
        ? { notRun: "the run is not in developer mode (PINGBACK_DEVELOPER_MODE=false)" }
        : {};
  const common = {
    check: "production-unseen" as const,
    operationId: op.operationId,
    changesData: false,
    auth: "key" as const,
    fromEnv: variables,
    ...notRun,
  };
  const cases: LiveCase[] = [
    {
      ...common,
      name: exists,
      needs: [],
      productionRead: true,
      expect: { status: success ?? "2xx" },
      build: () => request,
    },
    {
      ...common,
      name: `${op.operationId} › a production record is not visible in developer mode (${variables.join(", ")})`,
      needs: [exists],
      expect: { status: 404, codes: notFound },
      build: (answers) =>
        answers.get(exists)?.passed ? request : { blocked: `${exists} did not succeed` },
    },
  ];
  return { cases, missingEnv: absent };
}

/**
 * The documented success response when the spec marks its status as not published
 * (`x-status-unpublished: true`): any 2xx may answer, with this response's body.
 */
export function unpublishedSuccess(
  document: JsonObject,
  op: Operation,
): Located<JsonObject> | undefined {
  const found = responses(document, op).find(([status]) => /^2\d\d$/.test(status));
  return found?.[1].value["x-status-unpublished"] === true ? found[1] : undefined;
}

/** The status a successful answer must have: the documented one, or any 2xx where it is not published. */
function expectedSuccess(document: JsonObject, op: Operation): number | "2xx" {
  return unpublishedSuccess(document, op) ? "2xx" : (successStatus(document, op) ?? "2xx");
}

function skeleton(name: string, check: CheckKind, op: Operation) {
  return {
    name,
    check,
    operationId: op.operationId,
    needs: [],
    changesData: false,
    auth: "key" as const,
    expect: { status: "2xx" as const },
    build: () => ({ blocked: "not derived" }),
  };
}

function contextOf(source: Answered) {
  return {
    url: "",
    request: source.request,
    response: {
      status: source.exchange.status,
      headers: source.exchange.headers,
      body: source.exchange.body,
    },
  };
}

/** The operation's documented success status (the first 2xx), or undefined when none is published. */
export function successStatus(document: JsonObject, op: Operation): number | undefined {
  const found = responses(document, op).find(([status]) => /^2\d\d$/.test(status));
  return found ? Number(found[0]) : undefined;
}

/** The error codes an operation's examples document under a status; undefined when the status is not documented. */
function documented(document: JsonObject, op: Operation, status: number): string[] | undefined {
  const response = new Map(responses(document, op)).get(String(status));
  if (!response) return undefined;
  const codes = new Set<string>();
  for (const media of mediaOf(document, response).media) {
    const examples = isObject(media.value.examples) ? media.value.examples : {};
    for (const raw of Object.values(examples)) {
      const example = resolve(document, raw, media.pointer).value;
      const code = isObject(example) ? errorFields(example.value).errorCode : undefined;
      if (typeof code === "string") codes.add(code);
    }
  }
  return [...codes];
}

function formatOf(document: JsonObject, parameter: Located<JsonObject>): string | undefined {
  if (parameter.value.schema === undefined) return undefined;
  const schema = resolve(document, parameter.value.schema, `${parameter.pointer}/schema`).value;
  return isObject(schema) && typeof schema.format === "string" ? schema.format : undefined;
}

/** A value of the parameter that its schema refuses: a broken email or uuid, a number below its minimum. */
function invalidValue(
  document: JsonObject,
  parameter: Located<JsonObject>,
): { what: string; value: Json } | undefined {
  if (parameter.value.schema === undefined) return undefined;
  const schema = resolve(document, parameter.value.schema, `${parameter.pointer}/schema`).value;
  if (!isObject(schema)) return undefined;
  const format = typeof schema.format === "string" ? schema.format : undefined;
  if (format && INVALID[format]) return { what: format, value: INVALID[format] as string };
  if (typeof schema.minimum === "number" && schema.type === "integer")
    return { what: `value (below its minimum ${schema.minimum})`, value: schema.minimum - 1 };
  return undefined;
}

/**
 * What an operation looks up, for its 404: a path parameter of format email or uuid, else the first
 * body id this run creates for it (`contactId`). Its replacement names nothing on any account.
 */
function lookedUp(
  document: JsonObject,
  op: Operation,
  prepared: Prepared,
): { name: string; replace(request: RequestSpec, runId: string): RequestSpec } | undefined {
  const absent = (format: string, runId: string) =>
    format === "email" ? runEmail(runId, "absent") : randomUUID();
  for (const parameter of op.parameters) {
    const format = formatOf(document, parameter);
    const name = String(parameter.value.name);
    if (parameter.value.in !== "path" || (format !== "email" && format !== "uuid")) continue;
    return {
      name,
      replace: (r, runId) => ({
        ...r,
        pathParams: { ...r.pathParams, [name]: absent(format, runId) },
      }),
    };
  }
  const need = prepared.needs[0];
  if (!need) return undefined;
  return {
    name: need.field,
    replace: (r) => ({ ...r, body: setAt(r.body ?? {}, need.path, randomUUID()) }),
  };
}

interface Prepared {
  /** The request with the run's data, ids from the environment and placeholders for created ids. */
  request: RequestSpec;
  needs: { caseOf: string; field: string; path: string[] }[];
  missingEnv: string[];
  /** The `PINGBACK_LIVE_…` variables the request's values came from. */
  fromEnv: string[];
  /** Body fields with an email or uuid format, where an invalid value can be put. */
  formatted: { path: string[]; format: string }[];
}

/**
 * The operation's request (its first example) made the run's own: emails carry the run id, `name`
 * and `…_name` fields are tagged with it, an id named `<thing>Id` comes from this run's
 * `create<Thing>`, and any other id, and any `<thing>Name` (a name the account must hold, such as a
 * custom field's `fieldName`; one array item per name), from `PINGBACK_LIVE_<NAME>`. Values a link
 * provides (`linked`) are left to the link.
 */
function prepare(
  document: JsonObject,
  op: Operation,
  data: RunData,
  byId: Map<string, Operation>,
  linked: Set<string>,
  outcomeOf: (op: Operation) => string,
): Prepared {
  const base = baseRequest(document, op);
  const request: RequestSpec = {
    ...base,
    pathParams: { ...base.pathParams },
    body: requestVariants(document, op)[0]?.body,
  };
  const needs: Prepared["needs"] = [];
  const missingEnv: string[] = [];
  const fromEnv: string[] = [];
  const formatted: Prepared["formatted"] = [];
  const email = runEmail(data.runId, op.operationId);
  const idFor = (field: string, many: boolean): Json | "needs" | undefined => {
    const thing = /^(.+)Id$/.exec(field)?.[1];
    const creator = thing && byId.get(`create${thing[0]?.toUpperCase()}${thing.slice(1)}`);
    if (creator && creator !== op && successStatus(document, creator) !== undefined) return "needs";
    const value = data.env[envName(field)]?.trim();
    if (!value) {
      missingEnv.push(envName(field));
      return undefined;
    }
    fromEnv.push(envName(field));
    return many ? value.split(",").map((v) => v.trim()) : value;
  };
  for (const parameter of op.parameters) {
    const name = String(parameter.value.name);
    const qualified = `${parameter.value.in}.${name}`;
    if (parameter.value.in !== "path" || linked.has(name) || linked.has(qualified)) continue;
    if (formatOf(document, parameter) === "email") request.pathParams[name] = email;
    else {
      const value = idFor(name, false);
      if (value !== undefined && value !== "needs") request.pathParams[name] = value;
    }
  }
  const body = requestBody(document, op);
  const media = body?.media[0];
  const pointer = media ? schemaPointer(document, media) : null;
  if (pointer && request.body !== undefined) {
    walk(
      document,
      { value: at(document, pointer), pointer },
      request.body,
      [],
      (path, schema, value) => {
        const key = path[path.length - 1] ?? "";
        const itemOf = /^\d+$/.test(key) ? path[path.length - 2] : undefined;
        const format = typeof schema.format === "string" ? schema.format : undefined;
        if (format && INVALID[format] && !itemOf) formatted.push({ path, format });
        if (format === "email") request.body = setAt(request.body as Json, path, email);
        else if (format === "uuid" && !linked.has(itemOf ?? key)) {
          if (itemOf) {
            if (key !== "0") return;
            const parent = path.slice(0, -1);
            const value = idFor(itemOf, true);
            if (value !== undefined && value !== "needs")
              request.body = setAt(request.body as Json, parent, value);
          } else {
            const value = idFor(key, false);
            if (value === "needs") {
              const thing = (/^(.+)Id$/.exec(key)?.[1] ?? "") as string;
              const creator = byId.get(`create${thing[0]?.toUpperCase()}${thing.slice(1)}`);
              if (creator) needs.push({ caseOf: outcomeOf(creator), field: key, path });
            } else if (value !== undefined) request.body = setAt(request.body as Json, path, value);
          }
        } else if (typeof value === "string" && ACCOUNT_NAME.test(key) && !format) {
          // A name the account must hold (a custom field): from the environment, one item each.
          const owner = /^\d+$/.test(path[path.length - 2] ?? "") ? path.slice(0, -2) : undefined;
          if (owner && path[path.length - 2] !== "0") return;
          const names = idFor(key, true);
          if (!Array.isArray(names)) return;
          const template = owner ? atPointer(request.body, `/${[...owner, "0"].join("/")}`) : null;
          request.body = owner
            ? setAt(
                request.body as Json,
                owner,
                names.map((name) => setAt(template ?? {}, [key], name)),
              )
            : setAt(request.body as Json, path, names[0] ?? null);
        } else if (typeof value === "string" && /(^|_)name$/i.test(key) && !format)
          request.body = setAt(request.body as Json, path, `${value} ${data.runId}`);
      },
    );
  }
  return { request, needs, missingEnv, fromEnv: [...new Set(fromEnv)], formatted };
}

/** Visits each value of `value` with the schema that describes it (following `$ref`s, properties and items). */
function walk(
  document: JsonObject,
  schema: Located,
  value: Json | undefined,
  path: string[],
  visit: (path: string[], schema: JsonObject, value: Json | undefined) => void,
  depth = 0,
) {
  const resolved = resolve(document, schema.value, schema.pointer);
  const node = resolved.value;
  if (!isObject(node) || depth > 8) return;
  if (path.length > 0) visit(path, node, value);
  const items = node.items;
  if (Array.isArray(value) && items !== undefined) {
    value.forEach((item, index) => {
      walk(
        document,
        { value: items, pointer: `${resolved.pointer}/items` },
        item,
        [...path, String(index)],
        visit,
        depth + 1,
      );
    });
  }
  const properties = isObject(node.properties) ? node.properties : {};
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(properties)) {
    if (value[key] === undefined) continue;
    walk(
      document,
      { value: child, pointer: `${resolved.pointer}/properties/${escapePointer(key)}` },
      value[key],
      [...path, key],
      visit,
      depth + 1,
    );
  }
}

/**
 * What was created can be read back: every field the read shares with the create's answer is equal,
 * and everything the create sent that the read's schema documents is shown, equal.
 */
function agreement(document: JsonObject, op: Operation, source: Answered, got: Exchange): string[] {
  const read = atPointer(got.body as Json, "/data");
  if (!isObject(read)) return [];
  const problems: string[] = [];
  const created = atPointer(source.exchange.body as Json, "/data");
  if (isObject(created)) {
    for (const [key, value] of Object.entries(created)) {
      if (read[key] !== undefined && JSON.stringify(read[key]) !== JSON.stringify(value))
        problems.push(
          `read back: data.${key} is ${JSON.stringify(read[key])}, the create answered ${JSON.stringify(value)}`,
        );
    }
  }
  return [...problems, ...stored(document, op, "create", source.request.body, got)];
}

/**
 * Everything a write sent is what a later read shows, for each field the read's schema documents:
 * at the same path, or, for a key the read does not declare, inside the read's one free-form object
 * (an update's top-level attributes are the contact's `attributes`). An array sent must be contained
 * in the one read (adding to segments adds). What the read does not document is not compared.
 */
export function stored(
  document: JsonObject,
  readOp: Operation,
  writer: string,
  sent: Json | undefined,
  got: Exchange,
): string[] {
  const read = atPointer(got.body as Json, "/data");
  const schema = readSchema(document, readOp);
  if (!isObject(read) || !schema || !isObject(sent)) return [];
  const problems: string[] = [];
  const leaves = (value: Json, path: string[]): [string[], Json][] =>
    isObject(value)
      ? Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]))
      : [[path, value]];
  for (const [path, value] of leaves(sent, [])) {
    const where = documentedPath(document, schema, path);
    if (!where) continue;
    const shown = atPointer(read, `/${where.map(escapePointer).join("/")}`);
    const field = `data.${where.join(".")}`;
    const same = Array.isArray(value)
      ? Array.isArray(shown) &&
        value.every((item) => shown.some((s) => JSON.stringify(s) === JSON.stringify(item)))
      : JSON.stringify(shown) === JSON.stringify(value);
    if (!same)
      problems.push(
        shown === undefined
          ? `read back: ${field} is missing, ${writer} sent ${JSON.stringify(value)}`
          : `read back: ${field} is ${JSON.stringify(shown)}, ${writer} sent ${JSON.stringify(value)}${Array.isArray(value) ? " (each item must be there)" : ""}`,
      );
  }
  return problems;
}

/** The schema of `data` in the read's documented success answer. */
function readSchema(document: JsonObject, op: Operation): Located<JsonObject> | undefined {
  const response = new Map(responses(document, op)).get(String(successStatus(document, op)));
  const media = response ? mediaOf(document, response).media[0] : undefined;
  const pointer = media ? schemaPointer(document, media) : null;
  if (!pointer) return undefined;
  return child(document, { value: at(document, pointer), pointer }, "data");
}

/** A property of a schema, looked up through `$ref`s and the branches of `oneOf`/`anyOf`/`allOf`. */
function child(
  document: JsonObject,
  schema: Located,
  key: string,
): Located<JsonObject> | undefined {
  const node = resolve(document, schema.value, schema.pointer);
  if (!isObject(node.value)) return undefined;
  const properties = isObject(node.value.properties) ? node.value.properties : {};
  const found = properties[key];
  if (found !== undefined) {
    const resolved = resolve(document, found, `${node.pointer}/properties/${escapePointer(key)}`);
    return isObject(resolved.value) ? (resolved as Located<JsonObject>) : undefined;
  }
  for (const branch of ["oneOf", "anyOf", "allOf"]) {
    const list = node.value[branch];
    if (!Array.isArray(list)) continue;
    for (const [index, item] of list.entries()) {
      const hit = child(
        document,
        { value: item, pointer: `${node.pointer}/${branch}/${index}` },
        key,
      );
      if (hit) return hit;
    }
  }
  return undefined;
}

function freeForm(document: JsonObject, schema: Located): boolean {
  const node = resolve(document, schema.value, schema.pointer).value;
  return (
    isObject(node) && node.additionalProperties !== undefined && node.additionalProperties !== false
  );
}

/** Where the read documents a path the write sent, or undefined when it does not. */
function documentedPath(
  document: JsonObject,
  root: Located<JsonObject>,
  path: string[],
): string[] | undefined {
  const follow = (start: Located, keys: string[]): boolean => {
    let node: Located | undefined = start;
    for (const key of keys) {
      const next: Located | undefined = node && child(document, node, key);
      if (!next) return node !== undefined && freeForm(document, node);
      node = next;
    }
    return true;
  };
  if (child(document, root, path[0] ?? "")) return follow(root, path) ? path : undefined;
  const properties = isObject(root.value.properties) ? Object.keys(root.value.properties) : [];
  const open = properties.filter((key) => {
    const found = child(document, root, key);
    return found !== undefined && freeForm(document, found);
  });
  return open.length === 1 && open[0] ? [open[0], ...path] : undefined;
}

/** A page past the last one: the documented answer, with no item, and the same total as page 0. */
function pastTheLast(first: Exchange, got: Exchange): string[] {
  const a = pageOf(first.body);
  const b = pageOf(got.body);
  if (!a || !b)
    return ["past the last page: no page (an integer total beside an array) in the answer"];
  const problems: string[] = [];
  if (b.items.length > 0)
    problems.push(
      `past the last page: ${b.items.length} item(s), expected none (total ${b.total})`,
    );
  if (a.total !== b.total)
    problems.push(`past the last page: total is ${b.total}, page 0 said ${a.total}`);
  return problems;
}

/** The page object of a list answer: the object holding an integer `total` and an array beside it. */
function pageOf(
  body: unknown,
): { path: string[]; total: number; items: Json[]; key: string } | undefined {
  const search = (node: unknown, path: string[], depth: number): ReturnType<typeof pageOf> => {
    if (!isObject(node as Json) || depth > 3) return undefined;
    const object = node as JsonObject;
    const arrayKey = Object.keys(object).find((key) => Array.isArray(object[key]));
    if (typeof object.total === "number" && arrayKey)
      return { path, total: object.total, items: object[arrayKey] as Json[], key: arrayKey };
    for (const [key, child] of Object.entries(object)) {
      const found = search(child, [...path, key], depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return search(body, [], 0);
}

/** The page size: `maxItems` of the items array in the documented success schema. */
function pageSize(document: JsonObject, op: Operation, answer: Exchange): number | undefined {
  const found = pageOf(answer.body);
  const response = new Map(responses(document, op)).get(String(successStatus(document, op)));
  const media = response ? mediaOf(document, response).media[0] : undefined;
  const pointer = media ? schemaPointer(document, media) : null;
  if (!found || !pointer) return undefined;
  let schema = resolve(document, at(document, pointer), pointer).value;
  for (const key of [...found.path, found.key]) {
    const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
    const child = properties[key];
    if (child === undefined) return undefined;
    schema = resolve(document, child, pointer).value;
  }
  return isObject(schema) && typeof schema.maxItems === "number" ? schema.maxItems : undefined;
}

/** Page 0 and page 1 do not overlap, hold at most a page each, and agree with `total`. */
function pagination(first: Exchange, next: Exchange, size: number | undefined): string[] {
  const a = pageOf(first.body);
  const b = pageOf(next.body);
  if (!a || !b) return ["pagination: no page (an integer total beside an array) in the answer"];
  const problems: string[] = [];
  const identity = (item: Json) =>
    isObject(item) && item.id !== undefined ? JSON.stringify(item.id) : JSON.stringify(item);
  const seen = new Set(a.items.map(identity));
  const overlap = b.items.filter((item) => seen.has(identity(item)));
  if (overlap.length > 0)
    problems.push(`pagination: page 1 repeats ${overlap.length} item(s) of page 0`);
  if (a.total !== b.total)
    problems.push(`pagination: total is ${a.total} on page 0, ${b.total} on page 1`);
  if (size !== undefined) {
    for (const [index, page] of [a, b].entries()) {
      const want = Math.max(0, Math.min(size, page.total - index * size));
      if (page.items.length > size)
        problems.push(
          `pagination: page ${index} holds ${page.items.length} items, more than ${size}`,
        );
      else if (page.items.length !== want)
        problems.push(
          `pagination: page ${index} holds ${page.items.length} items; with total ${page.total} and ${size} per page it should hold ${want}`,
        );
    }
  }
  return problems;
}
