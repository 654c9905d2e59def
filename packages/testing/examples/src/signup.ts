// src/signup.ts: the code under test.
import { orThrow, type PingbackClient } from "@pingback/client";

/** Creates the contact, then adds it to the newsletter segment; returns the contact's id. */
export async function signUp(
  client: PingbackClient,
  user: { email: string; name: string; newsletter: string },
): Promise<string> {
  const { email, name, newsletter } = user;
  const created = orThrow(
    await client.POST("/contacts", { body: { email, attributes: { name } } }),
  );
  orThrow(
    await client.POST("/segments/add-contact/{email}", {
      params: { path: { email } },
      body: { segmentedListsIds: [newsletter] },
    }),
  );
  return created.data.id;
}
