/**
 * The fake over HTTP on 127.0.0.1, for clients that cannot take a `fetch` (other languages, another
 * process, a docker-compose file). Node only; loaded by `fake.listen()` on demand, so the core stays
 * free of Node built-ins.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeServer, ListenOptions, Received } from "./fake.js";
import { render } from "./fake.js";
import type { Answer } from "./semantics.js";

export async function serve(
  respond: (request: Received) => Promise<Answer>,
  options: ListenOptions,
  basePath: string,
  control?: (request: Request) => Promise<Response | undefined>,
): Promise<FakeServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((incoming, reply) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", async () => {
      const headers = new Headers();
      for (let i = 0; i < incoming.rawHeaders.length; i += 2)
        headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
      const method = incoming.method ?? "GET";
      const url = `http://${host}${incoming.url ?? "/"}`;
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        if (control && new URL(url).pathname.startsWith("/__fake/")) {
          const request = new Request(url, {
            method,
            headers,
            ...(text !== "" && method !== "GET" && method !== "HEAD" && { body: text }),
          });
          const controlled = await control(request);
          if (controlled) return void (await send(reply, controlled));
        }
        // No Request or Response objects on this path: the core reads what Node received.
        const answer = await respond({ method, url, headers, text });
        if (answer.reset) {
          incoming.socket.resetAndDestroy();
          return;
        }
        const { status, headers: out, body } = render(answer);
        reply.writeHead(status, { ...out, "content-length": Buffer.byteLength(body) });
        reply.end(body);
      } catch (error) {
        reply.writeHead(500, { "content-type": "text/plain" });
        reply.end(
          `@pingback/testing failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}${basePath}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function send(reply: ServerResponse, response: Response): Promise<void> {
  const payload = Buffer.from(await response.arrayBuffer());
  reply.writeHead(response.status, {
    ...Object.fromEntries(response.headers),
    "content-length": payload.length,
  });
  reply.end(payload);
}
