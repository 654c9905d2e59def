/**
 * The quickstart's tour against `@pingback/testing`'s fake, where state makes it mean something: the
 * pages are real pages of the contacts the account holds (with a true total), the contact the tour
 * creates is there afterwards and in the segment it was added to, and the 404 for an unknown email
 * comes from the data, not from a `Prefer` header. (`pnpm example` keeps Prism: see the README.)
 */
import { createPingbackClient } from "@pingback/client";
import { createFakePingback } from "@pingback/testing";
import { expect, test } from "vitest";
import { quickstart } from "../src/quickstart.js";

const SEGMENT = "5e0e0000-0000-4000-8000-000000000001";

test("the tour lists real pages, creates a contact, adds it to the account's first segment, and meets a real 404", async () => {
  const fake = createFakePingback({
    rateLimit: false,
    seed: {
      segments: [{ id: SEGMENT, name: "Newsletter" }],
      contacts: Array.from({ length: 12 }, (_, i) => ({ email: `seeded-${i}@example.com` })),
    },
  });
  const client = createPingbackClient({
    apiKey: fake.apiKey,
    fetch: fake.fetch,
    developerMode: true,
    rateLimit: false,
  });
  const lines: string[] = [];
  await quickstart(client, { email: "tour@example.com", print: (line) => lines.push(line) });

  // 12 seeded contacts: page 0 holds 10, page 1 the other 2, then the list ends.
  expect(lines.filter((line) => line.startsWith("page "))).toEqual([
    "page 0: 10 of 12 contacts",
    "page 1: 12 of 12 contacts",
  ]);
  expect(lines.filter((line) => line.startsWith("contact "))).toHaveLength(12);
  const [created] = fake.state().developer.contacts.filter((c) => c.email === "tour@example.com");
  expect(lines).toContain(`created contact ${created?.id} (tour@example.com): Contact created`);
  // The segment was the account's first, found by listing segments: the state shows the contact in it.
  expect(created?.segmentedListsIds).toEqual([SEGMENT]);
  expect(lines).toContainEqual(
    expect.stringMatching(
      /^not found, as documented: 404 CONTACT_NOT_FOUND, requestId [0-9a-f-]{36}$/,
    ),
  );
  expect(fake.requests.map((r) => `${r.operationId} ${r.status}`)).toEqual([
    "listContacts 200",
    "listContacts 200",
    "createContact 201",
    "listSegments 200",
    "addContactToSegments 200",
    "getContact 404",
  ]);
});
