import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ErrorCatalogue } from "../src/catalogue.js";

/**
 * A fake Pingback server of our own, on 127.0.0.1: the published operations with in-memory state
 * (production and developer mode apart), the API key, the documented errors, and the rate limit
 * counted when a request ARRIVES (a token bucket plus an in-flight cap), as the real API does.
 * `breach` makes it break the contract in one named way, so the self-test can show the suite sees it.
 */
export const BREACHES = [
  "forbid-valid-key",
  "lose-created-contact",
  "conflict-new-email",
  "500-on-valid",
  "5xx-then-ok",
  "dev-mode-422",
  "strict-limit",
  "status-501",
  "schema",
  "content-type",
  "no-key-accepted",
  "wrong-key-accepted",
  "missing-body-422",
  "invalid-email-404",
  "invalid-body-accepted",
  "pages-overlap",
  "page-oversize",
  "total-wrong",
  "dev-leak",
  "readback-differs",
  "update-lost",
  "code-status-mismatch",
  "bare-error",
  "intake-needs-key",
  "create-drops-fields",
  "update-ignored",
  "segments-ignored",
  "prod-visible-in-dev",
  "writes-ignore-dev-mode",
  "error-no-code",
  "error-envelope",
  "429-html",
  "limit-halved",
  "non-json-500",
  "past-last-422",
  "negative-page-accepted",
  "unknown-deal-accepted",
  "duplicate-accepted",
] as const;
export type Breach = (typeof BREACHES)[number];

/** What Pingback may do, as the spec leaves it open: each must pass. */
export const ALLOWED = ["lookup-before-body", "intake-202", "verify-202"] as const;
export type Allowed = (typeof ALLOWED)[number];

/** The operations the fake implements, by method and path template; the self-test runs on these. */
const ROUTES: [string, RegExp][] = [
  ["get", /^\/contacts$/],
  ["post", /^\/contacts$/],
  ["get", /^\/contacts\/\{[^}]+\}$/],
  ["put", /^\/contacts\/\{[^}]+\}$/],
  ["post", /^\/deals$/],
  ["put", /^\/deals\/\{[^}]+\}$/],
  ["get", /^\/segments$/],
  ["post", /^\/segments\/add-contact\/\{[^}]+\}$/],
  ["post", /^\/email-verification\/\{[^}]+\}$/],
  ["post", /^\/webhook\/\{[^}]+\}\/c\/\{[^}]+\}\/w\/\{[^}]+\}$/],
];

export function fakeServes(op: { method: string; path: string }): boolean {
  return ROUTES.some(([method, path]) => method === op.method && path.test(op.path));
}

export interface Limit {
  requestsPerSecond: number;
  burst: number;
  maxInFlight: number;
}

export interface FakePingbackOptions {
  apiKey: string;
  catalogue: ErrorCatalogue;
  limit: Limit;
  breach?: Breach;
  /** A behaviour the contract allows, that the suite must not fail. */
  allowed?: Allowed;
  /** Time to answer, so requests overlap as they do on a real network. */
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
}

export interface FakePingback {
  /** Base URL with the API's `/v2` prefix. */
  url: string;
  /** Ids the API cannot create, as a user would set them (`PINGBACK_LIVE_…`). */
  env: Record<string, string>;
  seen: SeenRequest[];
  tooManyRequests: number;
  /** The production data, as JSON: what the suite must leave unchanged. */
  production(): string;
  close(): Promise<void>;
}

interface Contact {
  id: string;
  email: string;
  status: string;
  source: string;
  origin: unknown;
  segmentedListsIds: string[];
  createdAt: string;
  attributes: Record<string, unknown>;
}
interface Store {
  contacts: Map<string, Contact>;
  deals: Map<string, { id: string; contactId: string; stageId: string }>;
  created: Set<string>;
}

/** How much stricter than documented the `strict-limit` breach is (at the API's pace: 1 per 4 s). */
const STRICTER = 20;
/** The custom fields of the fake's account (the webhook intake refuses others). */
const CUSTOM_FIELDS = ["company", "role"];
const EMAIL = /^[^@\s/]+@[^@\s/]+\.[^@\s/]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 10;

