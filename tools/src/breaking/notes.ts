/**
 * Release notes a maintainer would publish: per package, Breaking / Added / Deprecated / Changed,
 * one line per operation, field, error code, link or deprecation, with its summary. What users do
 * not see is left out: example bodies, our own extensions and decorator output, components the
 * bundler adds or drops, tags, the version number itself.
 */
import type { Change } from "./change.js";
import { listOperations, type Operation, parsePointer } from "./document.js";
import type { Pair } from "./location.js";
import { CLIENT, clientLevel, type Section, sectionOf, TYPES } from "./release.js";
import type { TypeFinding, TypesDiff } from "./types-diff.js";

export const SECTIONS: Section[] = ["Breaking", "Added", "Deprecated", "Changed"];

export type PackageNotes = Record<Section, string[]>;
export type Notes = Record<typeof CLIENT | typeof TYPES, PackageNotes>;

const empty = (): PackageNotes => ({ Breaking: [], Added: [], Deprecated: [], Changed: [] });

export function notesOf(changes: Change[], types: TypesDiff, pair: Pair): Notes {
  const api = apiNotes(changes, pair);
  const client = empty();
  for (const { change, section, line } of api) {
    if (clientLevel(change) !== "none" || section === "Breaking") client[section].push(line);
  }
  // Documentation reaches callers through their editor and the reference, not the client's code:
  // it is listed once, under the client, as what changed in the API.
  for (const { change, section, line } of api) {
    if (clientLevel(change) === "none" && section !== "Breaking") client[section].push(line);
  }
  const typeNotes = typesNotes(types, pair, api);
  return { [CLIENT]: dedupe(client), [TYPES]: dedupe(typeNotes) };
}

interface ApiNote {
  change: Change;
  section: Section;
  line: string;
}

/** One line per change users see, with the operations a shared change touches merged. */
function apiNotes(changes: Change[], pair: Pair): ApiNote[] {
  const total = listOperations(pair.revision).length;
  const groups = new Map<
    string,
    { change: Change; section: Section; ids: string[]; text: string }
  >();
  const examples = new Map<string, { change: Change; ids: string[]; where: string }>();
  for (const change of changes) {
    if (hidden(change)) continue;
    const section = change.review ? "Changed" : sectionOf(change);
    const ids = operationIds(change);
    if (change.rule === "pingback/example-added") {
      // One line per example: the operations that show it, and where.
      const name = change.message.match(/`[^`]+`/)?.[0] ?? "";
      const where = change.location.replaceAll(" (application/json)", "");
      const entry = examples.get(`${name} ${where}`) ?? {
        change,
        ids: [],
        where: `${where}: example ${name}`,
      };
      entry.ids.push(...ids);
      examples.set(`${name} ${where}`, entry);
      continue;
    }
    const text = textOf(change, pair);
    const key = `${section}|${text}`;
    const group = groups.get(key);
    if (group) group.ids.push(...ids.filter((id) => !group.ids.includes(id)));
    else groups.set(key, { change, section, ids, text });
  }
  const notes: ApiNote[] = [...groups.values()].map(({ change, section, ids, text }) => ({
    change,
    section,
    // A line that names its own subject (a new operation, a schema, the API) needs no operations.
    line: `- ${/^(New operation|Schema `|The API's|Error code)/.test(text) ? "" : who(ids, total)}${text}${change.review ? " (cannot tell: review)" : ""}`,
  }));
  for (const { change, ids, where } of examples.values()) {
    notes.push({ change, section: "Added", line: `- ${who(ids, total)}${where}` });
  }
  return notes;
}

/** Changes that are not the API's: bundle internals, tags, the version, our decorators. */
function hidden(change: Change): boolean {
  const segments = parsePointer(change.pointer);
  const [root, kind] = segments;
  if (root === "tags" || (root === "info" && change.property === "version")) return true;
  // A component the bundle added or dropped: what uses it is reported where it is used.
  if (root === "components" && segments.length === 3 && kind !== "securitySchemes") return true;
  if (segments.includes("examples") || (change.property ?? "").startsWith("x-")) return true;
  // The catalogue's own lines say it better than the engine's view of its enum.
  return /enum-value/.test(change.rule) && /schema KnownErrorCode/.test(change.location);
}

/** `getContact` from `getContact (GET /contacts/{email}); also listContacts`. */
function operationIds(change: Change): string[] {
  const [first, also] = change.operation.split("; also ");
  const id = (text: string) => text.replace(/ \(.*\)$/, "").trim();
  return [id(first ?? ""), ...(also ? also.split(", ").map(id) : [])].filter(Boolean);
}

function who(ids: string[], total: number): string {
  if (ids.length === 0 || /\s/.test(ids[0] ?? "")) return "";
  if (ids.length === total && total > 3) return "every operation · ";
  if (ids.length > 3) return `${ids.length} operations (\`${ids[0]}\`, …) · `;
  return `${ids.map((id) => `\`${id}\``).join(", ")} · `;
}

/** The line's text after the operations: what changed, with its summary. */
function textOf(change: Change, pair: Pair): string {
  const segments = parsePointer(change.pointer);
  const engine = change.engine === "redocly";
  if (engine && change.kind === "added" && segments[0] === "paths" && segments.length <= 3) {
    const added = listOperations(pair.revision).filter(
      (op) => op.path === segments[1] && (!segments[2] || op.method === segments[2]),
    );
    return added.map(newOperation).join("; ") || change.message;
  }
  if (engine && change.kind === "removed" && segments[0] === "paths" && segments.length <= 3) {
    return `Operation removed: ${segments[2]?.toUpperCase() ?? "every method of"} ${segments[1]}.`;
  }
  const schema = /\((?:schema) ([^,)]+)[^)]*\)$/.exec(change.location)?.[1];
  const location = change.location
    .replace(/ \((schema|parameter|response|header) [^)]*\)$/, "")
    .replaceAll(" (application/json)", "");
  if (["description", "summary", "title"].includes(change.property ?? "")) {
    const where =
      change.location === "info"
        ? "The API's"
        : schema && change.property === "description"
          ? `Schema \`${schema}\`:`
          : `${location}:`;
    return `${where} ${change.property} now “${firstDifference(change.before, change.after)}”.`;
  }
  // The operation column already says where an operation-wide or catalogue line applies.
  if (change.operation === "error catalogue") return change.message;
  // A change at the root of a shared schema is the schema's, wherever the engine met it.
  if (schema && !location.includes("›")) return `Schema \`${schema}\`: ${change.message}`;
  return `${location}: ${change.message}`;
}

