/**
 * Redirects, followed only within the origin a request went to. fetch itself would follow a `302`
 * to any host and send our `x-api-key` there (it strips only `Authorization` on a cross-origin hop),
 * and an `https` to `http` hop would send it in clear.
 */
import { PingbackRedirectError } from "./errors.js";
import type { Fetch } from "./transport.js";

/** fetch's own limit. */
const MAX_REDIRECTS = 20;

/** `fetch(request)`, following same-origin redirects as fetch would, refusing any other. */
export async function fetchSameOrigin(
  fetch: Fetch,
  request: Request,
  signal: AbortSignal,
  operation: string,
): Promise<Response> {
  for (let hops = 0; ; hops++) {
    // A 307/308 sends the body again: keep a copy while one may be needed.
    const copy = request.body === null ? request : request.clone();
    const response = await fetch(request, { signal, redirect: "manual" });
    const { status } = response;
    // A browser hides the target of a redirect it did not follow (an "opaqueredirect", status 0).
    const opaque = response.type === "opaqueredirect";
    const location = status > 299 && status < 400 && response.headers.get("location");
    if (!opaque && !location) return response;
    await response.body?.cancel();
    const target = location ? new URL(location, request.url) : undefined;
    if (!target || target.origin !== new URL(request.url).origin || hops === MAX_REDIRECTS) {
      throw new PingbackRedirectError(status, target?.origin, operation);
    }
    // As fetch does: a 303 (but a HEAD), and a POST's 301 or 302, become a GET without a body.
    const toGet =
      (status === 303 && request.method !== "HEAD") || (status < 303 && request.method === "POST");
    const { method, headers, body } = copy;
    request = new Request(
      target,
      toGet
        ? { method: "GET", headers }
        : ({ method, headers, body, duplex: "half" } as RequestInit),
    );
  }
}
