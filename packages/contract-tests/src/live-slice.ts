import { isObject, type JsonObject, type Operation, operations } from "./spec.js";

/**
 * How many operations the self-test keeps at most: the published API's, with room for a few more,
 * so the self-test sends about the same requests at 9 operations as at 900.
 */
export const SELF_TEST_OPERATIONS = 12;

/**
 * The spec cut to its first `limit` operations in document order that `keep` accepts (the self-test
 * keeps those its fake server implements), with the links between kept operations only.
 * Components stay whole (refs keep resolving).
 */
export function selfTestSlice(
  document: JsonObject,
  keep: (op: Operation) => boolean = () => true,
  limit = SELF_TEST_OPERATIONS,
): JsonObject {
  const kept = operations(document).filter(keep).slice(0, limit);
  const ids = new Set(kept.map((op) => op.operationId));
  const paths: JsonObject = {};
  const source = isObject(document.paths) ? document.paths : {};
  for (const op of kept) {
    const item = source[op.path];
    if (!isObject(item)) continue;
    // The path item's own fields (parameters, summary) stay; its operations are added one by one.
    if (!isObject(paths[op.path]))
      paths[op.path] = Object.fromEntries(
        Object.entries(item).filter(([, value]) => !isObject(value) || !("responses" in value)),
      );
    const copy = paths[op.path] as JsonObject;
    copy[op.method] = pruneLinks(op.operation, ids);
  }
  return { ...document, paths };
}

function pruneLinks(operation: JsonObject, ids: Set<string>): JsonObject {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const pruned: JsonObject = {};
  for (const [status, response] of Object.entries(responses)) {
    if (!isObject(response) || !isObject(response.links)) {
      pruned[status] = response;
      continue;
    }
    const links = Object.fromEntries(
      Object.entries(response.links).filter(
        ([, link]) =>
          isObject(link) && typeof link.operationId === "string" && ids.has(link.operationId),
      ),
    );
    pruned[status] = { ...response, links };
  }
  return { ...operation, responses: pruned };
}