function newOperation(op: Operation): string {
  const summary = op.node.summary ?? op.node.description?.split("\n")[0] ?? "";
  const route = `${op.method.toUpperCase()} ${op.path}`;
  // Its effective security (normalise.ts): `[]` or `[{}]` asks for no credentials.
  const open =
    Array.isArray(op.node.security) &&
    op.node.security.every((r: object) => Object.keys(r ?? {}).length === 0);
  return `New operation \`${op.operationId ?? route}\` (${route}${open ? ", no API key" : ""})${summary ? `: ${summary}` : ""}.`;
}

/** The first paragraph or list item of the new text that the old one lacks (unwrapped). */
function firstDifference(before: unknown, after: unknown): string {
  const blocks = (text: unknown) =>
    String(text ?? "")
      .split(/\n\s*\n|\n(?=\s*[-*] )/)
      .map((block) =>
        block
          .replace(/\s*\n\s*/g, " ")
          .replace(/^[-*]\s+/, "")
          .trim(),
      )
      .filter(Boolean);
  const old = new Set(blocks(before));
  const lines = blocks(after);
  const line = lines.find((l) => !old.has(l)) ?? lines[0] ?? "";
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

/** What changed in `@pingback/types`, from its generated files. */
function typesNotes(types: TypesDiff, pair: Pair, api: ApiNote[]): PackageNotes {
  const notes = empty();
  const ops = new Map(listOperations(pair.revision).map((op) => [op.operationId ?? "", op]));
  const addedTypes: string[] = [];
  const removedTypes: string[] = [];
  const addedPaths = new Set<string>();
  for (const finding of types.findings) {
    const match = /^operations\.([^.]+)$/.exec(finding.where);
    if (match && finding.what === "added") {
      const op = ops.get(match[1] ?? "");
      if (op) addedPaths.add(op.path);
      notes.Added.push(
        `- Types of the new operation ${op ? newOperation(op).replace(/^New operation /, "") : `\`${match[1]}\`.`}`,
      );
    }
  }
  for (const finding of types.findings) {
    const type = /^type (.+)$/.exec(finding.where)?.[1];
    if (type) {
      (finding.what === "added" ? addedTypes : removedTypes).push(`\`${type}\``);
      continue;
    }
    if (/^operations\.[^.]+$/.test(finding.where) && finding.what === "added") continue;
    const path = /^paths\.(.+)$/.exec(finding.where)?.[1];
    if (path && addedPaths.has(path)) continue;
    if (finding.what === "`@deprecated` added") continue;
    const operation = /^requiresApiKey: (.+)$/.exec(finding.where)?.[1];
    if (operation) {
      notes.Changed.push(`- \`requiresApiKey\`: ${operation} ${finding.what}.`);
      continue;
    }
    notes[sectionOfFinding(finding)].push(`- \`${shortWhere(finding.where)}\`: ${finding.what}.`);
  }
  if (addedTypes.length) notes.Added.push(`- Schema types ${addedTypes.join(", ")}.`);
  if (removedTypes.length)
    notes.Breaking.push(`- Schema types ${removedTypes.join(", ")} removed.`);
  for (const { section, line } of api) if (section === "Deprecated") notes.Deprecated.push(line);
  if (types.level === "patch") notes.Changed.push("- Documentation comments only.");
  return notes;
}

function sectionOfFinding(finding: TypeFinding): Section {
  if (finding.level === "major") return "Breaking";
  return / added/.test(finding.what) ? "Added" : "Changed";
}

/** `components.schemas.KnownErrorCode` → `KnownErrorCode`. */
function shortWhere(where: string): string {
  return where.replace(/^components\.schemas\./, "");
}

function dedupe(notes: PackageNotes): PackageNotes {
  const out = empty();
  for (const section of SECTIONS) out[section] = [...new Set(notes[section])];
  return out;
}

/** The notes as Markdown: per package, its release, then its sections (at most `limit` lines each). */
export function formatNotes(
  notes: Notes,
  release: Record<string, string>,
  heading = "##",
  limit = Number.POSITIVE_INFINITY,
  packages: (typeof CLIENT | typeof TYPES)[] = [CLIENT, TYPES],
): string {
  const parts: string[] = [];
  for (const name of packages) {
    const sections = SECTIONS.filter((section) => notes[name][section].length);
    const body = sections.map((section) => {
      const lines = notes[name][section];
      const shown = lines.slice(0, limit);
      const more = lines.length - shown.length;
      return `**${section}**\n\n${shown.join("\n")}${more ? `\n- … and ${more} more` : ""}`;
    });
    parts.push(
      `${heading} ${name}: ${release[name]}\n\n${body.join("\n\n") || "Nothing that users of this package see."}`,
    );
  }
  return parts.join("\n\n");
}
