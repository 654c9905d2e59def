/**
 * The fixture suite: each case edits a copy of `fixtures/base.yaml` into a revision, runs the gate
 * on the pair, and asserts its verdict and the line that names the change.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import type { Node } from "../src/breaking/document.js";
import { compareSpecs } from "../src/breaking/gate.js";
import { formatLine } from "../src/breaking/report.js";
import { create, getThing, listThings, releaseRows, thing } from "./release-rows.js";

const baseFile = new URL("fixtures/base.yaml", import.meta.url);
let dir: string;
let baseText: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spec-breaking-"));
  baseText = await readFile(baseFile, "utf8");
  await writeFile(join(dir, "base.yaml"), baseText);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function gate(name: string, edit: (doc: Node) => void) {
  const doc = parse(baseText);
  edit(doc);
  const revision = join(dir, `${name.replace(/\W+/g, "-")}.yaml`);
  await writeFile(revision, stringify(doc));
  return compareSpecs(join(dir, "base.yaml"), revision);
}

interface Case {
  given: string;
  edit: (doc: Node) => void;
  /** Words that one reported line must contain, in order (for breaking cases, a breaking line). */
  want: RegExp;
}

const breaking: Case[] = [
  {
    given: "an operation removed",
    edit: (doc) => delete doc.paths["/things/{thingId}"].get,
    want: /getThing \(GET \/things\/\{thingId\}\).*removed/,
  },
  {
    given: "a path removed",
    edit: (doc) => delete doc.paths["/things/{thingId}/check"],
    want: /\/things\/\{thingId\}\/check.*removed/,
  },
  {
    given: "a request field made required",
    edit: (doc) => create(doc).required.push("color"),
    want: /createThing .*request body.*`color`/,
  },
  {
    given: "a required request field added",
    edit: (doc) => {
      create(doc).properties.owner = { type: "string" };
      create(doc).required.push("owner");
    },
    want: /createThing .*request body.*`owner`/,
  },
  {
    given: "a required query parameter added",
    edit: (doc) =>
      listThings(doc).parameters.push({
        name: "sort",
        in: "query",
        required: true,
        schema: { type: "string" },
      }),
    want: /listThings .*`sort` query parameter/,
  },
  {
    given: "a required header parameter added",
    edit: (doc) =>
      listThings(doc).parameters.push({
        name: "x-tenant",
        in: "header",
        required: true,
        schema: { type: "string" },
      }),
    want: /listThings .*`x-tenant` header parameter/,
  },
  {
    given: "an optional parameter made required",
    edit: (doc) => {
      listThings(doc).parameters[0].required = true;
    },
    want: /listThings .*`page` query parameter became required/,
  },
  {
    given: "an optional request body made required",
    edit: (doc) => {
      doc.paths["/things/{thingId}/check"].post.requestBody.required = true;
    },
    want: /checkThing .*request body.*required/i,
  },
  {
    given: "a request enum value removed",
    edit: (doc) => {
      create(doc).properties.color.enum = ["red"];
    },
    want: /createThing .*color.*lost values: 'blue'/,
  },
  {
    given: "a request type narrowed (number to integer)",
    edit: (doc) => {
      create(doc).properties.size.type = "integer";
    },
    want: /createThing .*size.*narrowed/,
  },
  {
    given: "a request maxItems tightened",
    edit: (doc) => {
      create(doc).properties.tags.maxItems = 3;
    },
    want: /createThing .*tags.*`maxItems`.*'5' to '3'/,
  },
  {
    given: "a request maxLength tightened",
    edit: (doc) => {
      create(doc).properties.name.maxLength = 20;
    },
    want: /createThing .*name.*`maxLength`.*'50' to '20'/,
  },
  {
    given: "a request minimum raised",
    edit: (doc) => {
      create(doc).properties.size.minimum = 1;
    },
    want: /createThing .*size.*bound/i,
  },
  {
    given: "a request pattern changed",
    edit: (doc) => {
      create(doc).properties.code.pattern = "^[a-z]{3}$";
    },
    want: /createThing .*code.*`pattern`/,
  },
  {
    given: "a request format added",
    edit: (doc) => {
      create(doc).properties.contact.format = "email";
    },
    want: /createThing .*contact.*`format`/,
  },
  {
    given: "a response field removed",
    edit: (doc) => delete thing(doc).properties.score,
    want: /(listThings|createThing|getThing) .*`score`.*removed/,
  },
  {
    given: "a response field's type changed",
    edit: (doc) => {
      thing(doc).properties.score.type = "string";
    },
    want: /score.*'number' to 'string'/,
  },
  {
    given: "a response field no longer required",
    edit: (doc) => {
      thing(doc).required = ["id"];
    },
    want: /no longer required: `name`/,
  },
  {
    given: "a value added to a closed response enum",
    edit: (doc) => thing(doc).properties.kind.enum.push("medium"),
    want: /kind.*gained values: 'medium'/,
  },
  {
    given: "a documented success status removed (201 became 200)",
    edit: (doc) => {
      const responses = doc.paths["/things"].post.responses;
      responses["200"] = responses["201"];
      delete responses["201"];
    },
    want: /createThing .*201/,
  },
  {
    given: "a documented error status removed",
    edit: (doc) => delete getThing(doc).responses["404"],
    want: /getThing .*`404`.*removed/,
  },
  {
    given: "a response header removed",
    edit: (doc) => {
      getThing(doc).responses["200"].headers = { "x-trace-id": { schema: { type: "string" } } };
    },
    want: /getThing .*response 200.*x-request-id/,
  },
  {
    given: "a response media type removed",
    edit: (doc) => {
      const responses = getThing(doc).responses;
      responses["200"].content = {
        "application/xml": responses["200"].content["application/json"],
      };
    },
    want: /getThing .*application\/json/,
  },
  {
    given: "a request media type removed",
    edit: (doc) => {
      const body = doc.paths["/things"].post.requestBody;
      body.content = { "application/x-www-form-urlencoded": body.content["application/json"] };
    },
    want: /createThing .*application\/json/,
  },
  {
    given: "security changed: the API key header renamed",
    edit: (doc) => {
      doc.components.securitySchemes.apiKey.name = "x-token";
    },
    want: /every operation .*x-api-key.*x-token/,
  },
  {
    given: "security changed: a second scheme required",
    edit: (doc) => {
      doc.components.securitySchemes.bearer = { type: "http", scheme: "bearer" };
      doc.security = [{ apiKey: [], bearer: [] }];
    },
    want: /security/i,
  },
  {
    given: "a path parameter renamed",
    edit: (doc) => {
      const item = doc.paths["/things/{thingId}/check"];
      item.post.parameters[0].name = "id";
      doc.paths["/things/{id}/check"] = item;
      delete doc.paths["/things/{thingId}/check"];
    },
    want: /checkThing .*`thingId`.*`id`/,
  },
  {
    given: "a required request body added where there was none",
    edit: (doc) => {
      getThing(doc).requestBody = {
        required: true,
        content: { "application/json": { schema: { type: "object" } } },
      };
    },
    want: /getThing .*required request body was added/,
  },
  {
    given: "a request property removed (the schema allows others)",
    edit: (doc) => delete create(doc).properties.contact,
    want: /createThing .*request body \(application\/json\) › contact.*`contact` was removed/,
  },
  {
    given: "a response field made nullable",
    edit: (doc) => {
      thing(doc).properties.score.type = ["number", "null"];
    },
    want: /score.*widened from 'number' to 'number \| null'/,
  },
  {
    given: "an operationId renamed (the SDK method's name)",
    edit: (doc) => {
      getThing(doc).operationId = "fetchThing";
    },
    want: /getThing.*fetchThing|fetchThing.*getThing/,
  },
  // New rules and semantic judgements: each has a compatible twin below.
  {
    given: "a request parameter's default changed (page 0 → 1)",
    edit: (doc) => {
      listThings(doc).parameters[0].schema.default = 1;
    },
    want: /listThings .*`page`.*default changed from '0' to '1'.*request-default-changed/,
  },
  {
    given: "a request field's default changed",
    edit: (doc) => {
      create(doc).properties.mode.default = "test";
    },
    want: /createThing .*mode.*default changed from 'live' to 'test'/,
  },
  {
    given: "readOnly added to a request property",
    edit: (doc) => {
      create(doc).properties.contact.readOnly = true;
    },
    want: /createThing .*contact.*became readOnly/,
  },
  {
    given: "writeOnly added to a response property",
    edit: (doc) => {
      thing(doc).properties.score.writeOnly = true;
    },
    want: /score.*became writeOnly/,
  },
  {
    given: "a response header no longer required",
    edit: (doc) => {
      getThing(doc).responses["200"].headers["x-request-id"].required = false;
    },
    want: /getThing .*header `x-request-id`.*no longer required/,
  },
  {
    given: "servers added on a path",
    edit: (doc) => {
      doc.paths["/things"].servers = [{ url: "https://other.example.com/v1" }];
    },
    want: /listThings .*servers.*other\.example\.com.*servers-changed/,
  },
  {
    given: "servers added on an operation",
    edit: (doc) => {
      getThing(doc).servers = [{ url: "https://other.example.com/v1" }];
    },
    want: /getThing .*servers.*other\.example\.com/,
  },
  {
    given: "a value added to a nullable closed enum (anyOf [enum, null])",
    edit: (doc) => thing(doc).properties.status.anyOf[0].enum.push("archived"),
    want: /status.*response-returns-more/,
  },
  {
    given: "a new success status with a different body",
    edit: (doc) => {
      doc.paths["/things"].post.responses["202"] = {
        description: "Accepted",
        content: {
          "application/json": {
            schema: { type: "object", properties: { job: { type: "string" } } },
          },
        },
      };
    },
    want: /createThing .*response 202.*success-body-added/,
  },
  {
    given: "a response field made nullable through oneOf",
    edit: (doc) => {
      thing(doc).properties.score = { oneOf: [{ type: "number" }, { type: "null" }] };
    },
    want: /score.*response-returns-more/,
  },
  {
    given: "the null branch of a request field removed",
    edit: (doc) => {
      create(doc).properties.parent = { type: "string" };
    },
    want: /createThing .*parent.*request-accepts-less/,
  },
  {
    given: "a branch added to a response anyOf",
    edit: (doc) => {
      thing(doc).properties.origin = {
        anyOf: [{ $ref: "#/components/schemas/Origin" }, { type: "null" }, { type: "string" }],
      };
    },
    want: /origin.*response-returns-more/,
  },
  {
    given: "a one-branch allOf around another schema",
    edit: (doc) => {
      getThing(doc).responses["200"].content["application/json"].schema = {
        allOf: [{ $ref: "#/components/schemas/Origin" }],
        description: "The thing",
      };
    },
    want: /getThing .*response 200/,
  },
  {
    given: "a path-level parameter moved into the operation and made required",
    edit: (doc) => {
      const item = doc.paths["/things/{thingId}"];
      item.get.parameters = [
        item.parameters[0],
        { name: "expand", in: "query", required: true, schema: { type: "string" } },
      ];
      delete item.parameters;
    },
    want: /getThing .*`expand` query parameter/,
  },
  {
    given: "a schema inlined with a property dropped",
    edit: (doc) => {
      const inline = structuredClone(thing(doc));
      delete inline.properties.score;
      getThing(doc).responses["200"].content["application/json"].schema = inline;
    },
    want: /getThing .*`score`.*removed/,
  },
  {
    given: "a shared parameter made required (every operation named)",
    edit: (doc) => {
      doc.components.parameters.Expand.required = true;
    },
    want: /(listThings.*getThing|getThing.*listThings).*`expand`/,
  },
  {
    given: "a required property added to a schema shared by requests and responses",
    edit: (doc) => {
      doc.components.schemas.Origin.required = ["source"];
    },
    want: /sent by createThing.*request side/,
  },
  // Issue 19: each side of a shared schema, effective security, the catalogue, links, mappings.
  {
    given: "a new success status without a body beside one with a body (202)",
    edit: (doc) => {
      doc.paths["/things"].post.responses["202"] = { description: "Accepted, created later" };
    },
    want: /createThing .*response 202.*without a body.*success-without-body-added/,
  },
  {
    given: "a default changed on the request side of a schema also received",
    edit: (doc) => {
      doc.components.schemas.Origin.properties.source.default = "api";
    },
    want: /createThing .*request body.*origin\.source.*schema Origin, as sent by createThing.*request-default-changed/,
  },
  {
    given: "readOnly added on the request side of a schema also received",
    edit: (doc) => {
      doc.components.schemas.Origin.properties.source.readOnly = true;
    },
    want: /createThing .*origin\.source.*as sent by createThing.*became readOnly/,
  },
  {
    given: "a constraint tightened on the request side of a schema also received",
    edit: (doc) => {
      doc.components.schemas.Origin.properties.source.maxLength = 10;
    },
    want: /createThing .*origin\.source.*as sent by createThing.*request side/,
  },
  {
    given: "an operation's `security: []` removed (it inherits the document's key)",
    edit: (doc) => {
      delete doc.paths["/hooks/{hookId}"].post.security;
    },
    want: /receiveHook .*security/,
  },
  {
    given: "an error code's status changed in the catalogue",
    edit: (doc) => {
      doc.components.schemas.KnownErrorCode["x-error-catalogue"].NOT_FOUND.status = 410;
    },
    want: /error code `NOT_FOUND`.*from status 404 to 410.*error-code-status-changed/,
  },
  {
    given: "a link removed",
    edit: (doc) => {
      delete doc.paths["/things"].post.responses["201"].links;
    },
    want: /createThing .*response 201 · Link `getThing` was removed.*link-removed/,
  },
  {
    given: "a link's parameter changed",
    edit: (doc) => {
      doc.paths["/things"].post.responses["201"].links.getThing.parameters.thingId =
        "$response.body#/name";
    },
    want: /createThing .*Link `getThing` now leads to.*link-changed/,
  },
  {
    given: "a discriminator mapping key renamed (response side)",
    edit: (doc) => {
      const mapping = doc.components.schemas.Shape.discriminator.mapping;
      mapping.round = mapping.circle;
      delete mapping.circle;
    },
    want: /schema Shape .*lost 'circle' and gained 'round'.*discriminator-mapping-changed/,
  },
  {
    given: "a request pattern narrowed by its quantifier",
    edit: (doc) => {
      create(doc).properties.code.pattern = "^[a-z]{2,4}$";
    },
    want: /createThing .*code.*pattern-narrowed/,
  },
];

