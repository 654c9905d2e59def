/**
 * Both documents are normalised before they are compared, so that a refactor that leaves the
 * contract as it was is not read as a change: the engine compares text, we compare meaning.
 */
import { deref, METHODS, type Node } from "./document.js";

/** Keywords that document a schema without constraining it. */
export const ANNOTATIONS = new Set([
  "description",
  "title",
  "summary",
  "example",
  "examples",
  "$comment",
  "externalDocs",
]);

/** A keyword that says something about a schema without changing the values it accepts: the
 * annotations above, and every `x-` extension (e.g. `x-error-catalogue`). */
export function isAnnotation(key: string): boolean {
  return ANNOTATIONS.has(key) || key.startsWith("x-");
}

/** A copy of `doc` with path-level parameters moved into each operation and one-branch `allOf`s unwrapped. */
export function normalise(doc: Node): Node {
  const copy = unwrapAllOf(structuredClone(doc));
  for (const item of Object.values<Node>(copy?.paths ?? {})) mergePathParameters(copy, item);
  return copy;
}

/**
 * `parameters` of a path item apply to each of its operations (an operation's own, same `in` and
 * `name`, wins): moving one from the path into every operation changes nothing for a client.
 */
export function mergePathParameters(doc: Node, item: Node): void {
  if (!Array.isArray(item?.parameters)) return;
  const key = (raw: Node) => {
    const parameter = deref(doc, raw);
    return `${parameter?.in}:${parameter?.name}`;
  };
  for (const method of METHODS) {
    const op = item[method];
    if (!op) continue;
    const own = new Set((op.parameters ?? []).map(key));
    op.parameters = [
      ...item.parameters.filter((p: Node) => !own.has(key(p))),
      ...(op.parameters ?? []),
    ];
  }
  delete item.parameters;
}

/**
 * `{ allOf: [X], description }` means X (with a description): it is how a `$ref` gets one. The
 * branch replaces the wrapper when the wrapper's other keywords are annotations only.
 */
export function unwrapAllOf(node: Node): Node {
  if (Array.isArray(node)) return node.map(unwrapAllOf);
  if (node === null || typeof node !== "object") return node;
  const out: Node = {};
  for (const [key, value] of Object.entries<Node>(node)) {
    // Example payloads are data, not schemas.
    out[key] = key === "example" || key === "examples" ? value : unwrapAllOf(value);
  }
  const siblings = Object.keys(out).filter((key) => key !== "allOf");
  if (!Array.isArray(out.allOf) || out.allOf.length !== 1) return out;
  if (!siblings.every(isAnnotation)) return out;
  const [branch] = out.allOf;
  if (branch === null || typeof branch !== "object") return out;
  // A `$ref` keeps no siblings: annotations beside it would only be read as a change of text.
  if (typeof branch.$ref === "string") return { $ref: branch.$ref };
  const merged = { ...branch };
  for (const key of siblings) merged[key] ??= out[key];
  return merged;
}
