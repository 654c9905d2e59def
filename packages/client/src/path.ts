/**
 * Puts path parameters into the URL, one encoded segment each.
 *
 * openapi-fetch's default leaves `'()*!` as they are and lets a value of `.` or `..` through, which
 * the URL parser then resolves as "this folder" or "the parent folder": a call on a contact named
 * `..` would reach another endpoint. Those values are refused; everything else is encoded.
 */

/** Characters `encodeURIComponent` leaves as they are, though RFC 3986 reserves them. */
const RESERVED_LEFT = /[!'()*]/g;

function encodeSegment(text: string): string {
  const encoded = encodeURIComponent(text);
  // Most values (emails, uuids) have none of them: skip the replace, it is on every call's path.
  return encoded.search(RESERVED_LEFT) === -1
    ? encoded
    : encoded.replace(RESERVED_LEFT, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function segment(name: string, value: unknown): string {
  if (value === undefined || value === null) {
    throw new TypeError(
      `Path parameter "${name}" is missing: pass it as \`params: { path: { ${name}: ... } }\`.`,
    );
  }
  const text = typeof value === "string" || typeof value === "number" ? String(value) : "";
  if (text === "" || text === "." || text === "..") {
    // "." and ".." would be resolved by the URL parser, and reach another endpoint.
    throw new TypeError(
      `Path parameter "${name}" must be a non-empty string or number, not "." or "..".`,
    );
  }
  return encodeSegment(text);
}

/** An openapi-fetch `pathSerializer` for the simple style, the only one the spec uses. */
export function serializePath(pathname: string, params: Record<string, unknown>): string {
  return pathname.replace(/\{([^{}]+)\}/g, (_, name: string) => segment(name, params?.[name]));
}
