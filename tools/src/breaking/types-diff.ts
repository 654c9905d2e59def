/**
 * The release of `@pingback/types` from what it exports: the generated `openapi.gen.ts` and
 * `security.gen.ts` of both sides, compared as a consumer's code sees them.
 *
 * Identical files need no release; files that differ in comments only need a patch. Otherwise the
 * declarations are read with TypeScript's parser and compared by what a consumer does with each
 * position: a request (`parameters`, `requestBody`) is written by the consumer, so it may accept
 * more but not less; a response is read, so it may hold fewer kinds of values but not more (a
 * literal it no longer holds breaks the code that compares with it), and its success and
 * error bodies are compared as openapi-fetch types `data` and `error`: the union of every 2xx (or
 * non-2xx) body, `undefined` for one without a body. A schema is judged on every side an operation
 * uses it on; a schema no operation reaches, as if it were used on both. What could stop a
 * consumer's code from compiling is a major; any other difference, a minor.
 */
import type * as TS from "typescript";
import type { Level } from "./release.js";

/** The generated files of one side, by name. */
export type Generated = Record<string, string>;

export interface TypeFinding {
  level: "major" | "minor";
  /** `operations.createContact.requestBody`, `components.schemas.Contact.status`, `type Contact`. */
  where: string;
  /** What changed, in a few words: `optional \`note\` added`, `\`undefined\` added to the type`. */
  what: string;
  /** Whether operations reach it (the client's typed surface), or only a schema's own export does. */
  surface: "operations" | "exports";
}

export interface TypesDiff {
  level: Level;
  findings: TypeFinding[];
  /** True when some file differs in its comments (descriptions, examples, formats). */
  comments: boolean;
}

type Model =
  | { k: "obj"; members: Map<string, Member> }
  | { k: "union"; of: Model[] }
  | { k: "and"; of: Model[] }
  | { k: "arr"; of: Model }
  | { k: "ref"; path: string[] }
  | { k: "leaf"; text: string };

interface Member {
  optional: boolean;
  type: Model;
}

/** How a consumer uses a position: reads it (`out`), writes it (`in`), both, or neither (`free`). */
type Use = "out" | "in" | "both" | "free";

export function diffGenerated(ts: typeof TS, before: Generated, after: Generated): TypesDiff {
  const findings: TypeFinding[] = [];
  let comments = false;
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [a, b] = [before[name] ?? "", after[name] ?? ""];
    if (a === b) continue;
    const [sa, sb] = [parse(ts, a), parse(ts, b)];
    const deprecations = (text: string) => text.match(/@deprecated/g)?.length ?? 0;
    if (deprecations(b) > deprecations(a)) {
      // A deprecation reaches consumers as a JSDoc tag their editor strikes through: a minor.
      findings.push({
        level: "minor",
        where: name,
        what: "`@deprecated` added",
        surface: "operations",
      });
    }
    if (stripped(ts, sa) === stripped(ts, sb)) {
      comments = true;
      continue;
    }
    if (name === "openapi.gen.ts") findings.push(...compareTypes(ts, sa, sb));
    else findings.push(...compareSecurity(a, b, name));
  }
  const level: Level = findings.some((f) => f.level === "major")
    ? "major"
    : findings.length
      ? "minor"
      : comments
        ? "patch"
        : "none";
  return { level, findings: dedupe(findings), comments };
}

function parse(ts: typeof TS, text: string): TS.SourceFile {
  return ts.createSourceFile("gen.ts", text, ts.ScriptTarget.Latest, false);
}

function stripped(ts: typeof TS, file: TS.SourceFile): string {
  return ts.createPrinter({ removeComments: true }).printFile(file);
}

function dedupe(findings: TypeFinding[]): TypeFinding[] {
  const seen = new Map<string, TypeFinding>();
  for (const f of findings) {
    const key = `${f.where}|${f.what}`;
    const known = seen.get(key);
    if (!known || (known.level === "minor" && f.level === "major")) seen.set(key, f);
  }
  return [...seen.values()];
}

