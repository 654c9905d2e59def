/** The runtime export: which operations take the API key, as the bundled spec says. */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { API_KEY_REQUIRED, requiresApiKey } from "../src/index.js";

const spec = JSON.parse(
  await readFile(createRequire(import.meta.url).resolve("@pingback/spec/openapi.json"), "utf8"),
);

describe("requiresApiKey", () => {
  test("the webhook intake (security: []) takes no key; every other operation does", () => {
    for (const [path, methods] of Object.entries(API_KEY_REQUIRED)) {
      for (const method of Object.keys(methods)) {
        const own = spec.paths[path][method].security;
        expect(requiresApiKey(path, method)).toBe(!(Array.isArray(own) && own.length === 0));
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
