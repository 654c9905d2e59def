// test/signup.test.ts: the user's code against the fake, in process.
import { createPingbackClient } from "@pingback/client";
import { createFakePingback } from "@pingback/testing";
import { beforeEach, expect, test } from "vitest";
import { signUp } from "../src/signup.js";

const NEWSLETTER = "5e0e0000-0000-4000-8000-000000000001";

// The account as the test needs it: what the API has no operation to create is seeded.
const fake = createFakePingback({
  seed: { segments: [{ id: NEWSLETTER, name: "Newsletter" }] },
  rateLimit: false, // the API's 5/s is on by default; off here, for speed
});
// The fake's fetch answers in process: no port, no interception, no network.
const client = createPingbackClient({
  apiKey: fake.apiKey,
  fetch: fake.fetch,
  developerMode: true,
  rateLimit: false,
});

beforeEach(() => fake.reset());

test("a sign-up creates the contact and adds it to the newsletter", async () => {
  const user = { email: "ada@example.com", name: "Ada", newsletter: NEWSLETTER };
  const id = await signUp(client, user);

  expect(fake.state().developer.contacts).toEqual([
    expect.objectContaining({
      id,
      email: "ada@example.com",
      attributes: { name: "Ada" },
      segmentedListsIds: [NEWSLETTER],
    }),
  ]);
});

test("signing up twice is refused, as the API refuses a duplicate email", async () => {
  const user = { email: "ada@example.com", name: "Ada", newsletter: NEWSLETTER };
  await signUp(client, user);

  await expect(signUp(client, { ...user, email: "ADA@example.com" })).rejects.toMatchObject({
    status: 409,
    errorCode: "CONTACT_ALREADY_EXISTS",
  });
  // Every request the code sent, as the fake received it (the key shown as "[redacted]").
  expect(fake.requests.map((r) => `${r.operationId} ${r.status}`)).toEqual([
    "createContact 201",
    "addContactToSegments 200",
    "createContact 409",
  ]);
});
