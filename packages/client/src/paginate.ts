/**
 * Every item of a paginated list, page after page.
 *
 * Which paths are paginated is computed from the spec's types: a GET that takes a `page` query and
 * answers `{ data: { page, total, data: Item[] } }`. A new list operation in the spec is paginated
 * here with no edit.
 */
import type { paths } from "@pingback/types";
import type { HeadersOptions } from "openapi-fetch";
import type { PingbackRequestOptions } from "./options.js";
import { orThrow } from "./or-throw.js";

type GetOf<PathItem> = PathItem extends { get: infer Op } ? Op : never;
type GetOperation<P extends keyof paths> = GetOf<paths[P]>;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type OkBody<Op> = Op extends { responses: { 200: { content: { "application/json": infer B } } } }
  ? B
  : never;
type ItemOf<Op> =
  OkBody<Op> extends { data: { page: number; total: number; data: (infer I)[] } } ? I : never;
type IsPaginated<Op> = [Query<Op>] extends [never]
  ? false
  : "page" extends keyof Query<Op>
    ? [ItemOf<Op>] extends [never]
      ? false
      : true
    : false;

/** The paths of `Paths` whose GET takes `page` and returns `{ data: { page, total, data: [] } }`. */
export type PaginatedPathOf<Paths> = {
  [P in keyof Paths]: IsPaginated<GetOf<Paths[P]>> extends true ? P : never;
}[keyof Paths];

/** The paths whose GET returns one page of a list: `"/contacts" | "/segments"` today. */
export type PaginatedPath = PaginatedPathOf<paths>;

/** The type of one item of a paginated path's list. */
export type PageItem<P extends PaginatedPath> = ItemOf<GetOperation<P>>;

type Params<Op> = Op extends { parameters: infer Ps } ? Ps : never;

/** What `onPage` is told after each page arrives, before its items are yielded. */
export interface PageProgress<Item = unknown> {
  /** The page's number, from 0. */
  page: number;
  /** How many items the list holds, as the API counted them in this page's answer. */
  total: number;
  /** This page's items. */
  items: Item[];
  /** How many items have arrived so far, this page's included. */
  fetched: number;
}

/** The GET options of a paginated path, without `page`: the iterator sets it. */
export type PaginateInit<P extends PaginatedPath> = PingbackRequestOptions & {
  /** Called after each page arrives, e.g. to draw a progress bar: `fetched` of `total`. */
  onPage?: ((progress: PageProgress<PageItem<P>>) => void) | undefined;
  params?: Omit<Params<GetOperation<P>>, "query"> & {
    /** The iterator sets `page` itself. */
    query?: Omit<Query<GetOperation<P>>, "page"> & { page?: never };
  };
  headers?: HeadersOptions | undefined;
  signal?: AbortSignal | undefined;
};

interface Page {
  page: number;
  total: number;
  data: unknown[];
}

function isPage(body: unknown): body is { data: Page } {
  const page = (body as { data?: Page } | undefined)?.data;
  return typeof page?.total === "number" && Array.isArray(page.data);
}

type Get = (
  path: string,
  init: object,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/**
 * Yields every item from page 0 on, until `total` items were seen or a page comes back empty.
 * Each page is one request through the client, so the rate limit and retries apply to it.
 */
export async function* paginate<P extends PaginatedPath>(
  get: Get,
  path: P,
  { onPage, ...init }: PaginateInit<P> = {},
): AsyncGenerator<PageItem<P>, void, undefined> {
  let seen = 0;
  let pageSize = 0;
  let lastPage = 0;
  for (let page = 0; page <= lastPage; page++) {
    const body = orThrow(
      await get(path, {
        ...init,
        params: { ...init.params, query: { ...init.params?.query, page } },
      }),
    );
    if (!isPage(body)) {
      throw new TypeError(
        `GET ${path}?page=${page}: the body is not { data: { page, total, data: [] } }.`,
      );
    }
    const { total, data: items } = body.data;
    if (items.length === 0) return;
    if (page === 0) pageSize = items.length;
    seen += items.length;
    onPage?.({ page, total, items: items as PageItem<P>[], fetched: seen });
    yield* items as PageItem<P>[];
    if (seen >= total) return;
    // The server's count bounds the loop; page sizes come from the first page.
    lastPage = Math.ceil(total / pageSize) - 1;
  }
}
