/**
 * Edits of `fixtures/base.yaml` shared by the tests, and the release table of README.md as data:
 * one row per kind of change, with the verdict the gate gives the API and the release each
 * package needs. fixture-pairs.test.ts runs the gate on each row, types-probe.test.ts compiles a
 * consumer against both sides of some, and readme.test.ts checks the table lists exactly these.
 */
import { parse, stringify } from "yaml";
import type { Node } from "../src/breaking/document.js";

export const thing = (doc: Node) => doc.components.schemas.Thing;
export const create = (doc: Node) => doc.components.schemas.ThingCreate;
export const listThings = (doc: Node) => doc.paths["/things"].get;
export const getThing = (doc: Node) => doc.paths["/things/{thingId}"].get;

export interface ReleaseRow {
  /** The first column of the table. */
  change: string;
  edit: (doc: Node) => void;
  api: "compatible" | "breaking" | "review";
  types: string;
  client: string;
}

export const releaseRows: ReleaseRow[] = [
  { change: "Nothing changed", edit: () => {}, api: "compatible", types: "none", client: "none" },
  {
    change: "Description or summary changed",
    edit: (doc) => {
      listThings(doc).description = "Lists every thing.";
    },
    api: "compatible",
    types: "patch",
    client: "none",
  },
  {
    change: "Example added or changed",
    edit: (doc) => {
      getThing(doc).responses["200"].content["application/json"].examples = {
        small: { value: { id: "6a14938e-04eb-42e3-baf7-b3f78fe78ddd", name: "A" } },
      };
    },
    api: "compatible",
    types: "none",
    client: "none",
  },
  {
    change: "Link added",
    edit: (doc) => {
      listThings(doc).responses["200"].links = {
        first: { operationId: "getThing", parameters: { thingId: "$response.body#/data/0/id" } },
      };
    },
    api: "compatible",
    types: "none",
    client: "none",
  },
  {
    change: "Operation added",
    edit: (doc) => {
      doc.paths["/things/{thingId}"].delete = {
        operationId: "deleteThing",
        responses: { "204": { description: "Deleted" } },
      };
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Optional request field added",
    edit: (doc) => {
      create(doc).properties.note = { type: "string" };
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Optional parameter added",
    edit: (doc) => {
      listThings(doc).parameters.push({ name: "q", in: "query", schema: { type: "string" } });
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Response field added",
    edit: (doc) => {
      thing(doc).properties.createdAt = { type: "string" };
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Request field made optional",
    edit: (doc) => {
      create(doc).required = [];
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Request enum value added",
    edit: (doc) => {
      create(doc).properties.color.enum.push("green");
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Request field made nullable",
    edit: (doc) => {
      create(doc).properties.contact = { oneOf: [{ type: "string" }, { type: "null" }] };
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Operation or field deprecated",
    edit: (doc) => {
      getThing(doc).deprecated = true;
      thing(doc).properties.score.deprecated = true;
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Schema added (a new export only)",
    edit: (doc) => {
      doc.components.schemas.Extra = { type: "object", properties: { a: { type: "string" } } };
    },
    api: "compatible",
    types: "minor",
    client: "none",
  },
  {
    change: "Error code added (catalogue and enum)",
    edit: (doc) => {
      doc.components.schemas.KnownErrorCode.enum.push("GONE");
      doc.components.schemas.KnownErrorCode["x-error-catalogue"].GONE = {
        status: 410,
        message: "Gone.",
      };
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Error status added with the shared error body",
    edit: (doc) => {
      getThing(doc).responses["429"] = { $ref: "#/components/responses/Error" };
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Success status added with the same body",
    edit: (doc) => {
      const responses = doc.paths["/things"].post.responses;
      responses["200"] = structuredClone(responses["201"]);
    },
    api: "compatible",
    types: "minor",
    client: "minor",
  },
  {
    change: "Request constraint tightened (`maxLength`, `minimum`, `maxItems`, …)",
    edit: (doc) => {
      create(doc).properties.name.maxLength = 20;
    },
    api: "breaking",
    types: "none",
    client: "major",
  },
  {
    change: "Request `pattern` narrowed",
    edit: (doc) => {
      create(doc).properties.code.pattern = "^[a-z]{3}$";
    },
    api: "breaking",
    types: "none",
    client: "major",
  },
  {
    change: "Request `pattern` loosened",
    edit: (doc) => {
      create(doc).properties.code.pattern = "^[a-z0-9]*$";
    },
    api: "compatible",
    types: "none",
    client: "minor",
  },
  {
    change: "Request `pattern` changed beyond what the gate can judge",
    edit: (doc) => {
      create(doc).properties.code.pattern = "^[a-z]+(-[a-z]+)*$";
    },
    api: "review",
    types: "none",
    client: "minor",
  },
  {
    change: "Request `default` changed",
    edit: (doc) => {
      create(doc).properties.mode.default = "test";
    },
    api: "breaking",
    types: "patch",
    client: "major",
  },
  {
    change: "An operation's server changed",
    edit: (doc) => {
      getThing(doc).servers = [{ url: "https://other.example.com/v1" }];
    },
    api: "breaking",
    types: "none",
    client: "major",
  },
  {
    change: "Server URL turned into a variable whose default is the same URL",
    edit: (doc) => {
      doc.servers = [
        { url: "https://{host}/v1", variables: { host: { default: "api.example.com" } } },
      ];
    },
    api: "compatible",
    types: "none",
    client: "none",
  },
  {
    change: "API key header renamed (`securitySchemes`)",
    edit: (doc) => {
      doc.components.securitySchemes.apiKey.name = "x-token";
    },
    api: "breaking",
    types: "minor",
    client: "major",
  },
  {
    change: "Another scheme required by the document's `security`",
    edit: (doc) => {
      doc.components.securitySchemes.bearer = { type: "http", scheme: "bearer" };
      doc.security = [{ apiKey: [], bearer: [] }];
    },
    api: "breaking",
    types: "none",
    client: "major",
  },
  {
    change: "An operation's `security: []` removed (it now inherits the key)",
    edit: (doc) => {
      delete doc.paths["/hooks/{hookId}"].post.security;
    },
    api: "breaking",
    types: "minor",
    client: "major",
  },
  {
    change: "Error code's status changed in the catalogue",
    edit: (doc) => {
      doc.components.schemas.KnownErrorCode["x-error-catalogue"].NOT_FOUND.status = 410;
    },
    api: "breaking",
    types: "none",
    client: "major",
  },
  {
    change: "Link removed or pointed elsewhere",
    edit: (doc) => {
      delete doc.paths["/things"].post.responses["201"].links;
    },
    api: "breaking",
    types: "none",
    client: "none",
  },
  {
    change: "Response field removed",
    edit: (doc) => delete thing(doc).properties.score,
    api: "breaking",
    types: "major",
    client: "major",
  },
  {
    change: "Response field made nullable",
    edit: (doc) => {
      thing(doc).properties.score = { oneOf: [{ type: "number" }, { type: "null" }] };
    },
    api: "breaking",
    types: "major",
    client: "major",
  },
  {
    change: "Required request field added",
    edit: (doc) => {
      create(doc).properties.owner = { type: "string" };
      create(doc).required.push("owner");
    },
    api: "breaking",
    types: "major",
    client: "major",
  },
  {
    change: "Value added to a closed response enum",
    edit: (doc) => thing(doc).properties.kind.enum.push("medium"),
    api: "breaking",
    types: "major",
    client: "major",
  },
  {
    change: "Value removed from a closed response enum",
    edit: (doc) => {
      thing(doc).properties.kind.enum = ["small"];
    },
    api: "compatible",
    types: "major",
    client: "major",
  },
  {
    change: "Success status added without a body, beside one with a body",
    edit: (doc) => {
      doc.paths["/things"].post.responses["202"] = { description: "Accepted" };
    },
    api: "breaking",
    types: "major",
    client: "major",
  },
  {
    change: "Response media type added with another body",
    edit: (doc) => {
      getThing(doc).responses["200"].content["text/plain"] = { schema: { type: "string" } };
    },
    api: "compatible",
    types: "major",
    client: "major",
  },
  {
    change: "Discriminator mapping key renamed",
    edit: (doc) => {
      const mapping = doc.components.schemas.Shape.discriminator.mapping;
      mapping.round = mapping.circle;
      delete mapping.circle;
    },
    api: "breaking",
    types: "major",
    client: "major",
  },
  {
    change: "Schema renamed (its export is gone, the wire is not)",
    edit: (doc) => {
      const renamed = parse(
        stringify(doc).replaceAll("#/components/schemas/Origin", "#/components/schemas/Source"),
      );
      renamed.components.schemas.Source = renamed.components.schemas.Origin;
      delete renamed.components.schemas.Origin;
      Object.assign(doc, renamed);
    },
    api: "compatible",
    types: "major",
    client: "none",
  },
];
