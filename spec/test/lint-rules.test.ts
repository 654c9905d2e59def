/**
 * Each rule of redocly.yaml must fail `redocly lint` when the spec breaks it. Every case copies a
 * part of the spec to a temporary folder, breaks one thing, lints, and expects the rule's name in
 * the report.
 *
 * The part is the same for every case and does not grow with the spec: the path files the cases
 * break and every file they reach (by `$ref`, or as the operation a link targets), with openapi.yaml cut down to name only those (so it lints clean
 * on its own, which the first case checks). The whole spec is linted once.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";

const specDir = fileURLToPath(new URL("..", import.meta.url));
const redocly = join(specDir, "node_modules/.bin/redocly");

// biome-ignore lint/suspicious/noExplicitAny: test cases edit arbitrary YAML documents
type Yaml = any;

/** Every `$ref`d file of a YAML value, relative to the spec folder. */
function refsOf(value: Yaml, from: string, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsOf(item, from, found);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string" && !child.startsWith("#")) {
        found.push(normalize(join(dirname(from), child.split("#")[0] as string)));
      } else refsOf(child, from, found);
    }
  }
  return found;
}

/** Every `operationId` a link of a YAML value targets. */
function linkTargetsOf(value: Yaml, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) linkTargetsOf(item, found);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "links" && child && typeof child === "object") {
        for (const link of Object.values(child as Record<string, Yaml>)) {
          if (typeof link?.operationId === "string") found.push(link.operationId);
        }
      } else linkTargetsOf(child, found);
    }
  }
  return found;
}

/** The path file of each operationId: one read of every path file, shared by all cases. */
const pathFileOf = (async () => {
  const root = parse(await readFile(join(specDir, "openapi.yaml"), "utf8"));
  const index = new Map<string, string>();
  for (const item of Object.values(root.paths) as Yaml[]) {
    if (typeof item?.$ref !== "string") continue;
    const file = normalize(item.$ref);
    const doc = parse(await readFile(join(specDir, file), "utf8"));
    for (const op of Object.values(doc ?? {}) as Yaml[]) {
      if (typeof op?.operationId === "string") index.set(op.operationId, file);
    }
  }
  return index;
})();

/**
 * Writes to `dir` the part of the spec made of `pathFiles` and all they reach, `$ref`s and the
 * operations their links target (see the top).
 */
async function writeSpecPart(dir: string, pathFiles: string[]) {
  const root = parse(await readFile(join(specDir, "openapi.yaml"), "utf8"));
  const byOperationId = await pathFileOf;
  const keep = new Set<string>();
  const queue = [...pathFiles, ...refsOf(root.components.securitySchemes, "openapi.yaml")];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (keep.has(file)) continue;
    keep.add(file);
    const doc = parse(await readFile(join(specDir, file), "utf8"));
    queue.push(...refsOf(doc, file));
    for (const target of linkTargetsOf(doc)) {
      const targetFile = byOperationId.get(target);
      if (targetFile) queue.push(targetFile);
    }
  }
  const kept = (entry: Yaml) => !entry.$ref || keep.has(normalize(entry.$ref));
  root.paths = Object.fromEntries(Object.entries(root.paths).filter(([, item]) => kept(item)));
  for (const kind of Object.keys(root.components)) {
    root.components[kind] = Object.fromEntries(
      Object.entries(root.components[kind]).filter(([, entry]) => kept(entry)),
    );
  }
  await writeFile(join(dir, "openapi.yaml"), stringify(root));
  await cp(join(specDir, "redocly.yaml"), join(dir, "redocly.yaml"));
  await cp(join(specDir, "plugins"), join(dir, "plugins"), { recursive: true });
  for (const file of keep) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await cp(join(specDir, file), join(dir, file));
  }
}

async function lintBroken(file: string, breakIt: (doc: Yaml) => void) {
  const dir = await mkdtemp(join(tmpdir(), "pingback-spec-"));
  try {
    await writeSpecPart(dir, partPaths);
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

/** The path files the cases break: the part of the spec every case lints. */
const partPaths = [
  ...new Set(cases.map((c) => c.file).filter((file) => file.startsWith("paths/"))),
];

// Linting the whole spec grows with it (Redocly alone: about 0.5 s, plus some 10 ms per path);
// the bound allows a busy two-core machine ten times that.
const pathCount = (await readFile(join(specDir, "openapi.yaml"), "utf8")).match(
  /^ {2}\/.*:$/gm,
)?.length;

describe("redocly lint", () => {
  test("passes the spec as it is with no error and no warning", {
    timeout: 60_000 + 100 * (pathCount ?? 0),
  }, async () => {
    const { code, output } = await run(specDir);
    // Redocly prints "Woohoo!" only when there is no error; warnings would be counted after it.
    expect(output).toContain("Your API description is valid");
    expect(output).not.toMatch(/\d+ warnings?/);
    expect(code).toBe(0);
  });

  test("passes the part of the spec the cases break, as it is", async () => {
    const { code, output } = await lintBroken("openapi.yaml", () => {});
    expect(output).toContain("Your API description is valid");
    expect(output).not.toMatch(/\d+ warnings?/);
    expect(code).toBe(0);
  });

  // One at a time: on two cores, running the CLIs together is no faster, and each case's bound
  // would also count the time the others take.
  describe("fails a spec that breaks a rule, naming the rule", () => {
    test.each(cases)("$rule", async ({ rule, file, breakIt }) => {
      const { code, output } = await lintBroken(file, breakIt);
      expect(output).toContain(rule);
      expect(code).not.toBe(0);
    });
  });
});
