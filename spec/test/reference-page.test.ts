/**
 * The API reference page that `pnpm build` writes (dist/reference.html), opened in a real headless
 * Chromium from a file:// URL, with every non-local request refused: it must show every operation
 * of the bundled spec and render its request examples, and it must not try to reach the network.
 * A screenshot is saved to reports/ for a human to look at.
 *
 * The cost stays linear in the spec: the page is loaded once; every operation is looked up in one
 * set of the sidebar's entries, read once per tag; and a bounded sample of operations (the first,
 * the middle and the last, and the same among those with a request example) is opened as a reader
 * would, heading and request example checked. The sample proves that navigation and rendering work;
 * the set proves that no operation is missing from the page, not that each one renders its body.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const specDir = fileURLToPath(new URL("..", import.meta.url));
const pageFile = join(specDir, "dist/reference.html");
const bundledSpec = join(specDir, "dist/openapi.json");
const screenshot = join(specDir, "reports/reference-page.png");
const chromiumPath = "/usr/bin/chromium";

// Without the background-networking flags Chromium keeps calling home (updates, sync, QUIC probes).
const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface Operation {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  tag: string;
  /** The first named request example, which the page shows by default. */
  requestExample?: { name: string; value: unknown };
}

/** Every operation of the bundled spec: the page is checked against it, not against a hand list. */
function operationsOf(spec: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): Operation[] {
  const methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => methods.includes(method))
      .map(([method, op]) => {
        const content = (op.requestBody as { content?: Record<string, { examples?: object }> })
          ?.content?.["application/json"];
        const [first] = Object.entries(content?.examples ?? {}) as [string, { value: unknown }][];
        return {
          operationId: op.operationId as string,
          method,
          path,
          summary: op.summary as string,
          tag: (op.tags as string[])[0] as string,
          ...(first && { requestExample: { name: first[0], value: first[1].value } }),
        };
      }),
  );
}

interface Link {
  name: string;
  operationId: string;
  description: string;
}

interface LinkedResponse {
  /** The operation the response belongs to. */
  op: Operation;
  status: string;
  links: Link[];
}

/** Every response of the bundled spec that has `links`, with what the page must show of them. */
function linkedResponsesOf(spec: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): LinkedResponse[] {
  return operationsOf(spec).flatMap((op) => {
    const responses = spec.paths[op.path]?.[op.method]?.responses as Record<
      string,
      { links?: Record<string, { operationId: string; description: string }> }
    >;
    return Object.entries(responses).flatMap(([status, response]) =>
      response.links
        ? [
            {
              op,
              status,
              links: Object.entries(response.links).map(([name, link]) => ({ name, ...link })),
            },
          ]
        : [],
    );
  });
}

const spec = JSON.parse(readFileSync(bundledSpec, "utf8"));
const operations = operationsOf(spec);
const withRequestExample = operations.filter((op) => op.requestExample);
const linkedResponses = linkedResponsesOf(spec);
const catalogue = Object.entries(
  spec.components.schemas.KnownErrorCode["x-error-catalogue"] as Record<
    string,
    { status: number; message: string }
  >,
).map(([code, entry]) => ({ code, ...entry }));

/** The first, middle and last items: a sample whose size does not grow with the spec. */
function sample<T>(items: T[]): T[] {
  return [...new Set([items[0], items[Math.floor(items.length / 2)], items.at(-1)])].filter(
    (item): item is T => item !== undefined,
  );
}

// Loading and reading the page grows with the spec (Chromium parses a page holding all of it);
// the bounds allow a busy two-core machine about 50 ms per operation on top of a fixed start.
const loadTimeout = 60_000 + 50 * operations.length;
// One step on the loaded page (a click, a render after it) also slows as the page grows: at 1,000
// operations a fixed 15 s ran out.
const stepTimeout = 15_000 + 20 * operations.length;

