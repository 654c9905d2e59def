import {
  escapePointer,
  isObject,
  type Json,
  type JsonObject,
  type Located,
  type Operation,
  operations,
  resolve,
  resolveObject,
} from "./spec.js";

/** A request as the suite sends it: path template, parameter values and an optional JSON body. */
export interface RequestSpec {
  method: string;
  path: string;
  pathParams: Record<string, Json>;
  query: Record<string, Json>;
  headers: Record<string, string>;
  /** The JSON body; `undefined` sends none. */
  body: Json | undefined;
}

/** One named example the spec documents: a request example, or a response example of a status. */
export interface DocumentedExample {
  operationId: string;
  /** `request` for request examples, else the response status as written in the spec. */
  status: string;
  example: string;
}

/** A documented response example, chosen from Prism with `Prefer: code=…, example=…`. */
export interface ExampleCase {
  /** `operationId › status › example`, plus the request example when an operation has several. */
  name: string;
  operationId: string;
  request: RequestSpec;
  /** The name of the request example sent, or null when the operation takes no body. */
  requestExample: string | null;
  response: {
    status: number;
    /** Null for a response documented without content. */
    mediaType: string | null;
    example: string | null;
    body: Json | undefined;
    /** JSON pointer of the response schema, for our own validation. */
    schemaPointer: string | null;
  };
  /** Coverage keys this case exercises when it passes. */
  covers: string[];
}

export const NO_CONTENT = "(no content)";
export const NO_EXAMPLE = "(no example)";

export function coverageKey(example: DocumentedExample): string {
  return `${example.operationId} › ${example.status} › ${example.example}`;
}

/** A named example of a media type (`examples:` map), with its value resolved. */
export interface NamedExample {
  name: string;
  value: Json;
}

export function namedExamples(document: JsonObject, media: Located<JsonObject>): NamedExample[] {
  const examples = media.value.examples;
  if (!isObject(examples)) return [];
  return Object.entries(examples).map(([name, raw]) => {
    const example = resolveObject(
      document,
      raw,
      `${media.pointer}/examples/${escapePointer(name)}`,
    );
    if (!("value" in example.value)) {
      throw new Error(
        `Example "${name}" at ${example.pointer} has no inline \`value\`; only inline values are supported.`,
      );
    }
    return { name, value: example.value.value as Json };
  });
}

/** The request body of an operation: whether it is required, and its media types. */
export interface RequestBody {
  required: boolean;
  media: Located<JsonObject>[];
  mediaTypes: string[];
}

export function requestBody(document: JsonObject, op: Operation): RequestBody | null {
  if (op.operation.requestBody === undefined) return null;
  const body = resolveObject(document, op.operation.requestBody, `${op.pointer}/requestBody`);
  const { media, mediaTypes } = mediaOf(document, body);
  for (const type of mediaTypes) {
    if (!isJson(type)) {
      throw new Error(
        `${op.operationId}: request media type "${type}" is not JSON; the suite sends JSON bodies only.`,
      );
    }
  }
  return { required: body.value.required === true, media, mediaTypes };
}

/** Responses of an operation by status, each resolved, in document order. */
export function responses(document: JsonObject, op: Operation): [string, Located<JsonObject>][] {
  const all = op.operation.responses;
  if (!isObject(all)) throw new Error(`${op.operationId} documents no responses.`);
  return Object.entries(all).map(([status, raw]) => [
    status,
    resolveObject(document, raw, `${op.pointer}/responses/${escapePointer(status)}`),
  ]);
}

export function mediaOf(document: JsonObject, holder: Located<JsonObject>) {
  const content = isObject(holder.value.content) ? holder.value.content : {};
  const mediaTypes = Object.keys(content);
  const media = mediaTypes.map((type) =>
    resolveObject(
      document,
      content[type] ?? null,
      `${holder.pointer}/content/${escapePointer(type)}`,
    ),
  );
  return { media, mediaTypes };
}

export function isJson(mediaType: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json$/.test(mediaType.split(";")[0]?.trim() ?? "");
}

/** JSON pointer of the schema of a media type object (following a `$ref` schema to where it lives). */
export function schemaPointer(document: JsonObject, media: Located<JsonObject>): string | null {
  if (media.value.schema === undefined) return null;
  return resolve(document, media.value.schema, `${media.pointer}/schema`).pointer;
}

/** A valid value for a parameter: its `example`, first named example, schema example or default. */
export function sampleParameter(
  document: JsonObject,
  parameter: Located<JsonObject>,
): Json | undefined {
  const { value } = parameter;
  if (value.example !== undefined) return value.example;
  if (isObject(value.examples)) {
    const first = Object.values(value.examples)[0];
    if (first !== undefined) {
      const example = resolveObject(document, first, `${parameter.pointer}/examples`);
      if (example.value.value !== undefined) return example.value.value;
    }
  }
  const schema =
    value.schema === undefined
      ? null
      : resolve(document, value.schema, `${parameter.pointer}/schema`);
  if (schema && isObject(schema.value)) {
    if (schema.value.example !== undefined) return schema.value.example;
    if (Array.isArray(schema.value.examples) && schema.value.examples.length > 0)
      return schema.value.examples[0];
    if (schema.value.default !== undefined) return schema.value.default;
  }
  return undefined;
}

