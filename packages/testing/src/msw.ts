/**
 * The fake as MSW request handlers, for apps whose tests already intercept requests with MSW
 * (`msw` is an optional peer dependency: only this entry point imports it).
 */
import { HttpResponse, http } from "msw";
import type { FakePingback } from "./fake.js";

export interface PingbackHandlersOptions {
  /** The base URL your code sends Pingback requests to (default the API's, `https://connect.pingback.com/v2`). */
  baseUrl?: string;
}

/** One MSW handler that answers every request under `baseUrl` from the fake. */
export function pingbackHandlers(fake: FakePingback, options: PingbackHandlersOptions = {}) {
  const base = (options.baseUrl ?? fake.url).replace(/\/+$/, "");
  return [
    http.all(`${base}/*`, async ({ request }) => {
      const rest = request.url.slice(base.length);
      try {
        return await fake.fetch(new Request(`${fake.url}${rest}`, request));
      } catch (error) {
        // The `connection-reset` fault: MSW's network error is what a reset connection looks like.
        if ((error as { cause?: { code?: string } }).cause?.code === "ECONNRESET")
          return HttpResponse.error();
        throw error;
      }
    }),
  ];
}