export async function startFakePingback(options: FakePingbackOptions): Promise<FakePingback> {
  const { apiKey, catalogue, breach, allowed } = options;
  const delayMs = options.delayMs ?? 2;
  const limit =
    breach === "strict-limit"
      ? { ...options.limit, requestsPerSecond: options.limit.requestsPerSecond / STRICTER }
      : breach === "limit-halved"
        ? { ...options.limit, requestsPerSecond: options.limit.requestsPerSecond / 2 }
        : options.limit;
  const pipelineId = randomUUID();
  const stageId = randomUUID();
  const segments = Array.from({ length: 12 }, (_, i) => ({
    id: randomUUID(),
    name: `Segment ${i}`,
  }));
  const store = (seeded: number, prefix: string): Store => {
    const contacts = new Map<string, Contact>();
    for (let i = 0; i < seeded; i++) {
      const email = `${prefix}-${i}@example.com`;
      contacts.set(email, contact(email, {}, null));
    }
    return { contacts, deals: new Map(), created: new Set() };
  };
  const stores = { production: store(4, "seed"), developer: store(13, "dev-seed") };
  const fake: FakePingback = {
    url: "",
    env: {
      PINGBACK_LIVE_PIPELINE_ID: pipelineId,
      PINGBACK_LIVE_STAGE_ID: stageId,
      PINGBACK_LIVE_SEGMENTED_LISTS_IDS: segments
        .slice(0, 2)
        .map((s) => s.id)
        .join(","),
      PINGBACK_LIVE_WEBHOOK_ID: "wh-1",
      PINGBACK_LIVE_CHANNEL_UID: "ch-1",
      PINGBACK_LIVE_WORKFLOW_ID: "wf-1",
      PINGBACK_LIVE_FIELD_NAME: CUSTOM_FIELDS[0] as string,
      PINGBACK_LIVE_PRODUCTION_EMAIL: "seed-0@example.com",
    },
    seen: [],
    tooManyRequests: 0,
    production: () =>
      JSON.stringify([[...stores.production.contacts.values()], [...stores.production.deals]]),
    close: async () => {},
  };

  // The limit, counted on arrival: a bucket of `burst` refilled at `requestsPerSecond`, and at most
  // `maxInFlight` requests between arrival and answer.
  let tokens = limit.burst;
  let refilledAt = performance.now();
  let inFlight = 0;
  const admit = () => {
    const now = performance.now();
    tokens = Math.min(limit.burst, tokens + ((now - refilledAt) / 1000) * limit.requestsPerSecond);
    refilledAt = now;
    if (tokens < 1 || inFlight >= limit.maxInFlight) return false;
    tokens -= 1;
    inFlight += 1;
    return true;
  };
  const failedOnce = new Set<string>();

  const server = createServer((request, reply) => {
    const admitted = admit();
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://fake");
      const seen: SeenRequest = {
        method: request.method ?? "",
        path: url.pathname,
        headers: request.headers,
        status: 0,
      };
      fake.seen.push(seen);
      const answer = (status: number, body: unknown, type = "application/json") => {
        seen.status = status;
        if (status === 429) fake.tooManyRequests += 1;
        const send = () => {
          if (admitted) inFlight -= 1;
          reply.writeHead(status, { "content-type": type });
          reply.end(type === "application/json" ? JSON.stringify(body) : String(body));
        };
        if (admitted) setTimeout(send, delayMs);
        else send();
      };
      const fail = (code: string, status = catalogue.get(code)?.status ?? 500) => {
        const body: Record<string, unknown> = {
          error: catalogue.get(code)?.message ?? code,
          requestId: randomUUID(),
          errorCode: code,
        };
        if (breach === "bare-error") delete body.requestId;
        if (breach === "error-no-code") delete body.errorCode;
        if (breach === "429-html" && status === 429)
          return answer(status, "<html>Too Many Requests</html>", "text/html");
        answer(status, breach === "error-envelope" ? { message: body.error, data: null } : body);
      };
      if (!admitted || (breach === "429-html" && fake.seen.length === 1))
        return fail("TOO_MANY_REQUESTS", 429);
      handle(url, chunks, request.method ?? "", request.headers, answer, fail, reply);
    });
  });

  const handle = (
    url: URL,
    chunks: Buffer[],
    method: string,
    headers: IncomingHttpHeaders,
    answer: (status: number, body: unknown, type?: string) => void,
    fail: (code: string, status?: number) => void,
    _reply: ServerResponse,
  ) => {
    const path = url.pathname.replace(/^\/v2/, "");
    const developer =
      headers["x-developer-mode"] === "true" &&
      !(breach === "writes-ignore-dev-mode" && method !== "GET");
    const intake = /^\/webhook\/[^/]+\/c\/[^/]+\/w\/[^/]+$/.test(path);
    const key = headers["x-api-key"];
    const keyOk =
      key === apiKey ||
      (key === undefined && breach === "no-key-accepted") ||
      (key !== undefined && key !== apiKey && breach === "wrong-key-accepted");
    if (breach === "forbid-valid-key" && !intake) return fail("FORBIDDEN");
    if (intake ? breach === "intake-needs-key" && key !== apiKey : !keyOk) return fail("FORBIDDEN");
    if (breach === "dev-mode-422" && developer) return fail("INVALID_INPUT");
    const data = stores[developer ? "developer" : "production"];
    const raw = Buffer.concat(chunks).toString();
    let body: Record<string, unknown> | undefined;
    try {
      body = raw === "" ? undefined : JSON.parse(raw);
    } catch {
      return breach === "non-json-500" ? fail("INTERNAL_SERVER_ERROR") : fail("INVALID_INPUT");
    }
    const missingBody = () =>
      breach === "missing-body-422"
        ? fail("INVALID_INPUT")
        : breach === "code-status-mismatch"
          ? fail("INVALID_INPUT", 400)
          : fail("MISSING_BODY");
    const badEmail = (email: string) => !EMAIL.test(email) && breach !== "invalid-email-404";
    const uuidOk = (value: unknown) =>
      typeof value === "string" && (UUID.test(value) || breach === "invalid-body-accepted");
    const page = (items: unknown[], label: string) => {
      const asked = Number(url.searchParams.get("page") ?? 0);
      const number = breach === "negative-page-accepted" ? Math.max(0, asked) : asked;
      if (!Number.isInteger(number) || number < 0) return fail("INVALID_PARAMS");
      if (breach === "past-last-422" && number > 0 && number * PAGE >= items.length)
        return fail("INVALID_PARAMS");
      const size = breach === "page-oversize" ? PAGE + 1 : PAGE;
      const start = breach === "pages-overlap" ? 0 : number * size;
      const total = items.length + (breach === "total-wrong" ? 5 : 0);
      answer(200, {
        message: `${label} found`,
        data: { page: number, total, data: items.slice(start, start + size) },
      });
    };
    const segment = (pattern: RegExp) => {
      const found = pattern.exec(path)?.[1];
      return found === undefined ? undefined : decodeURIComponent(found);
    };

    if (path === "/contacts" && method === "GET") {
      const visible = [
        ...data.contacts.values(),
        ...(breach === "dev-leak" && !developer ? stores.developer.contacts.values() : []),
      ];
      return page(visible, "Contacts");
    }
    if (path === "/contacts" && method === "POST") {
      if (!body) return missingBody();
      const email = body.email;
      if (typeof email !== "string" || !EMAIL.test(email)) return fail("INVALID_INPUT");
      if (
        (data.contacts.has(email) && breach !== "duplicate-accepted") ||
        breach === "conflict-new-email"
      )
        return fail("CONTACT_ALREADY_EXISTS");
      const created =
        breach === "create-drops-fields"
          ? contact(email, {}, null)
          : contact(email, (body.attributes as Record<string, unknown>) ?? {}, body.origin ?? null);
      data.contacts.set(email, created);
      data.created.add(email);
      return answer(201, { message: "Contact created", data: { id: created.id, email } });
    }
    const contactEmail = segment(/^\/contacts\/([^/]+)$/);
    if (contactEmail !== undefined) {
      const email = contactEmail;
      const lookupFirst = allowed === "lookup-before-body";
      if (method === "PUT" && !body && !lookupFirst) return missingBody();
      if (badEmail(email)) return fail("INVALID_PARAMS");
      const found =
        data.contacts.get(email) ??
        (breach === "dev-leak" && !developer ? stores.developer.contacts.get(email) : undefined) ??
        (breach === "prod-visible-in-dev" && developer
          ? stores.production.contacts.get(email)
          : undefined);
      if (!found) return fail("CONTACT_NOT_FOUND");
      if (method === "PUT" && !body) return missingBody();
      if (method === "GET") {
        if (breach === "lose-created-contact" && data.created.has(email))
          return fail("CONTACT_NOT_FOUND");
        if (breach === "5xx-then-ok" && !failedOnce.has(email)) {
          failedOnce.add(email);
          return fail("INTERNAL_SERVER_ERROR");
        }
        if (breach === "content-type") return answer(200, "<html>Contact</html>", "text/html");
        const shown: Record<string, unknown> = { ...found };
        if (breach === "schema") shown.id = 42;
        if (breach === "readback-differs")
          shown.attributes = { ...found.attributes, name: "Somebody Else" };
        return answer(200, { message: "Contact found", data: shown });
      }
      if (method === "PUT") {
        if (breach === "update-lost" && data.created.has(email)) return fail("CONTACT_NOT_FOUND");
        if (breach !== "update-ignored") Object.assign(found.attributes, body);
        return answer(200, { message: "Contact updated", data: { id: found.id, email } });
      }
    }
    if (path === "/deals" && method === "POST") {
      if (breach === "status-501") return answer(501, { message: "Not implemented" });
      if (!body) return missingBody();
      const { contactId, pipelineId: pipeline, stageId: stage } = body;
      if (![contactId, pipeline, stage].every(uuidOk)) return fail("INVALID_INPUT");
      const owner = [...data.contacts.values()].find((c) => c.id === contactId);
      if (!owner) return fail("CONTACT_NOT_FOUND");
      if (pipeline !== pipelineId) return fail("PIPELINE_NOT_FOUND");
      if (stage !== stageId) return fail("STAGE_NOT_FOUND");
      if ([...data.deals.values()].some((d) => d.contactId === contactId))
        return fail("CONTACT_ASSOCIATED_WITH_A_DEAL");
      const id = randomUUID();
      data.deals.set(id, { id, contactId: owner.id, stageId: stage as string });
      return answer(201, {
        message: "Deal created",
        data: { id, contactId: owner.id, email: owner.email },
      });
    }
    const dealId = segment(/^\/deals\/([^/]+)$/);
    if (dealId !== undefined && method === "PUT") {
      if (!body) return missingBody();
      if (!UUID.test(dealId) && breach !== "invalid-email-404") return fail("INVALID_PARAMS");
      if (body.stageId !== undefined && !uuidOk(body.stageId)) return fail("INVALID_INPUT");
      const deal = data.deals.get(dealId);
      if (!deal && breach === "unknown-deal-accepted")
        return answer(200, { message: "Deal updated", data: { id: dealId } });
      if (!deal) return fail("DEAL_NOT_FOUND");
      if (body.stageId !== undefined && body.stageId !== stageId) return fail("STAGE_NOT_FOUND");
      return answer(200, { message: "Deal updated", data: { id: deal.id } });
    }
    if (path === "/segments" && method === "GET") {
      if (breach === "500-on-valid") return fail("INTERNAL_SERVER_ERROR");
      return page(segments, "Segments");
    }
    const memberEmail = segment(/^\/segments\/add-contact\/([^/]+)$/);
    if (memberEmail !== undefined && method === "POST") {
      const email = memberEmail;
      const lookupFirst = allowed === "lookup-before-body";
      if (!body && !lookupFirst) return missingBody();
      if (badEmail(email)) return fail("INVALID_PARAMS");
      const found = data.contacts.get(email);
      if (!found && lookupFirst) return fail("CONTACT_NOT_FOUND");
      if (!body) return missingBody();
      const ids = body.segmentedListsIds;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every(uuidOk))
        return fail("INVALID_INPUT");
      if (!found) return fail("CONTACT_NOT_FOUND");
      if (!ids.every((id) => segments.some((s) => s.id === id)))
        return fail("SEGMENTATION_LIST_NOT_FOUND");
      if (breach !== "segments-ignored")
        found.segmentedListsIds = [...new Set([...found.segmentedListsIds, ...ids])];
      return answer(200, { message: "Contact added to segments" });
    }
    const verified = segment(/^\/email-verification\/([^/]+)$/);
    if (verified !== undefined && method === "POST") {
      if (badEmail(verified)) return fail("INVALID_PARAMS");
      return answer(allowed === "verify-202" ? 202 : 200, { message: "Email verified", data: {} });
    }
    if (intake && method === "POST") {
      if (!body) return missingBody();
      if (typeof body.email !== "string" || !EMAIL.test(body.email)) return fail("INVALID_INPUT");
      const fields = Array.isArray(body.customFields) ? body.customFields : [];
      if (
        !fields.every((f: { fieldName?: unknown }) => CUSTOM_FIELDS.includes(String(f.fieldName)))
      )
        return fail("INVALID_INPUT");
      return answer(allowed === "intake-202" ? 202 : 200, { message: "Received" });
    }
    return answer(404, { error: `no route ${method} ${path}` });
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

function contact(email: string, attributes: Record<string, unknown>, origin: unknown): Contact {
  return {
    id: randomUUID(),
    email,
    status: "active",
    source: "PublicApi",
    origin,
    segmentedListsIds: [],
    createdAt: new Date().toISOString(),
    attributes: { ...attributes },
  };
}