const compatible: Omit<Case, "want">[] = [
  {
    given: "the server URL turned into a variable whose default is the same URL",
    edit: (doc) => {
      doc.servers = [
        {
          url: "https://{host}/v1",
          variables: {
            host: { default: "api.example.com", enum: ["api.example.com", "eu.example.com"] },
          },
        },
      ];
    },
  },
  {
    given: "one object split into an allOf of two objects with the same properties and required",
    edit: (doc) => {
      const { name, color, tags, ...rest } = create(doc).properties;
      doc.components.schemas.ThingCreate = {
        allOf: [
          { type: "object", required: ["name"], properties: { name, color, tags } },
          { type: "object", properties: rest },
        ],
      };
    },
  },
  {
    given: "a request pattern loosened (a quantifier widened, an alternative added)",
    edit: (doc) => {
      create(doc).properties.code.pattern = "^([a-z]|[0-9])*$";
    },
  },
  {
    given: "a link added",
    edit: (doc) => {
      doc.paths["/things"].get.responses["200"].links = {
        firstThing: {
          operationId: "getThing",
          parameters: { thingId: "$response.body#/data/0/id" },
          description: "Reads the first thing of the page.",
        },
      };
    },
  },
  {
    given: "a discriminator mapping reordered",
    edit: (doc) => {
      const { circle, square } = doc.components.schemas.Shape.discriminator.mapping;
      doc.components.schemas.Shape.discriminator.mapping = { square, circle };
    },
  },
  {
    given: "an error code added to the catalogue and its enum",
    edit: (doc) => {
      doc.components.schemas.KnownErrorCode.enum.push("GONE");
      doc.components.schemas.KnownErrorCode["x-error-catalogue"].GONE = {
        status: 410,
        message: "The thing is gone.",
      };
    },
  },
  {
    given: "an operation added",
    edit: (doc) => {
      doc.paths["/things/{thingId}"].delete = {
        operationId: "deleteThing",
        responses: { "204": { description: "Deleted" } },
      };
    },
  },
  {
    given: "an optional request field added",
    edit: (doc) => {
      create(doc).properties.note = { type: "string" };
    },
  },
  {
    given: "an optional parameter added",
    edit: (doc) =>
      listThings(doc).parameters.push({ name: "q", in: "query", schema: { type: "string" } }),
  },
  {
    given: "a response field added",
    edit: (doc) => {
      thing(doc).properties.createdAt = { type: "string", format: "date-time" };
    },
  },
  {
    given: "request constraints relaxed",
    edit: (doc) => {
      const properties = create(doc).properties;
      properties.name.maxLength = 100;
      properties.tags.maxItems = 10;
      delete properties.size.minimum;
      delete properties.code.pattern;
    },
  },
  {
    given: "a request field made optional",
    edit: (doc) => {
      create(doc).required = [];
    },
  },
  {
    given: "a value added to a request enum",
    edit: (doc) => create(doc).properties.color.enum.push("green"),
  },
  {
    given: "a response constraint tightened (clients receive less)",
    edit: (doc) => {
      thing(doc).properties.name.maxLength = 10;
    },
  },
  {
    given: "descriptions and examples changed",
    edit: (doc) => {
      listThings(doc).description = "Lists every thing, a page at a time.";
      thing(doc).description = "A thing.";
      doc.info.description = "The fixture API.";
      getThing(doc).responses["200"].content["application/json"].examples = {
        small_thing: { value: { id: "6a14938e-04eb-42e3-baf7-b3f78fe78ddd", name: "A" } },
      };
    },
  },
  {
    given: "a new error status documented (429)",
    edit: (doc) => {
      getThing(doc).responses["429"] = { $ref: "#/components/responses/Error" };
    },
  },
  {
    given: "a value added to an open enum (anyOf with plain string), with its catalogue entry",
    edit: (doc) => {
      doc.components.schemas.KnownErrorCode.enum.push("RATE_LIMITED");
      doc.components.schemas.KnownErrorCode["x-error-catalogue"].RATE_LIMITED = {
        status: 429,
        message: "Too many requests.",
      };
    },
  },
  // The compatible twins of the new rules, and the refactors the engine alone calls breaking.
  {
    given: "a default documented where there was none",
    edit: (doc) => {
      create(doc).properties.name.default = "unnamed";
    },
  },
  {
    given: "readOnly added to a response-only property",
    edit: (doc) => {
      thing(doc).properties.id.readOnly = true;
    },
  },
  {
    given: "writeOnly added to a request-only property",
    edit: (doc) => {
      create(doc).properties.code.writeOnly = true;
    },
  },
  {
    given: "a response header made required",
    edit: (doc) => {
      getThing(doc).responses["200"].headers["x-trace-id"] = {
        required: true,
        schema: { type: "string" },
      };
    },
  },
  {
    given: "a second server listed after the first",
    edit: (doc) => {
      doc.servers.push({ url: "https://eu.api.example.com/v1" });
    },
  },
  {
    given: "a new success status with the same body",
    edit: (doc) => {
      const responses = doc.paths["/things"].post.responses;
      responses["200"] = structuredClone(responses["201"]);
    },
  },
  {
    given: "a request field made nullable through oneOf",
    edit: (doc) => {
      create(doc).properties.contact = { oneOf: [{ type: "string" }, { type: "null" }] };
    },
  },
  {
    given: "the null branch of a response field removed",
    edit: (doc) => {
      thing(doc).properties.origin = { $ref: "#/components/schemas/Origin" };
    },
  },
  {
    given: "oneOf became anyOf, the branches differing by type",
    edit: (doc) => {
      thing(doc).properties.origin = {
        anyOf: [{ $ref: "#/components/schemas/Origin" }, { type: "null" }],
      };
    },
  },
  {
    given: "a $ref wrapped in a one-branch allOf to attach a description",
    edit: (doc) => {
      getThing(doc).responses["200"].content["application/json"].schema = {
        allOf: [{ $ref: "#/components/schemas/Thing" }],
        description: "The thing, as stored.",
      };
    },
  },
  {
    given: "a path-level parameter moved into each operation",
    edit: (doc) => {
      const item = doc.paths["/things/{thingId}"];
      item.get.parameters = item.parameters;
      delete item.parameters;
    },
  },
  {
    given: "a $ref replaced by the same schema inline",
    edit: (doc) => {
      getThing(doc).responses["200"].content["application/json"].schema = structuredClone(
        thing(doc),
      );
    },
  },
  {
    given: "a schema renamed (wire-compatible; a @pingback/types major, see the release tests)",
    edit: (doc) => {
      const text = stringify(doc).replaceAll(
        "#/components/schemas/Origin",
        "#/components/schemas/Source",
      );
      const renamed = parse(text);
      renamed.components.schemas.Source = renamed.components.schemas.Origin;
      delete renamed.components.schemas.Origin;
      Object.assign(doc, renamed);
    },
  },
];

