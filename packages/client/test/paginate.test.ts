/** Every item of a paginated list, page after page, through the client. */
import { describe, expect, test } from "vitest";
import { createPingbackClient, PingbackError } from "../src/index.js";
import { stubFetch } from "./support/stub.js";

function pagesOf(total: number, pageSize = 10) {
  return (request: Request) => {
    const page = Number(new URL(request.url).searchParams.get("page"));
    const from = page * pageSize;
    const data = Array.from({ length: Math.max(0, Math.min(pageSize, total - from)) }, (_, i) => ({
      id: `${from + i}`,
      email: `c${from + i}@x.com`,
    }));
    return Response.json({ message: "Contacts found", data: { page, total, data } });
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe("paginate", () => {
  test.each([
    { given: 0, pages: 1, items: 0 },
    { given: 7, pages: 1, items: 7 },
    { given: 10, pages: 1, items: 10 },
    { given: 23, pages: 3, items: 23 },
  ])("a total of $given takes $pages request(s)", async ({ given, pages, items }) => {
    const stub = stubFetch(pagesOf(given));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    const all = await collect(client.paginate("/contacts"));
    expect(all).toHaveLength(items);
    expect(new Set(all.map((c) => c.id)).size).toBe(items);
    expect(stub.requests.map((r) => new URL(r.url).searchParams.get("page"))).toEqual(
      Array.from({ length: pages }, (_, i) => `${i}`),
    );
  });

  test("stops at an empty page even when total says there is more", async () => {
    const stub = stubFetch((request) => {
      const page = Number(new URL(request.url).searchParams.get("page"));
      const data = page === 0 ? [{ id: "1" }] : [];
      return Response.json({ message: "Segments found", data: { page, total: 99, data } });
    });
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    expect(await collect(client.paginate("/segments"))).toEqual([{ id: "1" }]);
    expect(stub.requests).toHaveLength(2);
  });

  test("onPage reports each page with the total the API returned, before its items", async () => {
    const stub = stubFetch(pagesOf(23));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    const events: string[] = [];
    for await (const contact of client.paginate("/contacts", {
      onPage: ({ page, total, items, fetched }) =>
        events.push(`page ${page}: ${items.length} items, ${fetched} of ${total}`),
    })) {
      if (contact.id === "0" || contact.id === "20") events.push(`item ${contact.id}`);
    }
    expect(events).toEqual([
      "page 0: 10 items, 10 of 23",
      "item 0",
      "page 1: 10 items, 20 of 23",
      "page 2: 3 items, 23 of 23",
      "item 20",
    ]);
    // The callback is the iterator's own: it is not sent.
    expect(stub.requests.every((r) => !("onPage" in r))).toBe(true);
  });

  test("fetches a page only when the loop asks for it", async () => {
    const stub = stubFetch(pagesOf(30));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    for await (const contact of client.paginate("/contacts")) {
      if (contact.id === "12") break;
    }
    expect(stub.requests).toHaveLength(2);
  });

  test("passes headers and the developer-mode parameter on every page", async () => {
    const stub = stubFetch(pagesOf(15));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    await collect(
      client.paginate("/contacts", {
        headers: { "x-trace": "t" },
        params: { header: { "x-developer-mode": true } },
      }),
    );
    expect(stub.requests.map((r) => r.headers.get("x-trace"))).toEqual(["t", "t"]);
    expect(stub.requests.map((r) => r.headers.get("x-developer-mode"))).toEqual(["true", "true"]);
  });

  test("a failing page throws a PingbackError", async () => {
    const stub = stubFetch(
      pagesOf(15),
      Response.json({ error: "no", errorCode: "FORBIDDEN" }, { status: 403 }),
    );
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    await expect(collect(client.paginate("/contacts"))).rejects.toMatchObject({
      constructor: PingbackError,
      status: 403,
      errorCode: "FORBIDDEN",
      operation: "GET /contacts",
    });
  });

  test("a body that is not a page is a clear error", async () => {
    const stub = stubFetch(Response.json({ message: "?", data: [] }));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    await expect(collect(client.paginate("/contacts"))).rejects.toThrow(
      /GET \/contacts\?page=0: the body is not/,
    );
  });
});
