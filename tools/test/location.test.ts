/** How a change's JSON pointer reads in the report. */
import { describe, expect, test } from "vitest";
import { schemaPath } from "../src/breaking/location.js";
import { major, nextMajor } from "../src/breaking/verdict.js";

describe("schemaPath", () => {
  test.for([
    { given: [], want: "" },
    { given: ["properties", "email"], want: "email" },
    {
      given: ["properties", "data", "properties", "data", "items", "properties", "id"],
      want: "data.data[].id",
    },
    { given: ["properties", "errorCode", "anyOf", "0"], want: "errorCode<anyOf[0]>" },
    { given: ["items", "items"], want: "[][]" },
  ])("$given → '$want'", ({ given, want }) => {
    expect(schemaPath(given)).toBe(want);
  });
});

describe("versions", () => {
  test.for([
    { given: "2.0.0", want: 2 },
    { given: "v10.1.2-beta.1", want: 10 },
    { given: "2.0", want: Number.NaN },
    { given: "", want: Number.NaN },
  ])("major('$given') is $want", ({ given, want }) => {
    expect(major(given)).toBe(want);
  });

  test.for([
    { given: "2.3.1", want: "3.0.0" },
    { given: "latest", want: "a new major version" },
  ])("nextMajor('$given') is '$want'", ({ given, want }) => {
    expect(nextMajor(given)).toBe(want);
  });
});
