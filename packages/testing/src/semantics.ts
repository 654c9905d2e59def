/**
 * Pingback's behaviour, kept in state: what each published operation does once the request has
 * passed the checks the spec describes (key, body, parameters, schema). This is the hand-written
 * part of the fake, one function per operationId; an operation of the spec with no function here
 * is answered 501 "not implemented by the fake: <operationId>".
 */
import type { Operation } from "./document.js";
import type { FakeContact, ModeStore, Store } from "./state.js";

/** What a handler answers: a status and a JSON body (errors go through `fail`). */
export interface Answer {
  status: number;
  body?: unknown;
  /** A body sent as is (not JSON), with this content type. */
  text?: { contentType: string; content: string };
  /** Waits this long before answering. */
  delayMs?: number;
  /** Resets the connection instead of answering. */
  reset?: boolean;
  /** Why the fake refused the request: shown in a header and in `fake.requests`, never in the body. */
  reason?: string;
}

export interface Call {
  op: Operation;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: Record<string, unknown> | undefined;
  developerMode: boolean;
  data: ModeStore;
  store: Store;
  /** The catalogue's error answer for `code`. */
  fail(code: string): Answer;
  /** The success answer: `message` from the operation's documented example, with `data`. */
  ok(status: number, data?: unknown): Answer;
  /** A page of `items` by the `page` query and the operation's page size; `show` shapes the page's items only. */
  page<T>(items: T[], show: (item: T) => unknown): Answer;
  newId(): string;
  now(): string;
}

type Handler = (call: Call) => Answer;

/** The contact as the API shows it. */
const shown = (contact: FakeContact) => ({ ...contact, attributes: { ...contact.attributes } });
const summary = (contact: FakeContact) => ({ id: contact.id, email: contact.email });

export const SEMANTICS: Record<string, Handler> = {
  listContacts: (c) => c.page([...c.data.contacts.values()], shown),

  createContact: (c) => {
    const body = c.body as { email: string; origin?: FakeContact["origin"]; attributes?: object };
    if (c.data.contact(body.email)) return c.fail("CONTACT_ALREADY_EXISTS");
    const contact: FakeContact = {
      id: c.newId(),
      email: body.email,
      status: "active",
      source: "PublicApi",
      origin: body.origin ?? null,
      segmentedListsIds: [],
      createdAt: c.now(),
      attributes: { ...body.attributes },
    };
    c.data.contacts.set(body.email.toLowerCase(), contact);
    return c.ok(201, summary(contact));
  },

  getContact: (c) => {
    const contact = c.data.contact(c.params.email as string);
    return contact ? c.ok(200, shown(contact)) : c.fail("CONTACT_NOT_FOUND");
  },

  // The body is the attributes to change (`{ name, phone, position }`): merged into the contact's.
  updateContact: (c) => {
    const contact = c.data.contact(c.params.email as string);
    if (!contact) return c.fail("CONTACT_NOT_FOUND");
    Object.assign(contact.attributes, c.body);
    return c.ok(200, summary(contact));
  },

  createDeal: (c) => {
    const body = c.body as { contactId: string; pipelineId: string; stageId: string };
    const contact = c.data.contactById(body.contactId);
    if (!contact) return c.fail("CONTACT_NOT_FOUND");
    const pipeline = c.store.pipelines.find((p) => p.id === body.pipelineId);
    if (!pipeline) return c.fail("PIPELINE_NOT_FOUND");
    if (!pipeline.stages.some((s) => s.id === body.stageId)) return c.fail("STAGE_NOT_FOUND");
    if (c.data.dealOf(contact.id)) return c.fail("CONTACT_ASSOCIATED_WITH_A_DEAL");
    const deal = {
      id: c.newId(),
      contactId: contact.id,
      pipelineId: pipeline.id,
      stageId: body.stageId,
      attributes: { ...(c.body?.attributes as object) },
      createdAt: c.now(),
    };
    c.data.deals.set(deal.id, deal);
    return c.ok(201, { id: deal.id, contactId: contact.id, email: contact.email });
  },

  updateDeal: (c) => {
    const deal = c.data.deals.get(c.params.dealId as string);
    if (!deal) return c.fail("DEAL_NOT_FOUND");
    const body = c.body as { contactId?: string; stageId?: string; attributes?: object };
    if (body.contactId !== undefined) {
      const contact = c.data.contactById(body.contactId);
      if (!contact) return c.fail("CONTACT_NOT_FOUND");
      const other = c.data.dealOf(contact.id);
      if (other && other.id !== deal.id) return c.fail("CONTACT_ASSOCIATED_WITH_A_DEAL");
    }
    if (body.stageId !== undefined) {
      const pipeline = c.store.pipelines.find((p) => p.id === deal.pipelineId);
      if (!pipeline?.stages.some((s) => s.id === body.stageId)) return c.fail("STAGE_NOT_FOUND");
    }
    if (body.contactId !== undefined) deal.contactId = body.contactId;
    if (body.stageId !== undefined) deal.stageId = body.stageId;
    Object.assign(deal.attributes, body.attributes);
    return c.ok(200, { id: deal.id });
  },

  listSegments: (c) => c.page(c.store.segments, (s) => ({ ...s })),

  addContactToSegments: (c) => {
    const contact = c.data.contact(c.params.email as string);
    if (!contact) return c.fail("CONTACT_NOT_FOUND");
    const ids = (c.body as { segmentedListsIds: string[] }).segmentedListsIds;
    if (!ids.every((id) => c.store.segments.some((s) => s.id === id)))
      return c.fail("SEGMENTATION_LIST_NOT_FOUND");
    contact.segmentedListsIds = [...new Set([...contact.segmentedListsIds, ...ids])];
    return c.ok(200);
  },

  // The result's fields are not published: the answer is the documented example's envelope.
  verifyEmail: (c) => c.ok(200, {}),

  // A lead's custom fields must be the account's (seeded) ones; any other is refused.
  sendToWebhook: (c) => {
    const fields = (c.body as { customFields?: { fieldName: string }[] }).customFields ?? [];
    const unknown = fields.find((f) => !c.store.customFields.some((k) => k.name === f.fieldName));
    if (unknown)
      return {
        ...c.fail("INVALID_INPUT"),
        reason: `customFields: "${unknown.fieldName}" is not a custom field of the account (seed it under customFields)`,
      };
    c.store.leads.push({
      webhookId: c.params.webhookId as string,
      channelUid: c.params.channelUid as string,
      workflowId: c.params.workflowId as string,
      body: c.body,
      receivedAt: c.now(),
    });
    return c.ok(200);
  },
};

/** The operationIds whose semantics the fake implements; any other operation of the spec is answered 501. */
export const IMPLEMENTED_OPERATIONS: readonly string[] = Object.keys(SEMANTICS);
