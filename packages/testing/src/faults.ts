/**
 * Named faults: what a test cannot provoke on the real API (incidents), and ways to break the
 * contract on purpose (breaches, which the conformance suite's own self-test must catch). Each is a
 * pair of hooks around the fake's core: `before` may answer in its place or change the request,
 * `after` may change the answer. One mechanism for both kinds.
 */
import type { Operation } from "./document.js";
import { FORMATS } from "./schema.js";
import type { Answer } from "./semantics.js";
import type { Store } from "./state.js";

/** Incidents of a real deployment, for testing how user code copes. */
export const INCIDENTS = [
  "rate-limit-storm",
  "5xx-then-ok",
  "slow",
  "html-502",
  "connection-reset",
  "bare-error",
] as const;

/** Breaches of the contract, one per check of the live conformance suite. */
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

/** What Pingback may do where the spec leaves it open: the conformance suite must pass each. */
export const ALLOWED = ["lookup-before-body", "intake-202", "verify-202"] as const;

export type Incident = (typeof INCIDENTS)[number];
export type Breach = (typeof BREACHES)[number];
export type Allowed = (typeof ALLOWED)[number];
export type FaultName = Incident | Breach | Allowed;

/** Which requests a fault touches, and how. */
export interface FaultOptions {
  /** Only these operations (default: every operation). */
  operationId?: string | string[];
  /** How many requests it touches before it stops; for `5xx-then-ok`, how many 500s per request (default 1). Default: until `reset()`. */
  times?: number;
  /** `slow`: how long each answer is held back (default 5000 ms). */
  delayMs?: number;
}

/** A request as the faults see it: the parts they may read or change before the core runs. */
export interface Incoming {
  method: string;
  /** The path after the base path (`/contacts/a@b.co`). */
  path: string;
  url: URL;
  headers: Headers;
  /** The body as received ("" when none). */
  text: string;
  op: Operation | undefined;
  /** Checks the core skips for this request (a breach asks for it). */
  skip: Set<"parameter-formats" | "body-formats">;
}

export interface FaultContext {
  apiKey: string;
  /** The fake's rate limit, when on. */
  limit: { requestsPerSecond: number; burst: number } | undefined;
  /** Runs the core again for another request (a breach that needs another page). */
  serve(path: string, headers: Headers): Promise<Answer>;
  /** The catalogue's error answer for `code`, at `status` (default the catalogue's). */
  fail(code: string, status?: number): Answer;
  nowMs(): number;
  /** The fake's data (a breach may look at it, or undo what the core did). */
  store(): Store;
  newId(): string;
}

export interface FaultHooks {
  before?(incoming: Incoming): Answer | undefined;
  after?(incoming: Incoming, answer: Answer): Answer | Promise<Answer>;
}

const isError = (answer: Answer, code: string) =>
  (answer.body as { errorCode?: unknown } | undefined)?.errorCode === code;
const on = (incoming: Incoming, operationId: string) => incoming.op?.operationId === operationId;
const is2xx = (answer: Answer) => answer.status >= 200 && answer.status < 300;
/** Answers of the API that carry an error body. */
const errorBody = (answer: Answer) =>
  answer.status >= 400 && typeof answer.body === "object" && answer.body !== null;

/** How much stricter than the fake's limit `strict-limit` is. */
const STRICTER = 20;
const developer = (incoming: Incoming) => incoming.headers.get("x-developer-mode") === "true";
/** A limit of its own, `divisor` times stricter than the fake's: a 429 past it. */
function stricterLimit(ctx: FaultContext, divisor: number): FaultHooks {
  const limit = ctx.limit ?? { requestsPerSecond: 5, burst: 2 };
  const rate = limit.requestsPerSecond / divisor;
  let tokens = limit.burst;
  let at = ctx.nowMs();
  return {
    before: () => {
      const now = ctx.nowMs();
      tokens = Math.min(limit.burst, tokens + ((now - at) / 1000) * rate);
      at = now;
      if (tokens < 1) return ctx.fail("TOO_MANY_REQUESTS");
      tokens -= 1;
      return undefined;
    },
  };
}
/** Keeps a field of the request's contact as it was before the core ran, undoing the write. */
function undoWrite(
  ctx: FaultContext,
  operationId: string,
  field: "attributes" | "segmentedListsIds",
): FaultHooks {
  const before = new WeakMap<Incoming, unknown>();
  const contactOf = (incoming: Incoming) =>
    ctx.store().mode(developer(incoming)).contact(emailOf(incoming));
  return {
    before: (incoming) => {
      const contact = incoming.op?.operationId === operationId ? contactOf(incoming) : undefined;
      if (contact) before.set(incoming, structuredClone(contact[field]));
      return undefined;
    },
    after: (incoming, answer) => {
      const contact = contactOf(incoming);
      if (contact && before.has(incoming))
        Object.assign(contact, { [field]: before.get(incoming) });
      return answer;
    },
  };
}
/** The last path segment, decoded: the email of `/contacts/{email}` and the like. */
const emailOf = (incoming: Incoming) => {
  const last = incoming.path.split("/").pop() ?? "";
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
};

