/** One change between two specs, as the gate reports it. */

/** Which side of the contract a change touches: what clients send, or what they receive. */
export type Side = "request" | "response" | "operation";

export interface Change {
  /** The rule that found it: a `redocly diff` rule id, or one of ours (`pingback/…`). */
  rule: string;
  /** Who found it: the `redocly diff` engine, or our own checks. */
  engine: "redocly" | "pingback";
  breaking: boolean;
  /**
   * True when the gate cannot tell whether it breaks (a `pattern` it cannot compare): a reviewer
   * must accept it, the way a declared major version accepts a breaking change.
   */
  review?: boolean;
  side: Side;
  /** `getThing (GET /things/{thingId})`, possibly followed by the other operations it affects. */
  operation: string;
  /** Where in the operation: `response 200 (application/json) › data[].name`. */
  location: string;
  /** What changed, in one sentence. */
  message: string;
  /** Why it breaks an existing client (or why it does not). */
  why: string;
  /** The JSON pointer of the change, through the operation (`#/paths/~1things/get/...`). */
  pointer: string;
  /**
   * What it means for the API and its callers: `major` for a break, `minor` for an addition,
   * `patch` for documentation. `@pingback/client` follows it for what callers reach (release.ts);
   * `@pingback/types` is judged on its generated files instead (types-diff.ts).
   */
  bump: Bump;
  /** What the engine saw: an addition, a removal or a modification (for the changelog). */
  kind: "added" | "removed" | "modified";
  /** The keyword that changed (`default`, `readOnly`, `required`, ...), when one did. */
  property?: string | undefined;
  /** The value before and after, when the engine gives them. */
  before?: unknown;
  after?: unknown;
}

export type Bump = "major" | "minor" | "patch";

const whyBreaking: Record<Side, string> = {
  request: "request side: a request that existing clients send can now be refused",
  response:
    "response side: existing clients may not find or understand what they read in the response",
  operation: "a call that existing clients make, or the SDK method named after it, is gone",
};

export function breakingWhy(side: Side): string {
  return whyBreaking[side];
}

export const compatibleWhy = "compatible: existing clients keep working";
