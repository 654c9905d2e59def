/**
 * What `orThrow` needs to know about a failed response besides the response itself: the operation,
 * `METHOD /path/{param}`, and the API key that was sent, so that an error body echoing the key can
 * be redacted.
 *
 * The path template (not the URL) names the operation: it says which call failed without putting a
 * contact's email address into logs. A WeakMap keeps both beside the response, and forgets them
 * with it; nothing that prints the response can reach them.
 */
export interface FailedCall {
  operation: string;
  apiKey: string | null;
}

const calls = new WeakMap<Response, FailedCall>();

export function failedCallOf(response: Response): FailedCall | undefined {
  return calls.get(response);
}

export function rememberFailedCall(response: Response, call: FailedCall): void {
  calls.set(response, call);
}
