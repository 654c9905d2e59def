/**
 * Makes the built reference page need no network at all. `redocly build-docs --inlineBundle`
 * inlines Redoc's script and styles, but Redoc 3 still hard-codes its "API docs by Redocly" logo as
 * an <img> from cdn.redoc.ly: the page's one remote URL. It is swapped for an inline SVG that keeps
 * the attribution, so opening the page offline (or behind a firewall) requests nothing.
 *
 * Usage: tsx scripts/offline-reference.ts dist/reference.html
 */
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const remoteLogo = /https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(?:-full)?\.svg/g;

/** The attribution as an inline SVG (URL-encoded, so it is safe inside Redoc's JS strings). */
export const inlineLogo = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="16"><text x="0" y="12" font-family="sans-serif" font-size="12" fill="#6b7280">Redocly</text></svg>',
)}`;

/** The page with Redoc's remote logo replaced; throws if the logo is not where we expect it. */
export function withInlineLogo(html: string): string {
  const out = html.replace(remoteLogo, inlineLogo);
  if (out === html) {
    throw new Error(
      "The reference page no longer loads Redoc's logo from cdn.redoc.ly, so there is nothing to " +
        "inline: Redoc changed. Check the page with `pnpm test` in spec/ (it fails on any remote " +
        "request) and update or drop spec/scripts/offline-reference.ts.",
    );
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) throw new Error("Usage: tsx scripts/offline-reference.ts <reference.html>");
  await writeFile(file, withInlineLogo(await readFile(file, "utf8")));
}
