/**
 * The server every consumer of the matrix calls: node:http on 127.0.0.1, answering each operation
 * of the spec with its own documented example (nothing about the API is written here twice). An
 * email path parameter that starts with `missing-` gets the operation's documented 404, with the
 * caller's API key echoed in its message, so a client that copies a body into its errors unredacted
 * is caught. An email that starts with `drift-` gets the documented 2xx body with its `data`
 * replaced by `{ id: 42 }`: off the spec, for the drift report. It counts the requests of each API
 * key: that is how the matrix knows the key was sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, unknown>;

interface Route {
  method: string;
  pattern: RegExp;
  operation: Json;
}

export interface Stub {
  /** The base URL to give the client: the spec's server path on the stub's address. */
  baseUrl: string;
  /** How many requests carried this `x-api-key`. */
  requestsWith(apiKey: string): number;
  close(): Promise<void>;
}

export async function startStub(spec: Json): Promise<Stub> {
  const basePath = new URL(((spec.servers as Json[])[0]?.url as string) ?? "http://x/").pathname;
  const resolve = (node: unknown): Json => {
    const ref = (node as Json | undefined)?.$ref;
    if (typeof ref !== "string") return node as Json;
    return resolve(
      ref
        .split("/")
        .slice(1)
        .reduce<unknown>((at, key) => (at as Json)[key], spec),
    );
  };
  const routes: Route[] = Object.entries(spec.paths as Record<string, Json>).flatMap(
    ([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method.toUpperCase(),
        pattern: new RegExp(
          `^${basePath.replace(/\/$/, "")}${path.replace(/\{[^}]+\}/g, "([^/]+)")}$`,
        ),
        operation: operation as Json,
      })),
  );
  /** The first example of the first response whose status matches `wanted` (`404`, or `2` for 2xx). */
  const example = (operation: Json, wanted: string) => {
    for (const [status, raw] of Object.entries(operation.responses as Json)) {
      if (!status.startsWith(wanted)) continue;
      const media = Object.values((resolve(raw).content as Json | undefined) ?? {})[0] as Json;
      const first = media?.examples ? Object.values(media.examples as Json)[0] : undefined;
      const body = first ? resolve(first).value : (media?.example ?? {});
      return { status: Number(status), body: body as Json };
    }
    throw new Error(
      `the spec documents no ${wanted.padEnd(3, "x")} response for ${operation.operationId}`,
    );
  };

  const counts = new Map<string, number>();
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://stub");
    const apiKey = String(req.headers["x-api-key"] ?? "");
    counts.set(apiKey, (counts.get(apiKey) ?? 0) + 1);
    const route = routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (!route) return send(404, { message: `no operation ${req.method} ${url.pathname}` });
    const params = route.pattern.exec(url.pathname)?.slice(1) ?? [];
    if (params.some((p) => decodeURIComponent(p).startsWith("missing-"))) {
      const { status, body } = example(route.operation, "404");
      return send(status, { ...body, message: `${body.message} (x-api-key: ${apiKey})` });
    }
    const { status, body } = example(route.operation, "2");
    if (params.some((p) => decodeURIComponent(p).startsWith("drift-"))) {
      return send(status, { ...body, data: { id: 42 } });
    }
    send(status, body);
  };
  const server = createServer((req, res) => {
    req.resume().on("end", () => answer(req, res));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${basePath.replace(/\/$/, "")}`,
    requestsWith: (apiKey) => counts.get(apiKey) ?? 0,
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
