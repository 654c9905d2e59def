/** The pure parts of `pnpm bench:scale`: growing a split spec, and the tables of figures. */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { growSpec, pinnedRefPatterns, type SpecFiles } from "../src/scale/grow.js";
import { growSpecDir } from "../src/scale/spec-files.js";
import { countsTable, growthExponent, parseFactors, timesTable } from "../src/scale/table.js";
import { instantiations, TYPE_COST_PROBES } from "../src/scale/type-cost.js";

/** A small split spec with what the growth must handle: file and local refs, a link, a webhook. */
const spec: SpecFiles = new Map([
  [
    "openapi.yaml",
    `openapi: 3.1.0
info: { title: T, version: 1.0.0 }
security:
  - key: []
paths:
  /things/{id}:
    $ref: paths/things_{id}.yaml
webhooks:
  thingChanged:
    post:
      operationId: thingChanged
      summary: Thing changed
      requestBody:
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/Thing"
      responses:
        "200": { description: ok }
components:
  securitySchemes:
    key:
      $ref: components/securitySchemes/Key.yaml
  schemas:
    Thing:
      $ref: components/schemas/Thing.yaml
    Error:
      $ref: components/schemas/Error.yaml
    Inline:
      type: string
  links:
    ThingAgain:
      operationId: getThing
`,
  ],
  [
    "paths/things_{id}.yaml",
    `get:
  operationId: getThing
  summary: Get thing
  responses:
    "200":
      description: ok
      content:
        application/json:
          schema:
            $ref: ../components/schemas/Thing.yaml
      links:
        self:
          $ref: ../openapi.yaml#/components/links/ThingAgain
    "404":
      description: no
      content:
        application/json:
          schema:
            $ref: ../components/schemas/Error.yaml
`,
  ],
  ["components/schemas/Thing.yaml", "type: object\nproperties:\n  name:\n    $ref: '#/x'\n"],
  ["components/schemas/Error.yaml", "type: object\n"],
  ["components/securitySchemes/Key.yaml", "type: apiKey\nin: header\nname: x-key\n"],
]);
const pinned = [/(^|\/)schemas\/Error\.yaml$/];

describe("growSpec", () => {
  const grown = growSpec(spec, 3, pinned);
  const root = parse(grown.get("openapi.yaml") as string);

  test("factor 1 is the spec itself", () => {
    expect(growSpec(spec, 1, pinned)).toEqual(spec);
  });

  test("adds each copy's paths, webhooks and components under new names", () => {
    expect(Object.keys(root.paths)).toEqual([
      "/things/{id}",
      "/copy2/things/{id}",
      "/copy3/things/{id}",
    ]);
    expect(root.paths["/copy2/things/{id}"]).toEqual({ $ref: "paths/copy2_things_{id}.yaml" });
    expect(Object.keys(root.webhooks)).toEqual([
      "thingChanged",
      "thingChangedCopy2",
      "thingChangedCopy3",
    ]);
    expect(Object.keys(root.components.schemas)).toEqual([
      "Thing",
      "Error",
      "Inline",
      "ThingCopy2",
      "InlineCopy2",
      "ThingCopy3",
      "InlineCopy3",
    ]);
    expect(root.components.schemas.ThingCopy3).toEqual({
      $ref: "components/schemas/ThingCopy3.yaml",
    });
  });

  test("renames operationIds, links, summaries and refs inside each copy", () => {
    const path = parse(grown.get("paths/copy2_things_{id}.yaml") as string);
    expect(path.get.operationId).toBe("getThingCopy2");
    expect(path.get.summary).toBe("Get thing (copy 2)");
    const ok = path.get.responses["200"];
    expect(ok.content["application/json"].schema.$ref).toBe(
      "../components/schemas/ThingCopy2.yaml",
    );
    expect(ok.links.self.$ref).toBe("../openapi.yaml#/components/links/ThingAgainCopy2");
    expect(root.components.links.ThingAgainCopy2).toEqual({ operationId: "getThingCopy2" });
    const hook = root.webhooks.thingChangedCopy3.post;
    expect(hook.operationId).toBe("thingChangedCopy3");
    expect(hook.summary).toBe("Thing changed (copy 3)");
    expect(hook.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/ThingCopy3",
    );
  });

  test("keeps shared what a lint rule pins and what security schemes reach", () => {
    const path = parse(grown.get("paths/copy3_things_{id}.yaml") as string);
    expect(path.get.responses["404"].content["application/json"].schema.$ref).toBe(
      "../components/schemas/Error.yaml",
    );
    expect([...grown.keys()].filter((file) => /Error|Key/.test(file))).toEqual([
      "components/schemas/Error.yaml",
      "components/securitySchemes/Key.yaml",
    ]);
    expect(Object.keys(root.components.securitySchemes)).toEqual(["key"]);
  });

  test("numbers the copies of a spec grown before after its own, so no name clashes", () => {
    const again = parse(growSpec(grown, 2, pinned).get("openapi.yaml") as string);
    expect(Object.keys(again.paths).slice(3)).toEqual([
      "/copy4/things/{id}",
      "/copy4/copy2/things/{id}",
      "/copy4/copy3/things/{id}",
    ]);
    expect(Object.keys(again.components.schemas)).toContain("ThingCopy2Copy4");
  });

  test("refuses a factor that is not a whole number of at least 1, and a ref to no file", () => {
    expect(() => growSpec(spec, 0)).toThrow(/whole number of at least 1 \(got 0\)/);
    const broken = new Map(spec);
    broken.delete("components/schemas/Thing.yaml");
    expect(() => growSpec(broken, 2)).toThrow(
      /components\/schemas\/Thing\.yaml is referenced by the spec but is not one of its files/,
    );
  });

  test("reads the pinned files from the ref assertions of a redocly.yaml", () => {
    const patterns = pinnedRefPatterns(
      "rules:\n  rule/x:\n    assertions:\n      ref: /(^|\\/)schemas\\/Error\\.yaml$/\n",
    );
    expect(patterns.map(String)).toEqual([String(pinned[0])]);
  });
});