/** The top-level declarations of a generated file, by name. */
function declarations(ts: typeof TS, file: TS.SourceFile): Map<string, Model> {
  const roots = new Map<string, Model>();
  for (const statement of file.statements) {
    if (ts.isInterfaceDeclaration(statement)) {
      roots.set(statement.name.text, objectOf(ts, statement.members, file));
    } else if (ts.isTypeAliasDeclaration(statement)) {
      roots.set(statement.name.text, modelOf(ts, statement.type, file));
    }
  }
  return roots;
}

function objectOf(
  ts: typeof TS,
  members: TS.NodeArray<TS.TypeElement>,
  file: TS.SourceFile,
): Model {
  const map = new Map<string, Member>();
  for (const member of members) {
    if (ts.isPropertySignature(member) && member.type) {
      const name = ts.isIdentifier(member.name)
        ? member.name.text
        : ts.isStringLiteral(member.name) || ts.isNumericLiteral(member.name)
          ? member.name.text
          : member.name.getText(file);
      const type = modelOf(ts, member.type, file);
      // `put?: never`, `query?: never`: openapi-typescript's way of saying "there is none".
      if (type.k === "leaf" && type.text === "never") continue;
      map.set(name, { optional: Boolean(member.questionToken), type });
    } else if (ts.isIndexSignatureDeclaration(member) && member.type) {
      map.set("[key: string]", { optional: true, type: modelOf(ts, member.type, file) });
    }
  }
  return { k: "obj", members: map };
}

function modelOf(ts: typeof TS, node: TS.TypeNode, file: TS.SourceFile): Model {
  if (ts.isParenthesizedTypeNode(node)) return modelOf(ts, node.type, file);
  if (ts.isTypeLiteralNode(node)) return objectOf(ts, node.members, file);
  if (ts.isUnionTypeNode(node)) {
    return { k: "union", of: node.types.flatMap((t) => members(modelOf(ts, t, file))) };
  }
  if (ts.isIntersectionTypeNode(node)) {
    return { k: "and", of: node.types.map((t) => modelOf(ts, t, file)) };
  }
  if (ts.isArrayTypeNode(node)) return { k: "arr", of: modelOf(ts, node.elementType, file) };
  if (ts.isIndexedAccessTypeNode(node)) {
    const path = refPath(ts, node);
    if (path) return { k: "ref", path };
  }
  return { k: "leaf", text: node.getText(file).replace(/\s+/g, " ") };
}

/** `components["schemas"]["Contact"]` → `["components", "schemas", "Contact"]`. */
function refPath(ts: typeof TS, node: TS.TypeNode): string[] | undefined {
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && !node.typeArguments) {
    return [node.typeName.text];
  }
  if (!ts.isIndexedAccessTypeNode(node)) return undefined;
  const head = refPath(ts, node.objectType);
  const index = node.indexType;
  if (!head || !ts.isLiteralTypeNode(index)) return undefined;
  const literal = index.literal;
  if (!ts.isStringLiteral(literal) && !ts.isNumericLiteral(literal)) return undefined;
  return [...head, literal.text];
}

function members(model: Model): Model[] {
  return model.k === "union" ? model.of : [model];
}

const STRUCTURE = new Set(["paths", "components", "operations", "webhooks", "$defs"]);

