import { createPingbackClient, type PingbackClient } from "@pingback/client";
import type { RequestSpec } from "./cases.js";
import type { Json } from "./spec.js";

/** Where the cases go, and how: the mock, or a live server behind `prism proxy`. */
export interface Target {
  baseUrl: string;
  apiKey: string;
  developerMode: boolean;
  /** Live servers get the client's own rate limit; the mock has none to respect. */
  rateLimited: boolean;
  /** The fetch under the client's limiter, e.g. to observe when requests leave. */
  fetch?: typeof fetch;
}

/** What came back: status, media type (without parameters) and the parsed body. */
export interface Exchange {
  status: number;
  mediaType: string | null;
  body: unknown;
  headers: Headers;
}

type Method = "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE";
type LooseInit = {
  params: { path: Record<string, Json>; query: Record<string, Json> };
  body?: Json;
  headers: Record<string, string>;
};
// Cases are built at run time from the spec, so their paths are plain strings; the typed surface
// of the client is checked by its own tests, here its runtime (auth, headers, parsing) is exercised.
type LooseClient = Record<
  Method,
  (
    path: string,
    init: LooseInit,
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>
>;

/** The client every case goes through. Retries are off, or a `Prefer: code=500` case would be retried. */
export function contractClient(target: Target): PingbackClient {
  return createPingbackClient({
    apiKey: target.apiKey,
    baseUrl: target.baseUrl,
    developerMode: target.developerMode,
    retry: false,
    ...(target.rateLimited ? {} : { rateLimit: false }),
    ...(target.fetch ? { fetch: target.fetch } : {}),
  });
}

export async function send(
  client: PingbackClient,
  request: RequestSpec,
  headers: Record<string, string> = {},
): Promise<Exchange> {
  const method = request.method.toUpperCase() as Method;
  const init: LooseInit = {
    params: { path: request.pathParams, query: request.query },
    headers: { ...request.headers, ...headers },
  };
  if (request.body !== undefined) init.body = request.body;
  const { data, error, response } = await (client as unknown as LooseClient)[method](
    request.path,
    init,
  );
  return {
    status: response.status,
    mediaType: mediaTypeOf(response.headers),
    body: data ?? error,
    headers: response.headers,
  };
}

/**
 * Sends a request with plain `fetch` and no API key. The client refuses to be built without a
 * key (by design), so the "no API key" case cannot go through it.
 */
export async function sendWithoutApiKey(baseUrl: string, request: RequestSpec): Promise<Exchange> {
  const path = request.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(String(request.pathParams[name] ?? "")),
  );
  const query = new URLSearchParams(
    Object.entries(request.query).map(([key, value]) => [key, String(value)]),
  );
  const url = `${baseUrl}${path}${query.size > 0 ? `?${query}` : ""}`;
  const response = await fetch(url, {
    method: request.method.toUpperCase(),
    headers: {
      ...request.headers,
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    mediaType: mediaTypeOf(response.headers),
    body: parseJson(text),
    headers: response.headers,
  };
}

function mediaTypeOf(headers: Headers): string | null {
  return headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? null;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
