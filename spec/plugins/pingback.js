/**
 * The Redocly plugin of the Pingback spec (`pingback/...` in redocly.yaml).
 *
 * Rules (run by `redocly lint`) check what configurable rules cannot say: that the error catalogue,
 * `x-error-catalogue` on the `KnownErrorCode` schema, agrees with its `enum` and with every error
 * example, that an operation needing the API key documents 403, and that links point at real
 * operations and parameters.
 *
 * Decorators (run by `redocly bundle` and `redocly build-docs`) write what the reference page
 * would not show otherwise into descriptions: the catalogue as a table, and each response's links.
 * Both are derived from the spec on every build, never written by hand.
 */

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const CATALOGUE = "x-error-catalogue";
const PAGE_INCREMENT = "x-page-increment";

/** @typedef {{ status: number, message: string }} CatalogueEntry */

/**
 * The problems of a catalogue and the enum beside it, as sentences; empty when they agree.
 * @param {unknown} catalogue
 * @param {unknown} enumValues
 * @returns {string[]}
 */
export function catalogueProblems(catalogue, enumValues) {
  if (!isObject(catalogue))
    return [`\`${CATALOGUE}\` must map each error code to { status, message }.`];
  const problems = [];
  const codes = Object.keys(catalogue);
  const listed = Array.isArray(enumValues) ? enumValues : [];
  for (const code of codes) {
    if (!listed.includes(code))
      problems.push(`${code} is in \`${CATALOGUE}\` but not in \`enum\`: add it to \`enum\`.`);
    const entry = catalogue[code];
    const status = isObject(entry) ? entry.status : undefined;
    if (!Number.isInteger(status) || status < 100 || status > 599)
      problems.push(`${code}: \`status\` must be an HTTP status (an integer from 100 to 599).`);
    if (!isObject(entry) || typeof entry.message !== "string" || entry.message.trim() === "")
      problems.push(
        `${code}: \`message\` must be the published message, or a one-line description.`,
      );
  }
  for (const code of listed) {
    if (!codes.includes(code))
      problems.push(
        `${code} is in \`enum\` but not in \`${CATALOGUE}\`: give it a status and a message there.`,
      );
  }
  return problems;
}

/**
 * The catalogue as a Markdown table, for the schema's description.
 * @param {Record<string, CatalogueEntry>} catalogue
 */
export function catalogueTable(catalogue) {
  const rows = Object.entries(catalogue).map(
    ([code, { status, message }]) =>
      `| \`${code}\` | ${status} | ${message.replaceAll("|", "\\|")} |`,
  );
  return ["| errorCode | status | message |", "| --- | --- | --- |", ...rows].join("\n");
}

/**
 * A response's links as a Markdown list, for its description.
 * @param {Record<string, any>} links
 */
export function linksList(links) {
  const items = Object.entries(links).map(([name, link]) => {
    const target = link.operationId ?? link.operationRef;
    const values = Object.entries(link.parameters ?? {}).map(([parameter, expression]) => {
      const increment = link[PAGE_INCREMENT] ? ` + ${link[PAGE_INCREMENT]}` : "";
      return `\`${parameter}\` = \`${expression}\`${increment}`;
    });
    const using = values.length > 0 ? ` with ${values.join(", ")}` : "";
    return `- **${name}**: \`${target}\`${using}. ${link.description ?? ""}`.trimEnd();
  });
  return ["**Links** (what to call next, with values from this call):", "", ...items].join("\n");
}

const CATALOGUE_MARK = "\n\n**The catalogue**\n\n";
const LINKS_MARK = "\n\n**Links**";

function ErrorCatalogueInDescription() {
  return {
    Schema: {
      leave(schema) {
        const catalogue = schema[CATALOGUE];
        if (!isObject(catalogue) || (schema.description ?? "").includes(CATALOGUE_MARK)) return;
        schema.description = `${schema.description ?? ""}${CATALOGUE_MARK}${catalogueTable(catalogue)}`;
      },
    },
  };
}

function LinksInResponseDescription() {
  return {
    Response: {
      leave(response) {
        if (!isObject(response.links) || (response.description ?? "").includes(LINKS_MARK)) return;
        // Redoc titles a response with `x-summary` when there is one, and shows the description
        // when the response is opened: the title stays short, the links are one click away.
        response["x-summary"] ??= response.description;
        response.description = `${response.description ?? ""}\n\n${linksList(response.links)}`;
      },
    },
  };
}

/** Reads the catalogue from the root document, following `$ref`s; null when there is none. */
function findCatalogue(root, ctx) {
  const ref = root.components?.schemas?.KnownErrorCode;
  if (ref === undefined) return null;
  const { node, location } = follow(
    ctx,
    ref,
    ctx.location.child(["components", "schemas", "KnownErrorCode"]),
  );
  return isObject(node) ? { schema: node, location } : null;
}

function ErrorCatalogueMatchesEnum() {
  return {
    Root: {
      enter(root, ctx) {
        const found = findCatalogue(root, ctx);
        if (!found) {
          ctx.report({
            message: `The spec has no \`KnownErrorCode\` schema with an \`${CATALOGUE}\`.`,
            location: ctx.location.child(["components", "schemas"]),
          });
          return;
        }
        for (const message of catalogueProblems(found.schema[CATALOGUE], found.schema.enum)) {
          ctx.report({ message, location: found.location.child([CATALOGUE]) });
        }
      },
    },
  };
}

