import { isDeepStrictEqual } from "node:util";
import type { ExampleCase } from "./cases.js";
import type { PrismDeviation } from "./deviations.js";
import type { NegativeCase } from "./negatives.js";
import type { Exchange } from "./send.js";
import type { SchemaValidator } from "./validator.js";

const ERROR_SCHEMA = "/components/schemas/Error";

/** What is wrong with the answer to a documented example; empty when it keeps the contract. */
export function checkExample(c: ExampleCase, got: Exchange, validator: SchemaValidator): string[] {
  const want = c.response;
  if (got.status !== want.status)
    return [`status: expected ${want.status}, got ${got.status}${prismSays(got)}`];
  const problems: string[] = [];
  if (got.mediaType !== want.mediaType) {
    problems.push(
      `content type: expected ${want.mediaType ?? "none"}, got ${got.mediaType ?? "none"}`,
    );
  }
  if (!isDeepStrictEqual(got.body, want.body)) {
    problems.push(
      `body: differs from the example "${want.example}": got ${JSON.stringify(got.body)}`,
    );
  }
  if (want.schemaPointer) {
    for (const violation of validator.violations(want.schemaPointer, got.body)) {
      problems.push(`schema ${want.schemaPointer}: ${violation}`);
    }
  }
  return problems;
}

/**
 * What is wrong with the answer to an invalid request: the documented status and the spec's
 * `Error` shape, or, where Prism is declared to deviate, exactly that deviation.
 */
export function checkNegative(
  c: NegativeCase,
  got: Exchange,
  validator: SchemaValidator,
  deviation?: PrismDeviation,
): string[] {
  if (deviation) {
    const { status, mediaType } = deviation.prism;
    if (got.status === status && got.mediaType === mediaType) return [];
    return [
      `declared Prism deviation (${deviation.kind}): expected ${status} ${mediaType}, got ${got.status} ${got.mediaType}. ` +
        "If Prism now answers as the API documents, remove the entry from PRISM_DEVIATIONS.",
    ];
  }
  if (got.status !== c.want.status)
    return [`status: expected ${c.want.status}, got ${got.status}${prismSays(got)}`];
  const problems: string[] = [];
  if (got.mediaType !== "application/json")
    problems.push(`content type: expected application/json, got ${got.mediaType}`);
  const pointers = new Set([ERROR_SCHEMA, ...(c.want.schemaPointer ? [c.want.schemaPointer] : [])]);
  for (const pointer of pointers) {
    for (const violation of validator.violations(pointer, got.body))
      problems.push(`schema ${pointer}: ${violation}`);
  }
  if (typeof got.body !== "object" || got.body === null)
    problems.push(`body: expected an Error object, got ${JSON.stringify(got.body)}`);
  return problems;
}

/** Turns problems into one failure that names the case, so a report line says what broke where. */
export function assertNoProblems(name: string, problems: string[]): void {
  if (problems.length > 0) throw new Error(`${name}\n  - ${problems.join("\n  - ")}`);
}

/** Prism's own explanation, when the answer is one of its problem+json errors. */
export function prismSays(got: Exchange): string {
  const body = got.body as
    | {
        title?: unknown;
        detail?: unknown;
        validation?: { location?: string[]; message?: string }[];
      }
    | undefined;
  if (got.mediaType !== "application/problem+json" || typeof body !== "object" || body === null)
    return "";
  const rules = (body.validation ?? []).map((v) => `${(v.location ?? []).join(".")}: ${v.message}`);
  const why =
    rules.length > 0
      ? rules.join("; ")
      : String(body.detail ?? got.headers.get("sl-violations") ?? "");
  return ` (Prism: ${String(body.title)}${why ? `: ${why}` : ""})`;
}
