/**
 * Names the operation of each request, `METHOD /path/{param}`, for error messages.
 *
 * The path template (not the URL) is used: it says which call failed without putting a contact's
 * email address into logs. A WeakMap keeps the name beside the request and its response.
 */
import type { Middleware } from "openapi-fetch";

const names = new WeakMap<Request | Response, string>();

/** Records the operation of every request the client sends. */
export const operationNames: Middleware = {
  onRequest({ request, schemaPath }) {
    names.set(request, `${request.method} ${schemaPath}`);
  },
};

export function operationOf(message: Request | Response): string | undefined {
  return names.get(message);
}

export function nameResponse(response: Response, operation: string | undefined): Response {
  if (operation !== undefined) names.set(response, operation);
  return response;
}
