/**
 * The fake's data: contacts and deals kept apart per mode (production and developer mode, as the
 * API keeps them), and the account's configuration (segments, pipelines with their stages, custom
 * fields) shared by both modes. Seeds are checked, so a bad seed fails with the field it got wrong.
 */
import { FORMATS } from "./schema.js";

export interface FakeContact {
  id: string;
  email: string;
  status: string;
  source: string;
  origin: { url?: string; utmSource?: string } | null;
  segmentedListsIds: string[];
  createdAt: string;
  attributes: Record<string, unknown>;
}

export interface FakeDeal {
  id: string;
  contactId: string;
  pipelineId: string;
  stageId: string;
  attributes: Record<string, unknown>;
  createdAt: string;
}

export interface FakeSegment {
  id: string;
  name: string;
}

export interface FakePipeline {
  id: string;
  name: string;
  stages: { id: string; name: string }[];
}

export interface FakeCustomField {
  name: string;
}

/** A lead posted to a workflow's intake webhook, as received. */
export interface FakeLead {
  webhookId: string;
  channelUid: string;
  workflowId: string;
  body: unknown;
  receivedAt: string;
}

/** What one mode (production or developer) holds. */
export interface FakeModeState {
  contacts: FakeContact[];
  deals: FakeDeal[];
}

/** A copy of everything the fake holds; changing it changes nothing in the fake. */
export interface FakeState {
  production: FakeModeState;
  developer: FakeModeState;
  segments: FakeSegment[];
  pipelines: FakePipeline[];
  customFields: FakeCustomField[];
  leads: FakeLead[];
}

/** A contact that exists before the test starts. */
export interface SeedContact {
  email: string;
  /** Default: a new id from the id source. */
  id?: string;
  attributes?: Record<string, unknown>;
  origin?: { url?: string; utmSource?: string } | null;
  /** Ids of seeded segments the contact is in. */
  segmentedListsIds?: string[];
  /** Default: now, by the fake's clock. */
  createdAt?: string;
  /** `true`: developer-mode data only; `false`: production only; absent: both (one copy each). */
  developerMode?: boolean;
}

/** What the account holds before the test starts: the parts the API has no operation to create. */
export interface FakeSeed {
  segments?: { id?: string; name: string }[];
  pipelines?: { id?: string; name: string; stages: { id?: string; name: string }[] }[];
  customFields?: FakeCustomField[];
  contacts?: SeedContact[];
}

export class ModeStore {
  /** Keyed by the email in lower case: the fake treats addresses case-insensitively (see README). */
  readonly contacts = new Map<string, FakeContact>();
  readonly deals = new Map<string, FakeDeal>();

  contact(email: string): FakeContact | undefined {
    return this.contacts.get(email.toLowerCase());
  }

  contactById(id: string): FakeContact | undefined {
    for (const contact of this.contacts.values()) if (contact.id === id) return contact;
    return undefined;
  }

  dealOf(contactId: string): FakeDeal | undefined {
    for (const deal of this.deals.values()) if (deal.contactId === contactId) return deal;
    return undefined;
  }

  snapshot(): FakeModeState {
    return { contacts: clone([...this.contacts.values()]), deals: clone([...this.deals.values()]) };
  }
}

export class Store {
  production = new ModeStore();
  developer = new ModeStore();
  segments: FakeSegment[] = [];
  pipelines: FakePipeline[] = [];
  customFields: FakeCustomField[] = [];
  leads: FakeLead[] = [];

  constructor(
    private readonly ids: () => string,
    private readonly now: () => string,
  ) {}

  mode(developer: boolean): ModeStore {
    return developer ? this.developer : this.production;
  }

  /** Adds a seed to what the fake holds; throws, naming the field, on a seed the API could not hold. */
  seed(seed: FakeSeed): void {
    const where = (path: string) => `@pingback/testing: seed.${path}`;
    const id = (given: string | undefined, path: string) => {
      const value = given ?? this.ids();
      if (!FORMATS.uuid?.(value))
        throw new TypeError(`${where(path)} must be a uuid (the API's ids are), got "${value}".`);
      return value;
    };
    for (const [i, s] of (seed.segments ?? []).entries()) {
      const segment = { id: id(s.id, `segments[${i}].id`), name: String(s.name) };
      if (this.segments.some((known) => known.id === segment.id))
        throw new TypeError(`${where(`segments[${i}].id`)} "${segment.id}" is seeded twice.`);
      this.segments.push(segment);
    }
    for (const [i, p] of (seed.pipelines ?? []).entries()) {
      if (!Array.isArray(p.stages))
        throw new TypeError(`${where(`pipelines[${i}].stages`)} must be a list of { name }.`);
      this.pipelines.push({
        id: id(p.id, `pipelines[${i}].id`),
        name: String(p.name),
        stages: p.stages.map((s, j) => ({
          id: id(s.id, `pipelines[${i}].stages[${j}].id`),
          name: String(s.name),
        })),
      });
    }
    for (const field of seed.customFields ?? []) this.customFields.push({ ...field });
    for (const [i, c] of (seed.contacts ?? []).entries()) {
      if (typeof c.email !== "string" || !FORMATS.email?.(c.email))
        throw new TypeError(
          `${where(`contacts[${i}].email`)} must be an email address, got ${JSON.stringify(c.email)}.`,
        );
      for (const segment of c.segmentedListsIds ?? [])
        if (!this.segments.some((s) => s.id === segment))
          throw new TypeError(
            `${where(`contacts[${i}].segmentedListsIds`)} names "${segment}", which is not a seeded segment: seed it under segments first.`,
          );
      const contact: FakeContact = {
        id: id(c.id, `contacts[${i}].id`),
        email: c.email,
        status: "active",
        source: "PublicApi",
        origin: c.origin ?? null,
        segmentedListsIds: [...(c.segmentedListsIds ?? [])],
        createdAt: c.createdAt ?? this.now(),
        attributes: { ...c.attributes },
      };
      const modes =
        c.developerMode === undefined
          ? [this.production, this.developer]
          : [this.mode(c.developerMode)];
      for (const mode of modes) {
        if (mode.contact(c.email))
          throw new TypeError(`${where(`contacts[${i}].email`)} "${c.email}" is seeded twice.`);
        mode.contacts.set(c.email.toLowerCase(), clone(contact));
      }
    }
  }

  snapshot(): FakeState {
    return {
      production: this.production.snapshot(),
      developer: this.developer.snapshot(),
      segments: clone(this.segments),
      pipelines: clone(this.pipelines),
      customFields: clone(this.customFields),
      leads: clone(this.leads),
    };
  }
}

/** A deep copy of JSON data (everything the fake holds is JSON; faster than structuredClone). */
export function clone<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