export function createFault(name: FaultName, options: FaultOptions, ctx: FaultContext): FaultHooks {
  const created = new Set<string>();
  const rememberCreated = (incoming: Incoming, answer: Answer) => {
    if (on(incoming, "createContact") && answer.status === 201) {
      const email = (answer.body as { data?: { email?: string } }).data?.email;
      if (email) created.add(email.toLowerCase());
    }
  };
  const contactOf = (incoming: Incoming) =>
    decodeURIComponent(incoming.path.split("/").pop() ?? "").toLowerCase();
  switch (name) {
    case "rate-limit-storm":
      return { before: () => ctx.fail("TOO_MANY_REQUESTS") };
    case "5xx-then-ok": {
      const failures = new Map<string, number>();
      const times = options.times ?? 1;
      return {
        before: (incoming) => {
          const key = `${incoming.method} ${incoming.url.pathname}${incoming.url.search}`;
          const seen = failures.get(key) ?? 0;
          if (seen >= times) return undefined;
          failures.set(key, seen + 1);
          return ctx.fail("INTERNAL_SERVER_ERROR");
        },
      };
    }
    case "slow":
      return { after: (_, answer) => ({ ...answer, delayMs: options.delayMs ?? 5000 }) };
    case "html-502":
      return {
        before: () => ({
          status: 502,
          text: {
            contentType: "text/html",
            content:
              "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
          },
        }),
      };
    case "connection-reset":
      return { before: () => ({ status: 0, reset: true }) };
    case "bare-error":
      return {
        after: (_, answer) => {
          if (!errorBody(answer)) return answer;
          const { requestId: _dropped, ...rest } = answer.body as Record<string, unknown>;
          return { ...answer, body: rest };
        },
      };
    case "forbid-valid-key":
      return { before: (incoming) => (incoming.op?.needsKey ? ctx.fail("FORBIDDEN") : undefined) };
    case "lose-created-contact":
      return {
        after: (incoming, answer) => {
          rememberCreated(incoming, answer);
          return on(incoming, "getContact") && is2xx(answer) && created.has(contactOf(incoming))
            ? ctx.fail("CONTACT_NOT_FOUND")
            : answer;
        },
      };
    case "update-lost":
      return {
        after: (incoming, answer) => {
          rememberCreated(incoming, answer);
          return on(incoming, "updateContact") && is2xx(answer) && created.has(contactOf(incoming))
            ? ctx.fail("CONTACT_NOT_FOUND")
            : answer;
        },
      };
    case "conflict-new-email":
      return {
        before: (incoming) =>
          on(incoming, "createContact") ? ctx.fail("CONTACT_ALREADY_EXISTS") : undefined,
      };
    case "500-on-valid":
      return {
        after: (incoming, answer) =>
          on(incoming, "listSegments") && is2xx(answer)
            ? ctx.fail("INTERNAL_SERVER_ERROR")
            : answer,
      };
    case "dev-mode-422":
      return {
        before: (incoming) =>
          incoming.headers.get("x-developer-mode") === "true"
            ? ctx.fail("INVALID_INPUT")
            : undefined,
      };
    case "strict-limit":
      return stricterLimit(ctx, STRICTER);
    case "limit-halved":
      return stricterLimit(ctx, 2);
    case "create-drops-fields":
      return {
        after: (incoming, answer) => {
          if (!on(incoming, "createContact") || answer.status !== 201) return answer;
          const email = (answer.body as { data?: { email?: string } }).data?.email ?? "";
          const contact = ctx.store().mode(developer(incoming)).contact(email);
          if (contact) Object.assign(contact, { attributes: {}, origin: null });
          return answer;
        },
      };
    case "update-ignored":
      return undoWrite(ctx, "updateContact", "attributes");
    case "segments-ignored":
      return undoWrite(ctx, "addContactToSegments", "segmentedListsIds");
    case "prod-visible-in-dev":
      return {
        after: async (incoming, answer) => {
          if (
            !on(incoming, "getContact") ||
            !developer(incoming) ||
            !isError(answer, "CONTACT_NOT_FOUND")
          )
            return answer;
          const headers = new Headers(incoming.headers);
          headers.delete("x-developer-mode");
          return ctx.serve(incoming.url.pathname, headers);
        },
      };
    case "writes-ignore-dev-mode":
      return {
        before: (incoming) => {
          if (incoming.method !== "GET") incoming.headers.delete("x-developer-mode");
          return undefined;
        },
      };
    case "error-no-code":
      return {
        after: (_, answer) => {
          if (!errorBody(answer)) return answer;
          const { errorCode: _dropped, ...rest } = answer.body as Record<string, unknown>;
          return { ...answer, body: rest };
        },
      };
    case "error-envelope":
      return {
        after: (_, answer) =>
          errorBody(answer)
            ? {
                ...answer,
                body: { message: (answer.body as { error?: unknown }).error, data: null },
              }
            : answer,
      };
    case "429-html": {
      let first = true;
      return {
        before: () => {
          const wasFirst = first;
          first = false;
          return wasFirst ? ctx.fail("TOO_MANY_REQUESTS") : undefined;
        },
        after: (_, answer) =>
          answer.status === 429
            ? {
                status: 429,
                text: { contentType: "text/html", content: "<html>Too Many Requests</html>" },
              }
            : answer,
      };
    }
    case "non-json-500":
      return {
        before: (incoming) => {
          if (incoming.text === "") return undefined;
          try {
            JSON.parse(incoming.text);
            return undefined;
          } catch {
            return ctx.fail("INTERNAL_SERVER_ERROR");
          }
        },
      };
    case "past-last-422":
      return {
        after: (incoming, answer) =>
          incoming.op?.pageSize &&
          is2xx(answer) &&
          Number(incoming.url.searchParams.get("page") ?? 0) > 0 &&
          pageOf(answer).data.length === 0
            ? ctx.fail("INVALID_PARAMS")
            : answer,
      };
    case "negative-page-accepted":
      return {
        before: (incoming) => {
          if (Number(incoming.url.searchParams.get("page")) < 0)
            incoming.url.searchParams.set("page", "0");
          return undefined;
        },
      };
    case "unknown-deal-accepted":
      return {
        after: (incoming, answer) =>
          on(incoming, "updateDeal") && isError(answer, "DEAL_NOT_FOUND")
            ? { status: 200, body: { message: "Deal updated", data: { id: emailOf(incoming) } } }
            : answer,
      };
    case "duplicate-accepted":
      return {
        after: (incoming, answer) => {
          if (!on(incoming, "createContact") || !isError(answer, "CONTACT_ALREADY_EXISTS"))
            return answer;
          const { email } = JSON.parse(incoming.text) as { email: string };
          return {
            status: 201,
            body: { message: "Contact created", data: { id: ctx.newId(), email } },
          };
        },
      };
    case "lookup-before-body":
      return {
        before: (incoming) => {
          const lookup = on(incoming, "updateContact") || on(incoming, "addContactToSegments");
          if (!lookup || incoming.text !== "") return undefined;
          const email = emailOf(incoming);
          if (!FORMATS.email?.(email)) return undefined;
          return ctx.store().mode(developer(incoming)).contact(email)
            ? undefined
            : ctx.fail("CONTACT_NOT_FOUND");
        },
      };
    case "intake-202":
      return {
        after: (incoming, answer) =>
          on(incoming, "sendToWebhook") && answer.status === 200
            ? { ...answer, status: 202 }
            : answer,
      };
    case "verify-202":
      return {
        after: (incoming, answer) =>
          on(incoming, "verifyEmail") && answer.status === 200
            ? { ...answer, status: 202 }
            : answer,
      };
    case "status-501":
      return {
        before: (incoming) =>
          on(incoming, "createDeal")
            ? { status: 501, body: { message: "Not implemented" } }
            : undefined,
      };
    case "schema":
      return {
        after: (incoming, answer) =>
          on(incoming, "getContact") && is2xx(answer)
            ? withData(answer, (data) => ({ ...data, id: 42 }))
            : answer,
      };
    case "content-type":
      return {
        after: (incoming, answer) =>
          on(incoming, "getContact") && is2xx(answer)
            ? { status: 200, text: { contentType: "text/html", content: "<html>Contact</html>" } }
            : answer,
      };
    case "no-key-accepted":
      return {
        before: (incoming) => {
          if (!incoming.headers.has("x-api-key")) incoming.headers.set("x-api-key", ctx.apiKey);
          return undefined;
        },
      };
    case "wrong-key-accepted":
      return {
        before: (incoming) => {
          if (incoming.headers.has("x-api-key")) incoming.headers.set("x-api-key", ctx.apiKey);
          return undefined;
        },
      };
    case "missing-body-422":
      return {
        after: (_, answer) =>
          isError(answer, "MISSING_BODY") ? ctx.fail("INVALID_INPUT") : answer,
      };
    case "code-status-mismatch":
      return {
        after: (_, answer) =>
          isError(answer, "MISSING_BODY") ? ctx.fail("INVALID_INPUT", 400) : answer,
      };
    case "invalid-email-404":
      return {
        before: (incoming) => {
          incoming.skip.add("parameter-formats");
          return undefined;
        },
      };
    case "invalid-body-accepted":
      return {
        before: (incoming) => {
          incoming.skip.add("body-formats");
          return undefined;
        },
      };
    case "pages-overlap":
      return {
        after: async (incoming, answer) => {
          if (!incoming.op?.pageSize || !is2xx(answer) || !incoming.url.searchParams.get("page"))
            return answer;
          const first = await ctx.serve(incoming.url.pathname, incoming.headers);
          return withData(answer, (data) => ({ ...data, data: pageOf(first).data }));
        },
      };
    case "page-oversize":
      return {
        after: async (incoming, answer) => {
          if (!incoming.op?.pageSize || !is2xx(answer)) return answer;
          const page = Number(incoming.url.searchParams.get("page") ?? 0);
          const next = await ctx.serve(
            `${incoming.url.pathname}?page=${page + 1}`,
            incoming.headers,
          );
          return withData(answer, (data) => ({
            ...data,
            data: [...pageOf(answer).data, ...pageOf(next).data.slice(0, 1)],
          }));
        },
      };
    case "total-wrong":
      return {
        after: (incoming, answer) =>
          incoming.op?.pageSize && is2xx(answer)
            ? withData(answer, (data) => ({ ...data, total: pageOf(answer).total + 5 }))
            : answer,
      };
    case "dev-leak":
      return {
        before: (incoming) => {
          incoming.headers.set("x-developer-mode", "true");
          return undefined;
        },
      };
    case "readback-differs":
      return {
        after: (incoming, answer) =>
          on(incoming, "getContact") && is2xx(answer)
            ? withData(answer, (data) => ({
                ...data,
                attributes: { ...(data.attributes as object), name: "Somebody Else" },
              }))
            : answer,
      };
    case "intake-needs-key":
      return {
        before: (incoming) =>
          incoming.op && !incoming.op.needsKey && incoming.headers.get("x-api-key") !== ctx.apiKey
            ? ctx.fail("FORBIDDEN")
            : undefined,
      };
    default:
      throw new TypeError(
        `@pingback/testing: no fault is named "${name as string}". Known faults: ${[...new Set([...INCIDENTS, ...BREACHES, ...ALLOWED])].join(", ")}.`,
      );
  }
}

function withData(answer: Answer, change: (data: Record<string, unknown>) => unknown): Answer {
  const body = answer.body as { data?: Record<string, unknown> };
  return { ...answer, body: { ...body, data: change(body.data ?? {}) } };
}

function pageOf(answer: Answer): { data: unknown[]; total: number } {
  const data = (answer.body as { data?: { data?: unknown[]; total?: number } }).data;
  return { data: data?.data ?? [], total: data?.total ?? 0 };
}
