/**
 * `pnpm example` as a user runs it, without PINGBACK_API_KEY: it starts a Prism mock, goes through
 * the tour, prints each result, and stops the mock again.
 */
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

let run: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  const { PINGBACK_API_KEY: _realKey, ...env } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)("pnpm", ["run", "--silent", "example"], {
      cwd: packageDir,
      env,
      timeout: 120_000,
    });
    run = { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    run = { code, stdout, stderr };
  }
}, 130_000);

/** Whether something still accepts connections on the given 127.0.0.1 URL. */
function isListening(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("pnpm example, against the mock", () => {
  test("exits with 0 and writes nothing to stderr", () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  });

  test("never prints the API key it sent", () => {
    expect(`${run.stdout}${run.stderr}`).not.toContain("mock-key");
  });

  const lines: { given: string; want: RegExp }[] = [
    {
      given: "says where it runs",
      want: /^Against a Prism mock of the spec at http:\/\/127\.0\.0\.1:\d+ /,
    },
    { given: "reports the first page's progress", want: /^page 0: \d+ of \d+ contacts$/ },
    { given: "lists three contacts, page by page", want: /^contact 3: example@email\.com$/ },
    {
      given: "creates a contact",
      want: /^created contact [0-9a-f-]{36} \(quickstart-\d+@example\.com\): Contact created$/,
    },
    {
      given: "adds it to the spec's example segment",
      want: /^added quickstart-\d+@example\.com to segment [0-9a-f-]{36}: Contact added to segments$/,
    },
    {
      given: "handles the documented 404",
      want: /^not found, as documented: 404 CONTACT_NOT_FOUND, requestId [0-9a-f-]{36}$/,
    },
  ];

  test.each(lines)("$given", ({ want }) => {
    expect(run.stdout.split("\n")).toContainEqual(expect.stringMatching(want));
  });

  test("prints the steps in the tour's order, each page's progress, and stops after three contacts", () => {
    const steps = run.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(/[ :]/)[0]);
    // The mock answers every page with the spec's example: a page of one contact.
    expect(steps).toEqual([
      "Against",
      "page",
      "contact",
      "page",
      "contact",
      "page",
      "contact",
      "created",
      "added",
      "not",
    ]);
  });

  test("stops the mock it started", async () => {
    const url = run.stdout.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0];
    expect(url).toBeDefined();
    expect(await isListening(url as string)).toBe(false);
  });
});