/** Every operation of the root document with its responses, resolved, and where each lives. */
function* operationsOf(root, ctx) {
  for (const [path, rawItem] of Object.entries(root.paths ?? {})) {
    const { node: item, location: itemAt } = follow(
      ctx,
      rawItem,
      ctx.location.child(["paths", path]),
    );
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      if (!isObject(item[method])) continue;
      yield {
        path,
        method,
        item,
        itemAt,
        operation: item[method],
        location: itemAt.child([method]),
      };
    }
  }
}

function ErrorExampleStatusMatchesCatalogue() {
  return {
    Root: {
      enter(root, ctx) {
        const catalogue = findCatalogue(root, ctx)?.schema[CATALOGUE];
        if (!isObject(catalogue)) return; // reported by error-catalogue-matches-enum
        for (const { operation, location } of operationsOf(root, ctx)) {
          for (const [status, rawResponse] of Object.entries(operation.responses ?? {})) {
            const response = follow(ctx, rawResponse, location.child(["responses", status]));
            for (const [type, media] of Object.entries(response.node?.content ?? {})) {
              for (const [name, rawExample] of Object.entries(media?.examples ?? {})) {
                const at = response.location.child(["content", type, "examples", name]);
                const { node: example } = follow(ctx, rawExample, at);
                // Reported where the example is used: the same example may be right elsewhere.
                const where = at;
                const code = example?.value?.errorCode;
                if (typeof code !== "string") continue;
                const entry = catalogue[code];
                if (!isObject(entry)) {
                  ctx.report({
                    message: `Example "${name}" of ${operation.operationId} ${status} has errorCode ${code}, which the catalogue does not list: add it to \`${CATALOGUE}\` (and \`enum\`) of KnownErrorCode.`,
                    location: where,
                  });
                } else if (String(entry.status) !== status) {
                  ctx.report({
                    message: `Example "${name}" of ${operation.operationId} is documented under ${status}, but the catalogue gives ${code} the status ${entry.status}: move it to the ${entry.status} response.`,
                    location: where,
                  });
                }
              }
            }
          }
        }
      },
    },
  };
}

/** Whether a security requirement list asks for any credential (`[]` and `[{}]` ask for none). */
export function requiresCredentials(security) {
  return Array.isArray(security) && security.some((req) => Object.keys(req ?? {}).length > 0);
}

function SecuredOperationDocuments403() {
  return {
    Root: {
      enter(root, ctx) {
        for (const { path, method, operation, location } of operationsOf(root, ctx)) {
          const security = operation.security ?? root.security;
          if (!requiresCredentials(security) || operation.responses?.["403"] !== undefined)
            continue;
          ctx.report({
            message: `${method.toUpperCase()} ${path} needs the API key, so it documents 403 (bad or missing key); only an operation with \`security: []\` may leave it out.`,
            location: location.child(["responses"]),
          });
        }
      },
    },
  };
}

function LinksTargetRealOperations() {
  const expression =
    /^\$(url|method|statusCode|request\.(path|query|header)\.[\w-]+|request\.body(#\/.*)?|response\.header\.[\w-]+|response\.body(#\/.*)?)$/;
  return {
    Root: {
      enter(root, ctx) {
        const targets = new Map();
        const all = [...operationsOf(root, ctx)];
        for (const op of all) {
          const names = [...(op.item.parameters ?? []), ...(op.operation.parameters ?? [])]
            .map((raw) => follow(ctx, raw, op.itemAt).node?.name)
            .filter((name) => typeof name === "string");
          targets.set(op.operation.operationId, new Set(names));
        }
        for (const { operation, location } of all) {
          for (const [status, rawResponse] of Object.entries(operation.responses ?? {})) {
            const { node: response } = follow(ctx, rawResponse, location);
            for (const [name, link] of Object.entries(response?.links ?? {})) {
              const at = location.child(["responses", status, "links", name]);
              const parameters = targets.get(link.operationId);
              if (!parameters) {
                ctx.report({
                  message: `Link "${name}" of ${operation.operationId} ${status} targets operationId "${link.operationId}", which no operation has.`,
                  location: at.child(["operationId"]),
                });
                continue;
              }
              if (typeof link.description !== "string" || link.description.trim() === "")
                ctx.report({ message: `Link "${name}" needs a description.`, location: at });
              for (const [parameter, value] of Object.entries(link.parameters ?? {})) {
                if (!parameters.has(parameter))
                  ctx.report({
                    message: `Link "${name}" sets "${parameter}", which ${link.operationId} does not take.`,
                    location: at.child(["parameters", parameter]),
                  });
                if (typeof value === "string" && value.startsWith("$") && !expression.test(value))
                  ctx.report({
                    message: `Link "${name}": "${value}" is not a runtime expression (e.g. $response.body#/data/id).`,
                    location: at.child(["parameters", parameter]),
                  });
              }
            }
          }
        }
      },
    },
  };
}

/**
 * A node with `$ref`s followed, and where it lives. A `$ref` is relative to the file holding it, so
 * it is resolved from `at` (the location of the node that holds it).
 */
function follow(ctx, node, at) {
  if (!isObject(node) || typeof node.$ref !== "string") return { node, location: at };
  const resolved = ctx.resolve(node, at.source.absoluteRef);
  return { node: resolved.node, location: resolved.location ?? at };
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export default function pingbackPlugin() {
  return {
    id: "pingback",
    rules: {
      oas3: {
        "error-catalogue-matches-enum": ErrorCatalogueMatchesEnum,
        "error-example-status-matches-catalogue": ErrorExampleStatusMatchesCatalogue,
        "secured-operation-documents-403": SecuredOperationDocuments403,
        "links-target-real-operations": LinksTargetRealOperations,
      },
    },
    decorators: {
      oas3: {
        "error-catalogue-in-description": ErrorCatalogueInDescription,
        "links-in-response-description": LinksInResponseDescription,
      },
    },
  };
}
