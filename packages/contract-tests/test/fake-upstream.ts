import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { mediaOf, namedExamples, responses } from "../src/cases.js";
import { type Json, type JsonObject, operations } from "../src/spec.js";

/** What the fake upstream saw of one request. */
export interface SeenRequest {
  operationId: string;
  path: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface FakeUpstream {
  /** Base URL with the API's `/v2` prefix, as a real deployment has. */
  url: string;
  seen: SeenRequest[];
  /** The most requests it held at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

/**
 * A stand-in Pingback server on 127.0.0.1 that keeps the contract by answering every operation
 * with its first documented success example, except where `breach` rewrites the body.
 */
export async function startFakeUpstream(
  document: JsonObject,
  breach: { operationId: string; body: (documented: Json) => Json },
  delayMs = 20,
): Promise<FakeUpstream> {
  const routes = operations(document).map((op) => {
    const [status, response] = responses(document, op).find(([code]) => code.startsWith("2")) ?? [];
    const media = response ? mediaOf(document, response).media[0] : undefined;
    const example = media ? namedExamples(document, media)[0]?.value : undefined;
    const pattern = new RegExp(`^/v2${op.path.replace(/\{[^}]+\}/g, "[^/]+")}(?:\\?.*)?$`);
    const body =
      example === undefined
        ? undefined
        : op.operationId === breach.operationId
          ? breach.body(example)
          : example;
    return { op, pattern, status: Number(status ?? 200), body };
  });
  const upstream: FakeUpstream = { url: "", seen: [], maxInFlight: 0, close: async () => {} };
  let inFlight = 0;
  const server = createServer((request, reply) => {
    inFlight += 1;
    upstream.maxInFlight = Math.max(upstream.maxInFlight, inFlight);
    request.resume();
    request.on("end", () => {
      const route = routes.find(
        (candidate) =>
          candidate.op.method === request.method?.toLowerCase() &&
          candidate.pattern.test(request.url ?? ""),
      );
      upstream.seen.push({
        operationId: route?.op.operationId ?? "(none)",
        path: request.url ?? "",
        headers: request.headers,
        at: Date.now(),
      });
      setTimeout(() => {
        inFlight -= 1;
        if (!route) {
          reply
            .writeHead(404, { "content-type": "application/json" })
            .end(JSON.stringify({ error: "no such route" }));
          return;
        }
        reply
          .writeHead(route.status, { "content-type": "application/json" })
          .end(JSON.stringify(route.body ?? {}));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
  upstream.close = () => new Promise((resolve) => server.close(() => resolve()));
  return upstream;
}
