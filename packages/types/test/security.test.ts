/** The runtime export: which operations take the API key, as the bundled spec says. */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, test } from "vitest";
import { declaredHeaders, requiresApiKey } from "../src/index.js";

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

describe("declaredHeaders", () => {
  const headerNames = (path: string, method: string): string[] => {
    const item = spec.paths[path];
    const parameters = [...(item.parameters ?? []), ...(item[method].parameters ?? [])];
    return parameters
      .map((p: { $ref?: string }) =>
        p.$ref ? spec.components.parameters[p.$ref.split("/").at(-1) as string] : p,
      )
      .filter((p: { in: string }) => p.in === "header")
      .map((p: { name: string }) => p.name.toLowerCase());
  };

  test("every operation of the spec: its header parameters, and the key iff it requires it", () => {
    const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    for (const [path, item] of Object.entries(spec.paths as Record<string, object>)) {
      for (const method of methods.filter((m) => m in item)) {
        const want = [
          ...headerNames(path, method),
          ...(requiresApiKey(path, method) ? ["x-api-key"] : []),
        ].sort();
        expect([...declaredHeaders(path, method)], `${method} ${path}`).toEqual(want);
      }
    }
  });

  test("the webhook intake declares none; a contact's lookup declares the key and developer mode", () => {
    expect(declaredHeaders("/webhook/{webhookId}/c/{channelUid}/w/{workflowId}", "POST")).toEqual(
      [],
    );
    expect(declaredHeaders("/contacts/{email}", "get")).toEqual(["x-api-key", "x-developer-mode"]);
  });
});