function compareTypes(ts: typeof TS, fa: TS.SourceFile, fb: TS.SourceFile): TypeFinding[] {
  const [A, B] = [declarations(ts, fa), declarations(ts, fb)];
  const findings: TypeFinding[] = [];
  const seen = new Set<string>();
  const visited = new Set<string>();
  let surface: TypeFinding["surface"] = "operations";
  const add = (level: TypeFinding["level"], where: string, what: string) =>
    findings.push({ level, where, what, surface });

  const lookup = (roots: Map<string, Model>, path: string[]): Model | undefined => {
    let node = roots.get(path[0] ?? "");
    for (const segment of path.slice(1)) {
      node = node && resolve(roots, node);
      if (node?.k !== "obj") return undefined;
      node = node.members.get(segment)?.type;
    }
    return node;
  };
  const resolve = (roots: Map<string, Model>, model: Model): Model | undefined => {
    let node: Model | undefined = model;
    for (let hops = 0; node?.k === "ref" && hops < 32; hops++) node = lookup(roots, node.path);
    return node;
  };

  const compare = (a: Model, b: Model, use: Use, where: string): void => {
    if (a.k === "ref" && b.k === "ref" && a.path.join("/") === b.path.join("/")) {
      const key = `${a.path.join("/")}|${use}`;
      visited.add(a.path.join("/"));
      if (seen.has(key)) return;
      seen.add(key);
      const [ra, rb] = [lookup(A, a.path), lookup(B, b.path)];
      if (ra && rb) compare(ra, rb, use, pathText(a.path));
      return;
    }
    if (a.k === "ref" && b.k === "ref") {
      // Another schema in the same place: what it accepts decides, wherever it is defined.
      for (const ref of [a, b]) visited.add(ref.path.join("/"));
    }
    const [ra, rb] = [flatten(A, resolve(A, a)), flatten(B, resolve(B, b))];
    if (!ra || !rb) return;
    if (ra.k === "union" || rb.k === "union" || ra.k !== rb.k) {
      compareUnion(members(a), members(b), use, where);
      return;
    }
    if (ra.k === "obj" && rb.k === "obj") {
      compareObject(ra, rb, use, where);
      return;
    }
    if (ra.k === "arr" && rb.k === "arr") {
      compare(ra.of, rb.of, use, `${where}[]`);
      return;
    }
    if (ra.k === "and" && rb.k === "and" && ra.of.length === rb.of.length) {
      ra.of.forEach((x, i) => {
        const y = rb.of[i];
        if (y) compare(x, y, use, where);
      });
      return;
    }
    if (ra.k === "leaf" && rb.k === "leaf" && ra.text === rb.text) return;
    add(use === "free" ? "minor" : "major", where, "type changed");
  };

  /** `{ a } & { b }` is `{ a; b }`: an intersection of objects compares as the one object. */
  const flatten = (roots: Map<string, Model>, model: Model | undefined): Model | undefined => {
    if (model?.k !== "and") return model;
    const parts = model.of.map((part) => flatten(roots, resolve(roots, part)));
    if (!parts.every((part) => part?.k === "obj")) return model;
    const merged = new Map<string, Member>();
    for (const part of parts) {
      if (part?.k !== "obj") continue;
      for (const [name, member] of part.members) merged.set(name, member);
    }
    return { k: "obj", members: merged };
  };

  const key = (m: Model) =>
    m.k === "leaf" ? `leaf:${m.text}` : m.k === "ref" ? `ref:${m.path.join("/")}` : m.k;

  const compareUnion = (a: Model[], b: Model[], use: Use, where: string): void => {
    // `"A" | string` is `string`: beside a plain `string`, string values come and go freely.
    const open = [a, b].every((side) => side.some((m) => m.k === "leaf" && m.text === "string"));
    const inner: Use = open ? "free" : use;
    const left = [...b];
    for (const x of a) {
      const i = left.findIndex((y) => key(y) === key(x));
      const j = i >= 0 ? i : left.findIndex((y) => y.k === x.k && y.k !== "leaf");
      const y = left[j];
      if (j < 0 || y === undefined) {
        // Code that reads a value compares it with what it may be: `case "large":` or
        // `kind === "large"` stops compiling once `"large"` is gone. `null` and `undefined` may
        // always be compared with.
        const nullish = x.k === "leaf" && (x.text === "null" || x.text === "undefined");
        const free = stringy(x, open) || use === "free" || (use === "out" && nullish);
        add(free ? "minor" : "major", where, `\`${show(x)}\` removed from the type`);
        continue;
      }
      left.splice(j, 1);
      compare(x, y, stringy(x, open) ? "free" : inner, where);
    }
    for (const y of left) {
      const free = stringy(y, open) || use === "free" || use === "in";
      add(free ? "minor" : "major", where, `\`${show(y)}\` added to the type`);
    }
  };
  const stringy = (m: Model, open: boolean) => open && m.k !== "obj" && m.k !== "arr";

  const compareObject = (
    a: Extract<Model, { k: "obj" }>,
    b: Extract<Model, { k: "obj" }>,
    use: Use,
    where: string,
  ): void => {
    const names = new Set([...a.members.keys(), ...b.members.keys()]);
    for (const name of names) {
      const [x, y] = [a.members.get(name), b.members.get(name)];
      const at = `${where}.${name}`;
      if (x && !y) {
        add(use === "free" ? "minor" : "major", where, `\`${name}\` removed`);
      } else if (!x && y) {
        const breaks = !y.optional && (use === "in" || use === "both");
        add(
          breaks ? "major" : "minor",
          where,
          `${y.optional ? "optional" : "required"} \`${name}\` added`,
        );
      } else if (x && y && name === "content") {
        // A body in any of its media types: openapi-fetch types it as the union of them.
        const union = (m: Model, roots: Map<string, Model>) => {
          const node = resolve(roots, m);
          return node?.k === "obj"
            ? [...node.members.values()].flatMap((v) => members(v.type))
            : [m];
        };
        compareUnion(union(x.type, A), union(y.type, B), use, at);
      } else if (x && y) {
        if (x.optional && !y.optional) {
          add(use === "in" || use === "both" ? "major" : "minor", at, "made required");
        } else if (!x.optional && y.optional) {
          add(use === "out" || use === "both" ? "major" : "minor", at, "made optional");
        }
        compare(x.type, y.type, use, at);
      }
    }
  };

  /** The members a generated root object has on each side: added ones minor, removed ones major. */
  const compareRoster = (
    a: Model | undefined,
    b: Model | undefined,
    where: string,
    each: (x: Model, y: Model, name: string) => void,
  ) => {
    const [ra, rb] = [a && resolve(A, a), b && resolve(B, b)];
    const ma = ra?.k === "obj" ? ra.members : new Map<string, Member>();
    const mb = rb?.k === "obj" ? rb.members : new Map<string, Member>();
    for (const name of new Set([...ma.keys(), ...mb.keys()])) {
      const [x, y] = [ma.get(name), mb.get(name)];
      if (x && y) each(x.type, y.type, name);
      else add(x ? "major" : "minor", `${where}.${name}`, x ? "removed" : "added");
    }
  };

  const compareResponses = (a: Model, b: Model, where: string): void => {
    const [ra, rb] = [resolve(A, a), resolve(B, b)];
    if (ra?.k !== "obj" || rb?.k !== "obj") {
      compare(a, b, "out", where);
      return;
    }
    for (const status of new Set([...ra.members.keys(), ...rb.members.keys()])) {
      const [x, y] = [ra.members.get(status), rb.members.get(status)];
      if (x && !y) add("major", where, `status ${status} removed`);
      if (!x && y) add("minor", where, `status ${status} added`);
      if (x && y) {
        const [hx, hy] = [part(A, x.type, "headers"), part(B, y.type, "headers")];
        if (hx && hy) compare(hx, hy, "out", `${where}.${status}.headers`);
      }
    }
    for (const [label, success] of [
      ["data", true],
      ["error", false],
    ] as const) {
      compareUnion(bodies(A, ra, success), bodies(B, rb, success), "out", `${where} (${label})`);
    }
  };
  const part = (roots: Map<string, Model>, model: Model, name: string) => {
    const node = resolve(roots, model);
    return node?.k === "obj" ? node.members.get(name)?.type : undefined;
  };
  /** What openapi-fetch's `data` (or `error`) is: every 2xx (or other) body, `undefined` for none. */
  const bodies = (roots: Map<string, Model>, responses: Model, success: boolean): Model[] => {
    if (responses.k !== "obj") return [];
    const out: Model[] = [];
    for (const [status, { type }] of responses.members) {
      if (/^2/.test(status) !== success) continue;
      const content = part(roots, type, "content");
      const node = content && resolve(roots, content);
      if (node?.k !== "obj" || node.members.size === 0) out.push({ k: "leaf", text: "undefined" });
      else for (const { type: body } of node.members.values()) out.push(...members(body));
    }
    return out.filter((m, i) => out.findIndex((n) => key(n) === key(m)) === i || m.k === "obj");
  };

  compareRoster(A.get("operations"), B.get("operations"), "operations", (x, y, id) => {
    const where = `operations.${id}`;
    compare(
      part(A, x, "parameters") ?? NONE,
      part(B, y, "parameters") ?? NONE,
      "in",
      `${where}.parameters`,
    );
    const [qa, qb] = [opMember(x, "requestBody"), opMember(y, "requestBody")];
    if (qa || qb) {
      compareObject(
        { k: "obj", members: new Map(qa ? [["requestBody", qa]] : []) },
        { k: "obj", members: new Map(qb ? [["requestBody", qb]] : []) },
        "in",
        where,
      );
    }
    const [ra, rb] = [part(A, x, "responses"), part(B, y, "responses")];
    if (ra && rb) compareResponses(ra, rb, `${where}.responses`);
  });
  compareRoster(A.get("paths"), B.get("paths"), "paths", (x, y, path) => {
    const [pa, pb] = [part(A, x, "parameters") ?? NONE, part(B, y, "parameters") ?? NONE];
    compare(pa, pb, "in", `paths["${path}"].parameters`);
    compareRoster(x, y, `paths["${path}"]`, () => {});
  });
  // Schema exports, and what no operation reached (as if used on both sides).
  surface = "exports";
  for (const name of new Set([...A.keys(), ...B.keys()])) {
    if (STRUCTURE.has(name)) continue;
    const [x, y] = [A.get(name), B.get(name)];
    if (!x || !y) add(x ? "major" : "minor", `type ${name}`, x ? "removed" : "added");
  }
  const [ca, cb] = [A.get("components"), B.get("components")];
  if (ca?.k === "obj" && cb?.k === "obj") {
    // Only schemas are exported on their own; responses and parameters are reached through operations.
    for (const [group, { type: ga }] of ca.members) {
      if (group !== "schemas") continue;
      const gb = cb.members.get(group)?.type;
      if (ga.k !== "obj" || gb?.k !== "obj") continue;
      for (const name of ga.members.keys()) {
        const other = gb.members.get(name);
        const path = ["components", group, name];
        if (!other || visited.has(path.join("/"))) continue;
        compare({ k: "ref", path }, { k: "ref", path }, "both", pathText(path));
      }
    }
  }
  for (const name of ["webhooks", "$defs"]) {
    const [x, y] = [A.get(name), B.get(name)];
    if (x && y) compare(x, y, "both", name);
  }
  return findings;
}