// One case at a time: each runs the Redocly CLI, and on two cores running them side by side is no
// faster, only harder on the other packages' tests that run at the same time.
describe("breaking changes fail the gate", () => {
  test.for(breaking)("$given", async ({ edit, want, given }) => {
    const verdict = await gate(given, edit);
    expect(verdict.pass).toBe(false);
    expect(verdict.breaking.map(formatLine)).toContainEqual(expect.stringMatching(want));
  });
});

describe("compatible changes pass without ceremony", () => {
  test.for(compatible)("$given", async ({ edit, given }) => {
    const verdict = await gate(given, edit);
    expect(verdict.breaking.map(formatLine)).toEqual([]);
    expect(verdict.pass).toBe(true);
  });
});

describe("a breaking change declared as a new major version", () => {
  const removeScore = (doc: Node) => delete doc.components.schemas.Thing.properties.score;

  test("passes with info.version bumped to the next major, and still lists what broke", async () => {
    const verdict = await gate("declared", (doc) => {
      removeScore(doc);
      doc.info.version = "2.0.0";
    });
    expect(verdict).toMatchObject({ pass: true, majorBump: true });
    expect(verdict.compatible.map(formatLine)).toContainEqual(
      expect.stringMatching(/`version` of Info changed from '1\.4\.0' to '2\.0\.0'/),
    );
    expect(verdict.breaking.map(formatLine)).toContainEqual(
      expect.stringMatching(/`score`.*removed/),
    );
  });

  test.for([
    { given: "a minor bump", version: "1.5.0" },
    { given: "no bump", version: "1.4.0" },
  ])("fails with $given", async ({ version }) => {
    const verdict = await gate(`undeclared-${version}`, (doc) => {
      removeScore(doc);
      doc.info.version = version;
    });
    expect(verdict).toMatchObject({ pass: false, majorBump: false });
  });
});

describe("the release a change needs (README.md, release table)", () => {
  test.for(releaseRows)(
    "$change: API $api, @pingback/types $types, @pingback/client $client",
    async ({ change, edit, api, types, client }) => {
      const verdict = await gate(`release-${change}`, edit);
      const found =
        verdict.breaking.length > 0
          ? "breaking"
          : verdict.review.length > 0
            ? "review"
            : "compatible";
      expect({ api: found, release: verdict.release }).toEqual({
        api,
        release: { "@pingback/types": types, "@pingback/client": client },
      });
    },
  );
});

test("the unchanged spec has no changes at all", async () => {
  const verdict = await gate("unchanged", () => {});
  expect([...verdict.breaking, ...verdict.compatible]).toEqual([]);
});
