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
  | "pagination"
  | "developer-mode"
  | "no-key"
  | "wrong-key"
  | "missing-body"
  | "invalid-parameter"
  | "invalid-body";

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
} as const;

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
  const outcomeName = (op: Operation, link?: Link) =>
    `${op.operationId} › expected ${successStatus(document, op) ?? "2xx"}${link ? ` (link ${link.name} from ${link.source})` : ""}`;
  // The first link into an operation feeds its outcome case; a link to itself is a next page.
  const feeding = new Map<string, Link>();
  for (const link of allLinks)
    if (link.source !== link.target && !feeding.has(link.target)) feeding.set(link.target, link);

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
    cases.push({
      name: outcomeName(op, feed),
      check: readBack ? "read-back" : "outcome",
      operationId: op.operationId,
      needs,
      ...(feed && { source: feed.source }),
      ...(prepared.missingEnv.length > 0 && { notRun: `set ${prepared.missingEnv.join(", ")}` }),
      changesData: op.method !== "get",
      auth: requiresKey ? "key" : "none",
      expect: { status: success ?? "2xx" },
      build,
      ...(readBack && {
        verify: (got: Exchange, _request: RequestSpec, answers: Map<string, Answered>) => {
          const source = answers.get(sourceCase);
          return source ? agreement(source, got) : [];
        },
      }),
      ...(success === undefined && {
        notes: ["its success response is not published: any 2xx is accepted, its body unchecked"],
      }),
    });

    // A contact created in developer mode must not be visible without it.
    if (readBack) {
      const notFound = documented(document, op, 404);
      if (notFound) {
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
      }
    }

    // Negative and auth checks: sent as they are, with the catalogue's status and code expected.
    const negative = (
      check: keyof typeof NEGATIVE_CODE,
      label: string,
      request: RequestSpec,
      auth: LiveCase["auth"] = requiresKey ? "key" : "none",
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
      cases.push({
        ...skeleton(name, check, op),
        auth,
        expect: { status, codes: [...new Set([code, ...codes])] },
        build: () => request,
      });
    };
    const sample = prepared.sample;
    if (requiresKey) {
      negative("no-key", "no API key", sample, "none");
      negative("wrong-key", "wrong API key", sample, "wrong");
    }
    if (requestBody(document, op)?.required)
      negative("missing-body", "missing body", { ...sample, body: undefined });
    for (const parameter of op.parameters) {
      const format = formatOf(document, parameter);
      const name = String(parameter.value.name);
      if (parameter.value.in !== "path" || !format || !INVALID[format]) continue;
      negative("invalid-parameter", `invalid ${format} in path parameter ${name}`, {
        ...sample,
        pathParams: { ...sample.pathParams, [name]: INVALID[format] as string },
      });
    }
    const field = prepared.formatted[0];
    if (field)
      negative("invalid-body", `invalid ${field.format} in body field ${field.path.join(".")}`, {
        ...sample,
        body: setAt(sample.body ?? {}, field.path, INVALID[field.format] as string),
      });
  }

  // Pagination: page 0 (the list's outcome case) against the next page its link names.
  for (const link of allLinks.filter((l) => l.source === l.target)) {
    const op = byId.get(link.source);
    if (!op) continue;
    const first = outcomeName(op, feeding.get(op.operationId));
    const locations = new Map(op.parameters.map((p) => [String(p.value.name), String(p.value.in)]));
    const itemsLimit = (answer: Exchange) => pageSize(document, op, answer);
    cases.push({
      name: `${op.operationId} › next page (link ${link.name})`,
      check: "pagination",
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
        return applied.request;
      },
      verify: (got, _request, answers) => {
        const source = answers.get(first);
        return source ? pagination(source.exchange, got, itemsLimit(got)) : [];
      },
    });
  }
  // What reads a created resource back goes before what changes it, so it reads what was created.
  for (const write of cases.filter((c) => c.source && c.changesData)) {
    write.after = cases
      .filter((read) => read.source === write.source && !read.changesData)
      .map((read) => read.name);
  }
  return { cases, catalogue, missingEnv: [...missingEnv].sort() };
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

interface Prepared {
  /** The request with the run's data, ids from the environment and placeholders for created ids. */
  request: RequestSpec;
  /** The same with the spec's example values where the run has none: for requests that must be refused. */
  sample: RequestSpec;
  needs: { caseOf: string; field: string; path: string[] }[];
  missingEnv: string[];
  /** Body fields with an email or uuid format, where an invalid value can be put. */
  formatted: { path: string[]; format: string }[];
}

/**
 * The operation's request (its first example) made the run's own: emails carry the run id, `name`
 * and `…_name` fields are tagged with it (not `fieldName`, which names something that must exist), an id named `<thing>Id` comes from this run's `create<Thing>`, and any other
 * id from `PINGBACK_LIVE_<NAME>`. Values a link provides (`linked`) are left to the link.
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
  const sample: RequestSpec = { ...base, body: requestVariants(document, op)[0]?.body };
  const request: RequestSpec = { ...sample, pathParams: { ...sample.pathParams } };
  const needs: Prepared["needs"] = [];
  const missingEnv: string[] = [];
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
        } else if (typeof value === "string" && /(^|_)name$/i.test(key) && !format)
          request.body = setAt(request.body as Json, path, `${value} ${data.runId}`);
      },
    );
  }
  return { request, sample, needs, missingEnv, formatted };
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
 * What was created can be read back: every field the read shares with the create's answer, and
 * every value the create sent that the read shows, are equal.
 */
function agreement(source: Answered, got: Exchange): string[] {
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
  const leaves = (value: Json | undefined, path: string[]): [string[], Json][] =>
    isObject(value)
      ? Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]))
      : [[path, value ?? null]];
  for (const [path, sent] of leaves(source.request.body, [])) {
    const shown = atPointer(read, `/${path.join("/")}`);
    if (shown !== undefined && JSON.stringify(shown) !== JSON.stringify(sent))
      problems.push(
        `read back: data.${path.join(".")} is ${JSON.stringify(shown)}, the create sent ${JSON.stringify(sent)}`,
      );
  }
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