const NONE: Model = { k: "obj", members: new Map() };

function opMember(op: Model, name: string): Member | undefined {
  return op.k === "obj" ? op.members.get(name) : undefined;
}

function pathText(path: string[]): string {
  return path.join(".");
}

function show(model: Model): string {
  if (model.k === "leaf") return model.text;
  if (model.k === "ref") return model.path.at(-1) ?? "";
  return model.k === "obj" ? "{…}" : model.k === "arr" ? "…[]" : "…";
}

/**
 * `security.gen.ts`: whether the client sends the API key, by default and per operation. No code
 * stops compiling on it (it is data): what `requiresApiKey` answers changed, a minor.
 */
function compareSecurity(before: string, after: string, name: string): TypeFinding[] {
  const [a, b] = [apiKeyTable(before), apiKeyTable(after)];
  const findings: TypeFinding[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const [x, y] = [a.get(key), b.get(key)];
    if (x === y) continue;
    const what =
      y === undefined ? "follows the default again" : y ? "takes the API key" : "takes no API key";
    findings.push({ level: "minor", where: `requiresApiKey: ${key}`, what, surface: "operations" });
  }
  if (findings.length === 0 && before !== after) {
    findings.push({
      level: "minor",
      where: name,
      what: "exported data changed",
      surface: "operations",
    });
  }
  return findings;
}

/** `default` → true, `POST /webhook/{id}` → false: the entries of `security.gen.ts`. */
function apiKeyTable(text: string): Map<string, boolean> {
  const table = new Map<string, boolean>();
  const byDefault = /API_KEY_REQUIRED_BY_DEFAULT: boolean = (true|false)/.exec(text)?.[1];
  if (byDefault) table.set("every operation by default", byDefault === "true");
  for (const [, path, methods] of text.matchAll(/^\s*("[^"]*"): \{ ([^}]*) \},$/gm)) {
    for (const [, method, value] of (methods ?? "").matchAll(/(\w+): (true|false)/g)) {
      table.set(`${method?.toUpperCase()} ${JSON.parse(path ?? '""')}`, value === "true");
    }
  }
  return table;
}
