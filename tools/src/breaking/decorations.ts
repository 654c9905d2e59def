/**
 * What our Redocly decorators (spec/plugins/pingback.js) write into the bundle, taken out again:
 * the catalogue table in `KnownErrorCode`'s description, and each response's links in its
 * description (with the `x-summary` that keeps the old title). They are derived from the
 * catalogue and the links, which the gate compares as contract; comparing their text too would
 * only repeat them. The plugin's own functions render the text, so the two cannot drift.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Node } from "./document.js";

interface Plugin {
  catalogueTable(catalogue: Node): string;
  linksList(links: Node): string;
}

const pluginFile = join(
  dirname(createRequire(import.meta.url).resolve("@pingback/spec/package.json")),
  "plugins/pingback.js",
);
const plugin = (await import(pathToFileURL(pluginFile).href)) as Plugin;

const CATALOGUE_MARK = "\n\n**The catalogue**\n\n";

/** Removes the decorators' output from every schema and response of `doc`, in place. */
export function stripDecorations(node: Node): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const value of node) stripDecorations(value);
    return;
  }
  const catalogue = node["x-error-catalogue"];
  if (catalogue && typeof node.description === "string") {
    node.description = cut(
      node.description,
      `${CATALOGUE_MARK}${safe(plugin.catalogueTable, catalogue)}`,
    );
  }
  if (node.links && typeof node.links === "object" && typeof node.description === "string") {
    const own = cut(node.description, `\n\n${safe(plugin.linksList, node.links)}`);
    if (own !== node.description) {
      node.description = own;
      if (node["x-summary"] === own) delete node["x-summary"];
    }
  }
  for (const [key, value] of Object.entries<Node>(node)) {
    if (key !== "example" && key !== "examples") stripDecorations(value);
  }
}

function cut(text: string, suffix: string): string {
  return suffix && text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
}

/** The decorator's text, or nothing when the value is not what it expects (lint reports that). */
function safe(render: (value: Node) => string, value: Node): string {
  try {
    return render(value);
  } catch {
    return "";
  }
}
