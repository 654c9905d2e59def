/**
 * `pnpm example`: the quickstart against a Prism mock of the spec, which it starts and stops, or,
 * with PINGBACK_API_KEY set, against the real API in developer mode (test data only). The root
 * README quotes its import of the client and `againstTheApi`.
 */
import { readFileSync } from "node:fs";
import { createPingbackClient } from "@pingback/client";
import { specPath, startMock } from "./mock.js";
import { quickstart } from "./quickstart.js";

const email = `quickstart-${Date.now()}@example.com`;
const apiKey = process.env.PINGBACK_API_KEY;

try {
  if (apiKey) await againstTheApi(apiKey);
  else await againstTheMock();
} catch (error) {
  // The client's errors never carry the API key, so they are safe to print.
  console.error(String(error));
  process.exitCode = 1;
}

async function againstTheApi(apiKey: string) {
  console.log("Against the real API, in developer mode (test data only)");
  const client = createPingbackClient({ apiKey, developerMode: true });
  await quickstart(client, { email });
}

async function againstTheMock() {
  const mock = await startMock();
  try {
    console.log(
      `Against a Prism mock of the spec at ${mock.url} (set PINGBACK_API_KEY for the real API)`,
    );
    const client = createPingbackClient({ apiKey: "mock-key", baseUrl: mock.url });
    await quickstart(client, {
      email,
      // The mock serves the same documented page for every page number, claiming 2042 contacts.
      contactsToList: 3,
      // The mock's segment list is the documented empty one; use the documented example segment.
      segmentId: exampleSegmentId(),
      // The mock has no data, so it answers every lookup with the documented 200 example; the real
      // API answers 404 for an unknown email by itself. Ask the mock for the documented 404.
      notFoundHeaders: { Prefer: "code=404" },
    });
  } finally {
    await mock.close();
  }
}

/** The segment id of the spec's own `addContactToSegments` request example. */
function exampleSegmentId(): string {
  const spec = JSON.parse(readFileSync(specPath, "utf8"));
  const examples = spec.paths["/segments/add-contact/{email}"].post.requestBody.content[
    "application/json"
  ].examples as Record<string, { value: { segmentedListsIds: string[] } }>;
  const [first] = Object.values(examples);
  const id = first?.value.segmentedListsIds[0];
  if (!id) throw new Error("The spec has no addContactToSegments request example with a segment.");
  return id;
}
