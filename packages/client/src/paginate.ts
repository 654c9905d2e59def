/**
 * Every item of a paginated list, page after page.
 *
 * Which paths are paginated is computed from the spec's types: a GET that takes a `page` query and
 * answers `{ data: { page, total, data: Item[] } }`. A new list operation in the spec is paginated
 * here with no edit.
 */
import type { paths } from "@pingback/types";
import type { HeadersOptions } from "openapi-fetch";
import { PingbackAbortError, PingbackPaginationError } from "./errors.js";
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

/** The GET options of a paginated path; `page` is the page to start from. */
export type PaginateInit<P extends PaginatedPath> = PingbackRequestOptions & {
  /** Called after each page arrives, e.g. to draw a progress bar: `fetched` of `total`. */
  onPage?: ((progress: PageProgress<PageItem<P>>) => void) | undefined;
  /** Accept a list that ends (an empty or short page) before its `total` (default: `PingbackPaginationError`). */
  allowIncomplete?: boolean | undefined;
  params?: Omit<Params<GetOperation<P>>, "query"> & {
    query?: Omit<Query<GetOperation<P>>, "page"> & {
      /** The page to start from (default 0), e.g. to resume an export where it stopped. */
      page?: number | undefined;
    };
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
 * Yields every item from the first page asked for (0 by default) on, until the pages add up to
 * `total`. Each page is one call through the client, so the rate limit, retries and deadline apply
 * to it. A page shorter than the first (or empty) before `total` is reached ends the list early:
 * `PingbackPaginationError`, unless `allowIncomplete`. The caller's `signal` stops it between two
 * items as well as during a call.
 */
export async function* paginate<P extends PaginatedPath>(
  get: Get,
  path: P,
  { onPage, allowIncomplete, ...init }: PaginateInit<P> = {},
): AsyncGenerator<PageItem<P>, void, undefined> {
  const operation = `GET ${path}`;
  const first = init.params?.query?.page ?? 0;
  if (!Number.isInteger(first) || first < 0) {
    throw new TypeError(
      `${operation}: \`params.query.page\` must be a whole number ≥ 0, got ${first}.`,
    );
  }
  let fetched = 0;
  let pageSize = 0;
  for (let page = first; ; page++) {
    const body = orThrow(
      await get(path, {
        ...init,
        params: { ...init.params, query: { ...init.params?.query, page } },
      }),
    );
    if (!isPage(body)) {
      throw new TypeError(
        `${operation}?page=${page}: the body is not { data: { page, total, data: [] } }.`,
      );
    }
    const { total, data: items } = body.data;
    if (page === first) pageSize = items.length;
    fetched += items.length;
    onPage?.({ page, total, items: items as PageItem<P>[], fetched });
    for (const item of items as PageItem<P>[]) {
      if (init.signal?.aborted)
        throw new PingbackAbortError(init.signal.reason, operation, "pages");
      yield item;
    }
    // Pages before the first one asked for are taken as full: the item count of the list so far.
    if (first * pageSize + fetched >= total) return;
    if (items.length < pageSize || items.length === 0) {
      // A first page asked for past the end proves nothing: its size is unknown.
      if (allowIncomplete || (page === first && page > 0 && items.length === 0)) return;
      throw new PingbackPaginationError(operation, page, items.length, fetched, total);
    }
  }
}
