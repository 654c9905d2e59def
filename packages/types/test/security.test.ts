/** The runtime export: which operations take the API key, as the bundled spec says. */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { requiresApiKey } from "../src/index.js";

const spec = JSON.parse(
  await readFile(createRequire(import.meta.url).resolve("@pingback/spec/openapi.json"), "utf8"),
);

describe("requiresApiKey", () => {
  test("every operation of the spec: the key unless its own security is [] (the webhook intake)", () => {
    const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    const paths = spec.paths as Record<
      string,
      Record<string, { security?: unknown[] } | undefined>
    >;
    for (const [path, item] of Object.entries(paths)) {
      for (const method of methods.filter((m) => item[m])) {
        const own = item[method]?.security;
        expect(requiresApiKey(path, method), `${method} ${path}`).toBe(
          !(Array.isArray(own) && own.length === 0),
        );
      }
    }
    expect(requiresApiKey("/webhook/{webhookId}/c/{channelUid}/w/{workflowId}", "POST")).toBe(
      false,
    );
  });

  test("takes the method in any case", () => {
    expect(requiresApiKey("/contacts", "GET")).toBe(true);
    expect(requiresApiKey("/contacts", "get")).toBe(true);
  });

  test("an operation the spec does not describe gets the spec's default: the key", () => {
    expect(requiresApiKey("/notes", "POST")).toBe(true);
  });
});
