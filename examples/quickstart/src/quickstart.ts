/**
 * The quickstart: a tour of @pingback/client to read top to bottom. The root README's "Using the
 * packages" section quotes it, and a test keeps the quotes and this file equal.
 */
import { isPingbackError, orThrow, type PingbackClient } from "@pingback/client";

export interface QuickstartOptions {
  /** The email address of the contact the tour creates. */
  email: string;
  /** The segment to add the contact to; by default the account's first segment. */
  segmentId?: string;
  /** Extra headers for the lookup that must answer 404 (a mock needs `Prefer: code=404`). */
  notFoundHeaders?: Record<string, string>;
  /** How many contacts to list before stopping (default 25). */
  contactsToList?: number;
  /** Where each line of the tour is written (default `console.log`). */
  print?: (line: string) => void;
}

export async function quickstart(client: PingbackClient, options: QuickstartOptions) {
  const { email, contactsToList = 25, print = console.log } = options;

  // Pagination: every contact, page after page (10 per page); `break` stops fetching.
  // `onPage` reports progress with the API's `total`, e.g. for a progress bar over a long export.
  let listed = 0;
  for await (const contact of client.paginate("/contacts", {
    onPage: ({ page, fetched, total }) => print(`page ${page}: ${fetched} of ${total} contacts`),
  })) {
    print(`contact ${++listed}: ${contact.email}`);
    if (listed === contactsToList) break;
  }

  // One call: `orThrow` returns the success body, or throws a PingbackError for any non-2xx.
  const created = orThrow(
    await client.POST("/contacts", { body: { email, attributes: { name: "Quickstart" } } }),
  );
  print(`created contact ${created.data.id} (${email}): ${created.message}`);

  const segmentId = options.segmentId ?? (await firstSegmentId(client));
  if (segmentId === undefined) {
    print("no segment to add the contact to: create one in Pingback first");
  } else {
    const added = orThrow(
      await client.POST("/segments/add-contact/{email}", {
        params: { path: { email } },
        body: { segmentedListsIds: [segmentId] },
      }),
    );
    print(`added ${email} to segment ${segmentId}: ${added.message}`);
  }

  // One documented error: a contact that does not exist is a 404 with errorCode CONTACT_NOT_FOUND.
  try {
    await client
      .GET("/contacts/{email}", {
        params: { path: { email: `missing-${email}` } },
        headers: options.notFoundHeaders ?? {},
      })
      .then(orThrow);
  } catch (error) {
    if (!isPingbackError(error, "CONTACT_NOT_FOUND")) throw error;
    print(
      `not found, as documented: ${error.status} ${error.errorCode}, requestId ${error.requestId}`,
    );
  }
}

/** The id of the account's first segment, if it has one. */
async function firstSegmentId(client: PingbackClient): Promise<string | undefined> {
  for await (const segment of client.paginate("/segments")) {
    if (typeof segment.id === "string") return segment.id;
  }
  return undefined;
}