/** The parameters every request of an operation carries: path and query values from the spec's examples. */
export function baseRequest(document: JsonObject, op: Operation): RequestSpec {
  const request: RequestSpec = {
    method: op.method,
    path: op.path,
    pathParams: {},
    query: {},
    headers: {},
    body: undefined,
  };
  for (const parameter of op.parameters) {
    const { name, in: location, required } = parameter.value;
    if (typeof name !== "string") continue;
    const sample = sampleParameter(document, parameter);
    if (sample === undefined) {
      if (required === true) {
        throw new Error(
          `${op.operationId}: required ${location} parameter "${name}" has no example; add \`example:\` to it in the spec.`,
        );
      }
      continue;
    }
    if (location === "path") request.pathParams[name] = sample;
    else if (location === "query") request.query[name] = sample;
    else if (location === "header" && required === true) request.headers[name] = String(sample);
  }
  return request;
}

/** The request examples of an operation, or one `null` entry when it takes no body. */
export function requestVariants(
  document: JsonObject,
  op: Operation,
): { example: string | null; body: Json | undefined; covers: string[] }[] {
  const body = requestBody(document, op);
  if (!body) return [{ example: null, body: undefined, covers: [] }];
  const examples = body.media.flatMap((media) => namedExamples(document, media));
  if (examples.length === 0) {
    // No example to send: a required body cannot be made up, an optional one is simply left out.
    if (body.required)
      throw new Error(
        `${op.operationId}: its required request body has no named example; add one to the spec.`,
      );
    return [{ example: null, body: undefined, covers: [] }];
  }
  return examples.map(({ name, value }) => ({
    example: name,
    body: value,
    covers: [coverageKey({ operationId: op.operationId, status: "request", example: name })],
  }));
}

/** Every named example the spec documents, request and response, in document order. */
export function documentedExamples(document: JsonObject): DocumentedExample[] {
  const found: DocumentedExample[] = [];
  for (const op of operations(document)) {
    const body = requestBody(document, op);
    for (const media of body?.media ?? []) {
      for (const { name } of namedExamples(document, media)) {
        found.push({ operationId: op.operationId, status: "request", example: name });
      }
    }
    for (const [status, response] of responses(document, op)) {
      const { media } = mediaOf(document, response);
      if (media.length === 0)
        found.push({ operationId: op.operationId, status, example: NO_CONTENT });
      for (const item of media) {
        const names = namedExamples(document, item).map((example) => example.name);
        for (const example of names.length > 0 ? names : [NO_EXAMPLE]) {
          found.push({ operationId: op.operationId, status, example });
        }
      }
    }
  }
  return found;
}

/**
 * Every request example crossed with every documented response status and each of its named
 * examples. Statuses that are not plain numbers (`default`, `4XX`) cannot be chosen with
 * `Prefer: code=` and yield no case; the coverage gate reports them.
 */
export function exampleCases(document: JsonObject): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const op of operations(document)) {
    const base = baseRequest(document, op);
    const variants = requestVariants(document, op);
    for (const variant of variants) {
      const suffix = variants.length > 1 ? ` (request ${variant.example})` : "";
      for (const [status, response] of responses(document, op)) {
        if (!/^\d{3}$/.test(status)) continue;
        const { media, mediaTypes } = mediaOf(document, response);
        const outcomes =
          media.length === 0
            ? [{ mediaType: null, example: null, body: undefined, schemaPointer: null }]
            : media.flatMap((item, index) =>
                namedExamples(document, item).map(({ name, value }) => ({
                  mediaType: mediaTypes[index] ?? null,
                  example: name,
                  body: value as Json | undefined,
                  schemaPointer: schemaPointer(document, item),
                })),
              );
        for (const outcome of outcomes) {
          const key = {
            operationId: op.operationId,
            status,
            example: outcome.example ?? NO_CONTENT,
          };
          cases.push({
            name: `${coverageKey(key)}${suffix}`,
            operationId: op.operationId,
            request: { ...base, body: variant.body },
            requestExample: variant.example,
            response: { status: Number(status), ...outcome },
            covers: [coverageKey(key), ...variant.covers],
          });
        }
      }
    }
  }
  return cases;
}

/** The `Prefer` header that makes Prism answer with this case's status and named example. */
export function preferHeader(c: ExampleCase): string {
  return `code=${c.response.status}${c.response.example ? `, example=${c.response.example}` : ""}`;
}
