/**
 * The built package, as the package's own tsup config makes it.
 *
 * 1. The dual-package hazard: an app (or two of its dependencies) may load both the ESM and the
 *    CommonJS copy. Each copy has its own classes, so `instanceof` alone would not recognise the
 *    other copy's errors, and `orThrow` would not know the other copy's failed calls. These tests
 *    load the two builds side by side in one process.
 * 2. Its declaration files, with the README's example, compile under the strictest options a
 *    project may set (those `tsc --init` writes since TypeScript 6, and `skipLibCheck: false`).
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "tsup";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import config from "../tsup.config.js";
import { sendJson, startServer, type TestServer } from "./support/server.js";

type Package = typeof import("../src/index.js");

// Inside the package, so that both builds resolve openapi-fetch from its node_modules as dist does.
const outDir = new URL("../node_modules/.cache/built-package/", import.meta.url);
const API_KEY = "sk_live_dual_package_secret";
let esm: Package;
let cjs: Package;

beforeAll(async () => {
  await build({ ...config, outDir: fileURLToPath(outDir), silent: true } as never);
  esm = await import(new URL("index.js", outDir).href);
  cjs = createRequire(import.meta.url)(new URL("index.cjs", outDir).pathname);
}, 120_000);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function forbidden() {
  server = await startServer((_, res) =>
    sendJson(res, 403, { error: `Invalid API key ${API_KEY}`, errorCode: "FORBIDDEN" }),
  );
  return server.baseUrl;
}

const getContact = (pkg: Package, baseUrl: string) =>
  pkg
    .createPingbackClient({ apiKey: API_KEY, baseUrl, retry: false })
    .GET("/contacts/{email}", { params: { path: { email: "a@b.com" } } });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

test("the two builds are two copies, with classes of their own", () => {
  expect(typeof esm.createPingbackClient).toBe("function");
  expect(typeof cjs.createPingbackClient).toBe("function");
  expect(cjs.PingbackError).not.toBe(esm.PingbackError);
});

describe.each([
  { thrower: "CJS", checker: "ESM", from: () => cjs, to: () => esm },
  { thrower: "ESM", checker: "CJS", from: () => esm, to: () => cjs },
])("an error of the $thrower copy, seen by the $checker copy", ({ from, to }) => {
  test("isPingbackError and instanceof recognise it, with its code", async () => {
    const error = await rejection(getContact(from(), await forbidden()).then(from().orThrow));
    expect(to().isPingbackError(error)).toBe(true);
    expect(to().isPingbackError(error, "FORBIDDEN")).toBe(true);
    expect(to().isPingbackError(error, "CONTACT_NOT_FOUND")).toBe(false);
    expect(error).toBeInstanceOf(to().PingbackError);
    expect(error).not.toBeInstanceOf(to().PingbackNetworkError);
  });

  test("its orThrow keeps the operation and redacts the key", async () => {
    const result = await getContact(from(), await forbidden());
    const error = await rejection(Promise.resolve(result).then(to().orThrow));
    expect(to().isPingbackError(error)).toBe(true);
    expect(error).toMatchObject({
      message: "GET /contacts/{email} failed with 403 FORBIDDEN: Invalid API key [redacted]",
      operation: "GET /contacts/{email}",
    });
    expect(JSON.stringify(error)).not.toContain(API_KEY);
  });

  test("network and timeout errors are recognised by their own class only", async () => {
    server = await startServer((_, res) => new Promise((resolve) => res.on("close", resolve)));
    const client = from().createPingbackClient({
      apiKey: API_KEY,
      baseUrl: server.baseUrl,
      retry: false,
      timeoutMs: 50,
    });
    const timeout = await rejection(client.GET("/contacts"));
    expect(timeout).toBeInstanceOf(to().PingbackTimeoutError);
    expect(timeout).not.toBeInstanceOf(to().PingbackNetworkError);
    expect(to().isPingbackError(timeout)).toBe(false);

    const { baseUrl } = server;
    await server.close();
    server = undefined;
    const refused = await rejection(
      from().createPingbackClient({ apiKey: API_KEY, baseUrl, retry: false }).GET("/contacts"),
    );
    expect(refused).toBeInstanceOf(to().PingbackNetworkError);
    expect(refused).not.toBeInstanceOf(to().PingbackTimeoutError);
  });
});

test("a plain object that only looks like an error is not recognised", () => {
  const fake = { name: "PingbackError", status: 403, errorCode: "FORBIDDEN" };
  expect(esm.isPingbackError(fake)).toBe(false);
  expect(fake).not.toBeInstanceOf(esm.PingbackError);
});

test("the README's example compiles against the built types under the strictest options", async () => {
  const example = fileURLToPath(new URL("../examples/usage.ts", import.meta.url));
  const tsconfig = fileURLToPath(new URL("tsconfig.strictest.json", outDir));
  const compilerOptions = {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    types: ["node"],
    noEmit: true,
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    paths: { "@pingback/client": ["./index.d.ts"] },
  };
  await writeFile(tsconfig, JSON.stringify({ compilerOptions, files: [example] }));
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  // On failure, execFile's error carries tsc's diagnostics in `stdout`.
  const { stdout } = await promisify(execFile)(process.execPath, [tsc, "-p", tsconfig]).catch(
    (error: { stdout: string }) => error,
  );
  expect(stdout).toBe("");
}, 120_000);
