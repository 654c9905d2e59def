/**
 * Each rule of redocly.yaml must fail `redocly lint` when the spec breaks it. Every case copies the
 * spec to a temporary folder, breaks one thing, lints, and expects the rule's name in the report.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";

const specDir = fileURLToPath(new URL("..", import.meta.url));
const redocly = join(specDir, "node_modules/.bin/redocly");

// biome-ignore lint/suspicious/noExplicitAny: test cases edit arbitrary YAML documents
type Yaml = any;

async function lintBroken(file: string, breakIt: (doc: Yaml) => void) {
  const dir = await mkdtemp(join(tmpdir(), "pingback-spec-"));
  try {
    for (const entry of ["openapi.yaml", "redocly.yaml", "paths", "components", "plugins"]) {
      await cp(join(specDir, entry), join(dir, entry), { recursive: true });
    }
    const path = join(dir, file);
    const doc = parse(await readFile(path, "utf8"));
    breakIt(doc);
    await writeFile(path, stringify(doc));
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function run(cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      redocly,
      ["lint", "openapi.yaml", "--format=stylish"],
      { cwd },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

const cases: { rule: string; file: string; breakIt: (doc: Yaml) => void }[] = [
  {
    rule: "rule/operation-id-camel-case",
    file: "paths/contacts.yaml",
    breakIt: (doc) => {
      doc.get.operationId = "list_contacts";
    },
  },
  {
    rule: "rule/operation-documents-common-errors",
    file: "paths/segments.yaml",
    breakIt: (doc) => {
      delete doc.get.responses["429"];
    },
  },
  {
    rule: "rule/media-type-has-named-examples",
    file: "paths/deals.yaml",
    breakIt: (doc) => {
      delete doc.post.requestBody.content["application/json"].examples;
    },
  },
  {
    rule: "rule/media-type-no-bare-example",
    file: "paths/segments.yaml",
    breakIt: (doc) => {
      doc.get.responses["200"].content["application/json"].example = { message: "Segments found" };
    },
  },
  {
    rule: "rule/error-responses-use-error-schema",
    file: "paths/contacts_{email}.yaml",
    breakIt: (doc) => {
      doc.get.responses["404"].content["application/json"].schema = { type: "object" };
    },
  },
  {
    rule: "pingback/secured-operation-documents-403",
    file: "paths/segments.yaml",
    breakIt: (doc) => {
      delete doc.get.responses["403"];
    },
  },
  {
    rule: "pingback/error-example-status-matches-catalogue",
    file: "paths/deals.yaml",
    breakIt: (doc) => {
      // CONTACT_NOT_FOUND is a 404 in the catalogue, documented here under 409.
      doc.post.responses["409"].content["application/json"].examples.contact_not_found = {
        $ref: "../components/examples/ContactNotFound.yaml",
      };
    },
  },
  {
    rule: "pingback/error-example-status-matches-catalogue",
    file: "paths/contacts_{email}.yaml",
    breakIt: (doc) => {
      // A code the catalogue does not list.
      doc.get.responses["404"].content["application/json"].examples.unknown = {
        value: { error: "Gone", requestId: "r", errorCode: "CONTACT_GONE" },
      };
    },
  },
  {
    rule: "pingback/error-catalogue-matches-enum",
    file: "components/schemas/KnownErrorCode.yaml",
    breakIt: (doc) => {
      delete doc["x-error-catalogue"].STAGE_NOT_FOUND;
    },
  },
  {
    rule: "pingback/error-catalogue-matches-enum",
    file: "components/schemas/KnownErrorCode.yaml",
    breakIt: (doc) => {
      doc["x-error-catalogue"].NOTE_NOT_FOUND = { status: 404, message: "Note not found" };
    },
  },
  {
    rule: "pingback/error-catalogue-matches-enum",
    file: "components/schemas/KnownErrorCode.yaml",
    breakIt: (doc) => {
      doc["x-error-catalogue"].FORBIDDEN.status = "403";
    },
  },
  {
    rule: "pingback/links-target-real-operations",
    file: "paths/deals.yaml",
    breakIt: (doc) => {
      doc.post.responses["201"].links.updateDeal.operationId = "changeDeal";
    },
  },
  {
    rule: "pingback/links-target-real-operations",
    file: "paths/deals.yaml",
    breakIt: (doc) => {
      doc.post.responses["201"].links.updateDeal.parameters = { id: "$response.body#/data/id" };
    },
  },
  {
    rule: "pingback/links-target-real-operations",
    file: "paths/segments.yaml",
    breakIt: (doc) => {
      delete doc.get.responses["200"].links.nextPage.description;
    },
  },
  {
    rule: "no-invalid-media-type-examples",
    file: "paths/deals.yaml",
    breakIt: (doc) => {
      doc.post.requestBody.content["application/json"].examples.create_deal.value.contactId = 42;
    },
  },
  {
    rule: "no-invalid-parameter-examples",
    file: "components/parameters/PageQuery.yaml",
    breakIt: (doc) => {
      doc.example = -1;
    },
  },
  {
    rule: "no-invalid-schema-examples",
    file: "components/schemas/DealAttributes.yaml",
    breakIt: (doc) => {
      doc.properties.pb_amount.examples = [2300000];
    },
  },
  {
    rule: "no-unused-components",
    file: "openapi.yaml",
    breakIt: (doc) => {
      doc.components.schemas.Unused = { type: "object" };
    },
  },
];

describe("redocly lint", () => {
  test("passes the spec as it is with no error and no warning", async () => {
    const { code, output } = await run(specDir);
    // Redocly prints "Woohoo!" only when there is no error; warnings would be counted after it.
    expect(output).toContain("Your API description is valid");
    expect(output).not.toMatch(/\d+ warnings?/);
    expect(code).toBe(0);
  });

  describe.concurrent("fails a spec that breaks a rule, naming the rule", () => {
    test.each(cases)("$rule ($file)", async ({ rule, file, breakIt }) => {
      const { code, output } = await lintBroken(file, breakIt);
      expect(output).toContain(rule);
      expect(code).not.toBe(0);
    });
  });
});