describe("the real spec, grown", () => {
  test("lints clean at 3x under the spec's own rules", { timeout: 120_000 }, async () => {
    const specDir = fileURLToPath(new URL("../../spec/", import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), "pingback-grown-"));
    try {
      // The spec's sources, whatever they hold (its plugins too), without what is built or installed.
      const generated = new Set(["node_modules", "dist", "reports"]);
      await cp(specDir, dir, {
        recursive: true,
        filter: (source) => !generated.has(basename(source)),
      });
      growSpecDir(dir, 3);
      const before = parse(await readFile(join(specDir, "openapi.yaml"), "utf8"));
      const after = parse(await readFile(join(dir, "openapi.yaml"), "utf8"));
      expect(Object.keys(after.paths)).toHaveLength(3 * Object.keys(before.paths).length);
      const redocly = fileURLToPath(new URL("../node_modules/.bin/redocly", import.meta.url));
      const { stdout, stderr } = await promisify(execFile)(redocly, ["lint", "openapi.yaml"], {
        cwd: dir,
      });
      expect(`${stdout}${stderr}`).toContain("Your API description is valid");
      expect(`${stdout}${stderr}`).not.toMatch(/\d+ warnings?/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the tables", () => {
  test.each([
    { f1: 1, t1: 2, f2: 10, t2: 20, want: 1 },
    { f1: 1, t1: 2, f2: 10, t2: 200, want: 2 },
    { f1: 10, t1: 5, f2: 100, t2: 5, want: 0 },
  ])("growth exponent from $t1 s at $f1x to $t2 s at $f2x is $want", ({ f1, t1, f2, t2, want }) => {
    expect(growthExponent(f1, t1, f2, t2)).toBeCloseTo(want);
  });

  test("no exponent when a figure is missing", () => {
    expect(growthExponent(1, null, 10, 3)).toBeNull();
  });

  test("one row per step, with time, peak memory and exponent; a failed step says so", () => {
    const results = [
      {
        factor: 1,
        steps: new Map([
          ["lint", { seconds: 1, peakMiB: 100, exitCode: 0 }],
          ["gate", { seconds: 2, peakMiB: null, exitCode: 0 }],
        ]),
        counts: new Map([["operations", 9]]),
      },
      {
        factor: 10,
        steps: new Map([
          ["lint", { seconds: 10, peakMiB: 120, exitCode: 0 }],
          ["gate", { seconds: null, peakMiB: null, exitCode: 2 }],
        ]),
        counts: new Map([["operations", 90]]),
      },
    ];
    const lines = timesTable(results).split("\n");
    expect(lines[0]).toMatch(/^step +1x time +1x peak RSS +10x time +10x peak RSS +exp 1x→10x$/);
    expect(lines[1]).toMatch(/^lint +1\.0 s +100 MiB +10\.0 s +120 MiB +1\.00$/);
    expect(lines[2]).toMatch(/^gate +2\.0 s +- +FAIL\(2\) +- +-$/);
    expect(countsTable(results).split("\n")[1]).toMatch(/^operations +9 +90 +1\.00$/);
  });

  test.each(["", "10,1", "1,x", "0,10", "1.5"])(
    "--factor %j is refused with an example",
    (text) => {
      expect(() => parseFactors(text)).toThrow(/e\.g\. --factor 1,10,100/);
    },
  );

  test("--factor 1,10,100 is three factors", () => {
    expect(parseFactors("1,10,100")).toEqual([1, 10, 100]);
  });
});

describe("the type cost of one call", () => {
  test("probes a valid call and a wrong path on both clients; the wrong path must be an error", () => {
    expect([...TYPE_COST_PROBES.keys()]).toEqual([
      "instantiations: one call (client)",
      "instantiations: wrong path (client)",
      "instantiations: one call (openapi-fetch)",
      "instantiations: wrong path (openapi-fetch)",
    ]);
    for (const [name, source] of TYPE_COST_PROBES) {
      expect(source.includes("@ts-expect-error"), name).toBe(name.includes("wrong path"));
    }
  });

  test("reads the count from tsc's extended diagnostics, and nothing from other output", () => {
    const diagnostics =
      "Types:                        3512\nInstantiations:              5894\nMemory used: 1 K";
    expect(instantiations(diagnostics)).toBe(5894);
    expect(instantiations("error TS2578: Unused '@ts-expect-error' directive.")).toBeNull();
  });
});
