/**
 * @pingback/types: the types of the Pingback Connect API v2, all derived from spec/.
 *
 * `paths`, `components`, `operations` and one name per schema come from the generated
 * openapi.gen.ts; the helpers below look an operation up by its operationId. The runtime exports,
 * which operations take the API key and which headers each declares, come from the generated
 * security.gen.ts and headers.gen.ts.
 */

import { DECLARED_HEADERS_BY_DEFAULT, DECLARED_HEADERS_EXCEPTIONS } from "./headers.gen.js";
import type { components, operations } from "./openapi.gen.js";
import { API_KEY_EXCEPTIONS, API_KEY_REQUIRED_BY_DEFAULT } from "./security.gen.js";

export type * from "./openapi.gen.js";
export {
  API_KEY_EXCEPTIONS,
  API_KEY_REQUIRED_BY_DEFAULT,
  DECLARED_HEADERS_BY_DEFAULT,
  DECLARED_HEADERS_EXCEPTIONS,
};

/**
 * The headers an operation declares, lowercase, by its path template and method (any case): the
 * API key's (`x-api-key`) when its `security` asks for it, and its header parameters
 * (`x-developer-mode`). An operation the spec does not describe gets the most common set.
 */
export function declaredHeaders(path: string, method: string): readonly string[] {
  return DECLARED_HEADERS_EXCEPTIONS[path]?.[method.toLowerCase()] ?? DECLARED_HEADERS_BY_DEFAULT;
}

/**
 * Whether an operation takes the API key, by its path template (`/contacts/{email}`) and method
 * (any case), as the spec's `security` says; an operation the spec does not describe gets the
 * spec's default.
 */
export function requiresApiKey(path: string, method: string): boolean {
  return API_KEY_EXCEPTIONS[path]?.[method.toLowerCase()] ?? API_KEY_REQUIRED_BY_DEFAULT;
}

/**
 * An error code: one of the published ones, or any string the API adds later. `(string & {})`
 * keeps the known codes as autocompletion while accepting unknown ones.
 */
export type ErrorCode = components["schemas"]["KnownErrorCode"] | (string & {});

/** The operationId of every operation in the spec. */
export type OperationId = keyof operations;

type Responses<Op extends OperationId> = operations[Op]["responses"];
type JsonBody<R> = R extends { content: { "application/json": infer Body } } ? Body : never;

/** The documented statuses of an operation that mean success (2xx). */
export type SuccessStatus<Op extends OperationId> = {
  [S in keyof Responses<Op>]: `${S & (string | number)}` extends `2${string}` ? S : never;
}[keyof Responses<Op>];

/** The documented statuses of an operation that mean failure (4xx, 5xx, `default`). */
export type ErrorStatus<Op extends OperationId> = Exclude<keyof Responses<Op>, SuccessStatus<Op>>;

/** The JSON body an operation answers with a given status. */
export type ResponseBody<Op extends OperationId, Status extends keyof Responses<Op>> = JsonBody<
  Responses<Op>[Status]
>;

/** The JSON body of an operation's success response. */
export type SuccessBody<Op extends OperationId> = ResponseBody<Op, SuccessStatus<Op>>;

/** The JSON body of an operation's error responses. */
export type ErrorResponseBody<Op extends OperationId> = ResponseBody<Op, ErrorStatus<Op>>;

/** The JSON request body of an operation (`never` when it takes none). */
export type RequestBody<Op extends OperationId> = JsonBody<
  NonNullable<operations[Op]["requestBody"]>
>;

type Params<Op extends OperationId> = operations[Op]["parameters"];

/** The path parameters of an operation (`never` when it has none). */
export type PathParams<Op extends OperationId> = NonNullable<Params<Op>["path"]>;

/** The query parameters of an operation (`never` when it has none). */
export type QueryParams<Op extends OperationId> = NonNullable<Params<Op>["query"]>;

/** The header parameters of an operation, besides the API key (`never` when it has none). */
export type HeaderParams<Op extends OperationId> = NonNullable<Params<Op>["header"]>;
