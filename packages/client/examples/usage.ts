import { createPingbackClient, isPingbackError, orThrow } from "@pingback/client";

const client = createPingbackClient({
  apiKey: process.env.PINGBACK_API_KEY ?? "",
  // Unset: https://connect.pingback.com/v2. A local mock or proxy may use http://127.0.0.1.
  baseUrl: process.env.PINGBACK_BASE_URL,
  developerMode: true, // test data only; production stays untouched
});

// Result style: an HTTP error is a value, typed per documented status.
const { data, error } = await client.POST("/contacts", {
  body: { email: "ada@example.com", attributes: { name: "Ada" } },
});
if (error) console.log(`not created: ${error.errorCode ?? "no code"}`);
else console.log(`created ${data.data.id}`);

// Throwing style: the body, or a PingbackError narrowed by its code.
try {
  const { data: contact } = await client
    .GET("/contacts/{email}", { params: { path: { email: "nobody@example.com" } } })
    .then(orThrow);
  console.log(`found ${contact.email}`);
} catch (e) {
  if (isPingbackError(e, "CONTACT_NOT_FOUND")) console.log(`no such contact (${e.requestId})`);
  else throw e;
}

// Every contact, page after page, within the API's rate limit.
let count = 0;
for await (const contact of client.paginate("/contacts")) if (contact.email) count++;
console.log(`${count} contacts`);
