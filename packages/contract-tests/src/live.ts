import {
  baseRequest,
  isJson,
  mediaOf,
  type RequestSpec,
  requestVariants,
  responses,
  schemaPointer,
} from "./cases.js";
import { prismSays } from "./check.js";
import type { Exchange } from "./send.js";
import { type JsonObject, operations } from "./spec.js";
import type { SchemaValidator } from "./validator.js";

/** Live mode's settings, read from the environment. */
export type LiveConfig =
  | { enabled: false; reason: string }
  | { enabled: true; baseUrl: string; apiKey: string; developerMode: boolean };

/**
 * Live mode runs when both `PINGBACK_BASE_URL` and `PINGBACK_API_KEY` are set; developer mode is on
 * unless `PINGBACK_DEVELOPER_MODE=false`. Half a configuration is an error, never a silent skip.
 * No message ever contains the key.
 */
export function readLiveConfig(env: Record<string, string | undefined>): LiveConfig {
  const baseUrl = env.PINGBACK_BASE_URL?.trim() ?? "";
  const apiKey = env.PINGBACK_API_KEY?.trim() ?? "";
  if (!baseUrl && !apiKey) {
    return {
      enabled: false,
      reason: "PINGBACK_BASE_URL and PINGBACK_API_KEY are not set: only the Prism mock runs",
    };
  }
  if (!baseUrl || !apiKey) {
    const missing = baseUrl ? "PINGBACK_API_KEY" : "PINGBACK_BASE_URL";
    throw new Error(
      `Live mode needs both PINGBACK_BASE_URL and PINGBACK_API_KEY; ${missing} is empty or unset. Set it, or unset the other to run only the mock.`,
    );
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `PINGBACK_BASE_URL is not a URL: "${baseUrl}". Use e.g. https://connect.pingback.com/v2.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`PINGBACK_BASE_URL must be http(s), got "${url.protocol}".`);
  }
  const mode = env.PINGBACK_DEVELOPER_MODE?.trim().toLowerCase() ?? "";
  if (!["", "true", "false"].includes(mode)) {
    throw new Error(
      `PINGBACK_DEVELOPER_MODE must be "true" or "false", got "${env.PINGBACK_DEVELOPER_MODE}".`,
    );
  }
  return {
    enabled: true,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    apiKey,
    developerMode: mode !== "false",
  };
}

/** One request a live server gets: each operation with each of its request examples (or no body). */
export interface LiveCase {
  /** `operationId › live › request example`. */
  name: string;
  operationId: string;
  request: RequestSpec;
}

export function liveCases(document: JsonObject): LiveCase[] {
  return operations(document).flatMap((op) => {
    const base = baseRequest(document, op);
    return requestVariants(document, op).map((variant) => ({
      name: `${op.operationId} › live › ${variant.example ?? "no body"}`,
      operationId: op.operationId,
      request: { ...base, body: variant.body },
    }));
  });
}

/**
 * What is wrong with a live answer: a violation `prism proxy --errors` found (its 500), a status
 * the operation does not document, or a body that breaks the documented schema (our own check).
 * Every problem names the operation and the rule it breaks.
 */
export function checkLive(
  document: JsonObject,
  c: LiveCase,
  got: Exchange,
  validator: SchemaValidator,
): string[] {
  const op = operations(document).find((candidate) => candidate.operationId === c.operationId);
  if (!op) return [`${c.operationId}: not in the spec`];
  const flagged = prismSays(got);
  if (got.status === 500 && flagged)
    return [`${c.operationId}: the server's answer breaks the contract${flagged}`];
  const documented = new Map(responses(document, op));
  const response = documented.get(String(got.status));
  if (!response) {
    return [
      `${c.operationId}: status ${got.status} is not documented (documented: ${[...documented.keys()].join(", ")})`,
    ];
  }
  const { media, mediaTypes } = mediaOf(document, response);
  if (media.length === 0) return [];
  const index = got.mediaType === null ? -1 : mediaTypes.indexOf(got.mediaType);
  const item = media[index];
  if (!item)
    return [
      `${c.operationId}: status ${got.status} answered ${got.mediaType ?? "no content type"}, documented ${mediaTypes.join(", ")}`,
    ];
  const pointer = schemaPointer(document, item);
  if (!pointer || !isJson(mediaTypes[index] ?? "")) return [];
  return validator
    .violations(pointer, got.body)
    .map((violation) => `${c.operationId}: status ${got.status} breaks ${pointer}: ${violation}`);
}
