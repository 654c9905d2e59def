/**
 * Every TypeScript block of the client's and the types' READMEs, as a reader would paste it: each
 * block is its own module, compiled by tsc under the strictest options the READMEs claim (`strict`,
 * `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`, `skipLibCheck: false`, `module`
 * `nodenext`), then run against a local server where it can run (a fetch that sends the production
 * host's requests to 127.0.0.1). A block that cannot stand alone says why in an HTML comment on the
 * line before it (`<!-- readme-code: not compiled: ... -->`), and this test lists it. Extraction and
 * type-check are `@pingback/tools/readme-code`'s, shared with the root README's test.
 *
 * `@pingback/client`'s types are the package's declarations, built here as `pnpm build` makes them
 * (a user compiles against those, not against the sources). What this does not prove: that the
 * blocks compile from the packed tarball (the consumer matrix compiles its own fixtures that way).
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  codeBlocks,
  moduleOf,
  type Source,
  typeCheck,
  writeBlocks,
} from "@pingback/tools/readme-code";
import { build } from "tsup";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import config from "../tsup.config.js";
import { sendJson, startServer, type TestServer } from "./support/server.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const READMES = ["README.md", "../types/README.md"];

const blocks = (
  await Promise.all(
    READMES.map(async (readme) =>
      codeBlocks(readme, await readFile(join(packageDir, readme), "utf8")),
    ),
  )
).flat();
const compiled = blocks.filter((block) => !block.skipped);
// Inside the package, so that `@pingback/client` and `@pingback/types` resolve as a user's would.
const dir = join(packageDir, "node_modules/.readme-code");

let server: TestServer;
let sources: Source[];
beforeAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await build({ ...config, format: ["esm"], outDir: join(dir, "built"), silent: true } as never);
  sources = await writeBlocks(dir, compiled, packageDir);
  server = await startServer((request, res) => {
    const page = Number(new URL(request.url, "http://x").searchParams.get("page") ?? 0);
    const items = page < 2 ? [{ id: `c${page}`, email: `c${page}@example.com` }] : [];
    sendJson(res, 200, { message: "ok", data: { page, total: 2, data: items } });
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("README code", () => {
  test("the READMEs have TypeScript blocks, and each skipped one says why", () => {
    expect(compiled.length).toBeGreaterThan(3);
    for (const block of blocks.filter((b) => b.skipped)) {
      expect(block.skipped?.length, `${block.readme}:${block.line}`).toBeGreaterThan(20);
    }
  });

  test("every block compiles on its own under the strictest options", {
    timeout: 60_000,
  }, async () => {
    const errors = await typeCheck(dir, sources, {
      typeRoots: [join(packageDir, "node_modules/@types")],
      paths: {
        "@pingback/client": [join(dir, "built/index.d.ts")],
        // The optional entry points, as a user's `exports` resolves them.
        "@pingback/client/drift": [join(dir, "built/drift.d.ts")],
        "@pingback/client/otel": [join(dir, "built/otel.d.ts")],
        "@pingback/client/logger": [join(dir, "built/logger.d.ts")],
      },
    });
    expect(errors.join("\n")).toBe("");
  });

  test.each(compiled.map((block) => ({ name: `${block.readme}:${block.line}`, block })))(
    "$name runs against a local server",
    async ({ block }) => {
      // The production host's requests go to the local server, as a DNS entry would send them.
      const realFetch = globalThis.fetch;
      vi.stubGlobal("fetch", (input: Request, init?: RequestInit) => {
        const url = new URL(input.url);
        const local = new URL(server.baseUrl);
        url.protocol = local.protocol;
        url.host = local.host;
        return realFetch(new Request(url, input), init);
      });
      vi.stubEnv("PINGBACK_API_KEY", "sk_readme_code");
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        await import(pathToFileURL(moduleOf(dir, block)).href);
      } finally {
        vi.unstubAllGlobals();
        vi.unstubAllEnvs();
        log.mockRestore();
      }
    },
  );
});