let userDataDir: string;
let context: BrowserContext;
let page: Page;
const remoteRequests: string[] = [];
const scriptErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(pageFile)) {
    throw new Error(`${pageFile} is missing: run \`pnpm build\` (it writes the reference page).`);
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `No Chromium at ${chromiumPath}: run \`bash scripts/setup\` (as root it installs Debian's ` +
        "chromium), or `apt-get install -y chromium`.",
    );
  }
  userDataDir = await mkdtemp(join(tmpdir(), "pingback-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1400, height: 900 },
  });
  // Record anything that is not the page itself, and refuse it.
  const isLocal = (url: string) => /^(file|data|blob):/.test(url);
  context.on("request", (request) => {
    if (!isLocal(request.url())) remoteRequests.push(request.url());
  });
  await context.route("**/*", (route) =>
    isLocal(route.request().url()) ? route.continue() : route.abort("blockedbyclient"),
  );
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (error) => scriptErrors.push(error.message));
  await page.goto(pathToFileURL(pageFile).href);
  // The server-rendered HTML links to "/contacts"; once Redoc has hydrated, links are "#/...".
  await page.waitForSelector('a[href^="#/"]', { state: "attached", timeout: loadTimeout });
}, 2 * loadTimeout);

afterAll(async () => {
  await context?.close();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

/** Whether `item` shows within `timeout` ms. */
function shows(item: Locator, timeout: number): Promise<boolean> {
  return item.waitFor({ state: "visible", timeout }).then(succeeded, failed);
}
const succeeded = () => true;
const failed = () => false;

/**
 * Repeats `attempt` until it says it is done, for at most one step's time. The page re-renders as
 * it moves, and on a large spec a single click races it: at 100 and 1,000 operations a sidebar item
 * that showed was detached before the click landed, a group closed as the page scrolled, and a
 * click on the 500 tab landed on a panel about to be replaced. A reader looks again and clicks
 * again; so does this, and says what did not happen when the time is up.
 */
async function retryStep(what: string, attempt: (timeout: number) => Promise<boolean>) {
  const deadline = Date.now() + stepTimeout;
  while (Date.now() < deadline) {
    if (await attempt(stepTimeout / 4)) return;
  }
  throw new Error(`${what} within ${stepTimeout} ms.`);
}

/**
 * Opens the operation as a reader would: its summary in the sidebar, opening its tag's group first
 * when the summary is not shown.
 */
async function openOperation(op: Operation) {
  const sidebar = page.locator('[data-component-name="Menu/Menu"]').first();
  const item = sidebar.getByText(op.summary, { exact: true });
  const tag = sidebar.getByText(op.tag, { exact: true });
  await retryStep(
    `Could not click "${op.summary}" in the sidebar (tag "${op.tag}")`,
    async (timeout) => {
      if (await shows(item, 1_000)) return item.click({ timeout }).then(succeeded, failed);
      if (await tag.click({ timeout }).then(succeeded, failed)) await shows(item, timeout);
      return false;
    },
  );
}

/** The operation's own heading, matched on its whole text. */
function headingOf(op: Operation) {
  const exact = new RegExp(`^${op.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  return page.locator("h2").filter({ hasText: exact });
}

/** Every code block on the page that holds JSON, parsed. */
async function jsonCodeBlocks(): Promise<unknown[]> {
  const texts = await page.$$eval('[data-component-name="CodeBlock/CodeBlock"]', (blocks) =>
    blocks.map((block) => block.textContent ?? ""),
  );
  return texts.flatMap((text) => {
    try {
      return [JSON.parse(text)];
    } catch {
      return [];
    }
  });
}

/** Every line of the sidebar's text, with each tag opened once: one read per tag, not per operation. */
async function sidebarEntries(): Promise<Set<string>> {
  const sidebar = page.locator('[data-component-name="Menu/Menu"]').first();
  const entries = new Set<string>();
  for (const tag of new Set(operations.map((op) => op.tag))) {
    await sidebar.getByText(tag, { exact: true }).click();
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a reader sees it
    const text = await sidebar.innerText();
    for (const line of text.split("\n")) entries.add(line.trim());
  }
  return entries;
}

describe("the API reference page in headless Chromium", { timeout: loadTimeout }, () => {
  test("the bundled spec has operations, links and a catalogue to look for", () => {
    expect(operations.length).toBeGreaterThan(0);
    expect(withRequestExample.length).toBeGreaterThan(0);
    expect(linkedResponses.length).toBeGreaterThan(0);
    expect(catalogue.length).toBeGreaterThan(0);
  });

  test("lists every operation's summary in the sidebar", { timeout: loadTimeout }, async () => {
    const entries = await sidebarEntries();
    const missing = operations.filter((op) => !entries.has(op.summary));
    expect(missing.map((op) => `${op.operationId} (${op.summary})`)).toEqual([]);
  });

  test.each(sample(operations))(
    "shows $operationId under its summary, reached from the sidebar",
    async (op) => {
      await openOperation(op);
      const heading = headingOf(op);
      await heading.waitFor({ state: "visible", timeout: stepTimeout });
      expect(await heading.isVisible()).toBe(true);
    },
  );

  test.each(sample(withRequestExample))(
    "renders the request example of $operationId",
    async (op) => {
      await openOperation(op);
      await expect
        .poll(jsonCodeBlocks, { timeout: stepTimeout })
        .toContainEqual(op.requestExample?.value);
    },
  );

  test.each(sample(linkedResponses))(
    "shows the links of $op.operationId $status in its response, derived from `links`",
    async ({ op, links }) => {
      await openOperation(op);
      for (const link of links) {
        // The first response is shown by default: the links are its description's list, where
        // Markdown code spans lose their backticks.
        // Several operations may share a link's description (a grown spec's copies do), so the
        // item is found by its name and exact target too: `nextPage: listContacts with …`.
        const shown = link.description.replaceAll("`", "").trim();
        const target = new RegExp(`${link.name}: ${link.operationId}\\b`);
        const item = page.locator("li").filter({ hasText: shown }).filter({ hasText: target });
        await item.first().waitFor({ state: "visible", timeout: stepTimeout });
        expect(await item.count()).toBeGreaterThan(0);
      }
    },
  );

  test("an error response shows the error catalogue: every code with its status", async () => {
    const [op] = operations;
    if (!op) throw new Error("No operation to open.");
    await openOperation(op);
    await headingOf(op).waitFor({ state: "visible", timeout: stepTimeout });
    // Every operation documents 500 with the Error body, whose errorCode is KnownErrorCode. Both
    // clicks are safe to repeat: the 500 tab stays chosen, and an expanded panel has no "Expand all".
    const table = page.locator("table td").first();
    await retryStep("No table in the 500 response", async (timeout) => {
      const tab = page.getByRole("button", { name: "500", exact: true }).first();
      await tab.click({ timeout }).catch(failed);
      await page.getByText("Expand all", { exact: true }).first().click({ timeout }).catch(failed);
      return shows(table, timeout);
    });
    const rows = await page.$$eval("table tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")),
    );
    for (const { code, status, message } of catalogue) {
      expect(rows).toContainEqual([code, String(status), message.trim()]);
    }
  });

  test("saves a screenshot of an operation with its request example to reports/", async () => {
    const [op] = withRequestExample;
    if (!op) throw new Error("No operation with a request example to photograph.");
    await openOperation(op);
    await headingOf(op).waitFor({ state: "visible", timeout: stepTimeout });
    await mkdir(join(specDir, "reports"), { recursive: true });
    await page.screenshot({ path: screenshot });
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
  });

  test("requested nothing beyond the page itself, and threw no script error", () => {
    expect(remoteRequests).toEqual([]);
    expect(scriptErrors).toEqual([]);
  });
});
