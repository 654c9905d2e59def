/**
 * Names the operation of each failed response, `METHOD /path/{param}`, for `orThrow`'s errors.
 *
 * The path template (not the URL) is used: it says which call failed without putting a contact's
 * email address into logs. A WeakMap keeps the name beside the response, and forgets it with it.
 */
const names = new WeakMap<Response, string>();

export function operationOf(response: Response): string | undefined {
  return names.get(response);
}

export function nameResponse(response: Response, operation: string): Response {
  names.set(response, operation);
  return response;
}
