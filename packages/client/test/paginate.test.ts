/** Every item of a paginated list, page after page, through the client. */
import { describe, expect, test } from "vitest";
import {
  createPingbackClient,
  PingbackAbortError,
  PingbackError,
  PingbackPaginationError,
} from "../src/index.js";
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

  /** Pages of the given sizes (then empty ones), each answering `total`. */
  function pagesSized(total: number, sizes: number[]) {
    return (request: Request) => {
      const page = Number(new URL(request.url).searchParams.get("page"));
      const from = sizes.slice(0, page).reduce((a, b) => a + b, 0);
      const data = Array.from({ length: sizes[page] ?? 0 }, (_, i) => ({ id: `${from + i}` }));
      return Response.json({ message: "Contacts found", data: { page, total, data } });
    };
  }

  test.each([
    {
      given: "an empty page before total",
      sizes: [10, 10],
      want: { page: 2, received: 0, fetched: 20, total: 50 },
    },
    {
      given: "a page size that shrinks after page 0",
      sizes: [20, 10, 10],
      want: { page: 1, received: 10, fetched: 30, total: 50 },
    },
  ])(
    "$given fails with PingbackPaginationError, naming the page and the counts",
    async ({ sizes, want }) => {
      const client = createPingbackClient({
        apiKey: "k",
        fetch: stubFetch(pagesSized(50, sizes)).fetch,
        rateLimit: false,
      });
      const items: unknown[] = [];
      const error = await (async () => {
        for await (const item of client.paginate("/contacts")) items.push(item);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PingbackPaginationError);
      expect(error).toMatchObject({ ...want, operation: "GET /contacts" });
      expect((error as Error).message).toContain(
        `GET /contacts: page ${want.page} held ${want.received} items, ${want.fetched} in all, short of the total 50 (the list or its page size changed); resume with \`params.query.page\`, or pass \`allowIncomplete: true\`.`,
      );
      // Every item that did arrive was yielded before the error.
      expect(items).toHaveLength(want.fetched);
    },
  );

  test("allowIncomplete: true accepts a list that ends before its total", async () => {
    const client = createPingbackClient({
      apiKey: "k",
      fetch: stubFetch(pagesSized(50, [10, 10])).fetch,
      rateLimit: false,
    });
    const items = await collect(client.paginate("/contacts", { allowIncomplete: true }));
    expect(items).toHaveLength(20);
  });

  test("resumes from a given page: it fetches from there on, and counts the pages before as full", async () => {
    const stub = stubFetch(pagesOf(23));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    const progress: string[] = [];
    const items = await collect(
      client.paginate("/contacts", {
        params: { query: { page: 1 } },
        onPage: ({ page, fetched, total }) => progress.push(`${page}: ${fetched}/${total}`),
      }),
    );
    expect(items.map((c) => c.id)).toEqual(Array.from({ length: 13 }, (_, i) => `${10 + i}`));
    expect(stub.requests.map((r) => new URL(r.url).searchParams.get("page"))).toEqual(["1", "2"]);
    expect(progress).toEqual(["1: 10/23", "2: 13/23"]);
  });

  test("a page to resume from past the end yields nothing, and no error", async () => {
    const stub = stubFetch(pagesOf(20));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    expect(await collect(client.paginate("/contacts", { params: { query: { page: 5 } } }))).toEqual(
      [],
    );
  });

  test.each([-1, 1.5, Number.NaN])("a page to resume from of %s is refused", async (page) => {
    const client = createPingbackClient({ apiKey: "k", fetch: stubFetch(pagesOf(5)).fetch });
    await expect(
      collect(client.paginate("/contacts", { params: { query: { page } } })),
    ).rejects.toThrow(
      `GET /contacts: \`params.query.page\` must be a whole number ≥ 0, got ${page}.`,
    );
  });

  test("an abort between two items stops at once: the rest of the page is not yielded", async () => {
    const stub = stubFetch(pagesOf(30));
    const client = createPingbackClient({ apiKey: "k", fetch: stub.fetch, rateLimit: false });
    const controller = new AbortController();
    const items: string[] = [];
    const error = await (async () => {
      for await (const contact of client.paginate("/contacts", { signal: controller.signal })) {
        items.push(contact.id);
        if (contact.id === "3") controller.abort(new Error("enough"));
      }
    })().catch((e: unknown) => e);
    expect(items).toEqual(["0", "1", "2", "3"]);
    expect(error).toBeInstanceOf(PingbackAbortError);
    expect(error).toMatchObject({ phase: "pages", operation: "GET /contacts" });
    expect(stub.requests).toHaveLength(1);
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
