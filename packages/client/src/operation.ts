/**
 * What `orThrow` needs to know about a failed response besides the response itself: the operation,
 * `METHOD /path/{param}`, and the API key that was sent, so that an error body echoing the key can
 * be redacted.
 *
 * The path template (not the URL) names the operation: it says which call failed without putting a
 * contact's email address into logs. A WeakMap keeps both beside the response, and forgets them
 * with it; nothing that prints the response can reach them. The WeakMap is shared under a registry
 * symbol, so that `orThrow` of the ESM copy of this package knows a response of the CommonJS copy
 * (an app may load both). Its entries keep this shape in every version.
 */
export interface FailedCall {
  operation: string;
  apiKey: string | null;
  /** Why a retryable answer was not retried, if it was not. */
  notRetried?: string | undefined;
}

const REGISTRY = Symbol.for("pingback.client.failedCalls");

function calls(): WeakMap<Response, FailedCall> {
  const global = globalThis as { [REGISTRY]?: WeakMap<Response, FailedCall> };
  // Created on first use: loading the package changes nothing global.
  global[REGISTRY] ??= new WeakMap();
  return global[REGISTRY];
}

export function failedCallOf(response: Response): FailedCall | undefined {
  return calls().get(response);
}

export function rememberFailedCall(response: Response, call: FailedCall): void {
  calls().set(response, call);
}
