/** The throwing style: the success body, or a `PingbackError` for any non-2xx answer. */
import { PingbackError } from "./errors.js";
import { failedCallOf } from "./operation.js";

/** What openapi-fetch's `GET`, `POST`, ... resolve to. */
export interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The `data` of a successful result. */
export type SuccessData<R extends FetchResult> = Exclude<R, { error: unknown }>["data"];

/**
 * Returns the success body of a result, or throws a `PingbackError` (status, `errorCode`,
 * `requestId`, the server's message, the operation) for any non-2xx status.
 *
 * @example const { data: contact } = await client.GET("/contacts/{email}", init).then(orThrow);
 */
export function orThrow<R extends FetchResult>(result: R): SuccessData<R> {
  const { response } = result;
  if (response.ok) return result.data as SuccessData<R>;
  const call = failedCallOf(response);
  throw new PingbackError({
    status: response.status,
    body: result.error,
    operation: call?.operation,
    redact: call?.apiKey,
    headers: response.headers,
    notRetried: call?.notRetried,
  });
}
