/** The kinds of invalid request the suite derives for every operation. */
export type NegativeKind = "no-api-key" | "invalid-body" | "missing-body" | "invalid-parameter";

/** A place where Prism cannot behave as the Pingback API does, declared once with its reason. */
export interface PrismDeviation {
  kind: NegativeKind;
  /** What Prism answers instead; the negative test asserts exactly this. */
  prism: { status: number; mediaType: string };
  reason: string;
}

/**
 * Every deviation of the mock from the API. Each negative test of one of these kinds asserts the
 * Prism behaviour below instead of the documented one, and says so in its name; if Prism ever
 * behaves as documented, that test fails and the entry must go.
 */
export const PRISM_DEVIATIONS: readonly PrismDeviation[] = [
  {
    kind: "no-api-key",
    prism: { status: 401, mediaType: "application/problem+json" },
    reason:
      "Prism checks only that a security scheme is satisfied and answers its own 401 problem+json, ignoring the status the catalogue gives FORBIDDEN.",
  },
  {
    kind: "missing-body",
    prism: { status: 422, mediaType: "application/json" },
    reason:
      "Prism reports a missing required body as a validation error and answers with the operation's 422 example, not the status the catalogue gives MISSING_BODY.",
  },
];

export function deviationFor(kind: NegativeKind): PrismDeviation | undefined {
  return PRISM_DEVIATIONS.find((deviation) => deviation.kind === kind);
}
