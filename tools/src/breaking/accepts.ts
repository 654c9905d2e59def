/**
 * Whether one schema accepts every value another accepts: how we judge a change of `oneOf`,
 * `anyOf` or `allOf`, by the set of values each side accepts rather than by the keywords' text.
 * Conservative: "no" whenever it cannot tell, so an unknown case keeps the engine's verdict.
 */
import { deref, type Node } from "./document.js";
import { isAnnotation } from "./normalise.js";

/** A schema and the document its `$ref`s resolve in. */
export interface Schema {
  doc: Node;
  node: Node;
}

/** `same`: a refactor; `wider`: the new schema accepts more; `narrower`: less; `other`: neither, or unknown. */
export type Judgement = "same" | "wider" | "narrower" | "other";

export function judge(before: Schema, after: Schema): Judgement {
  const grows = accepts(after, before);
  const shrinks = accepts(before, after);
  if (grows && shrinks) return "same";
  if (grows) return "wider";
  if (shrinks) return "narrower";
  return "other";
}

const COMBINATORS = ["anyOf", "oneOf", "allOf"];

/** True when every value `inner` accepts, `outer` accepts too. */
export function accepts(outer: Schema, inner: Schema, seen = new Set<string>()): boolean {
  const a = resolve(inner);
  const b = resolve(outer);
  // Recursive schemas recurse through `$ref`s on both sides: a pair of references already being
  // compared is assumed to hold (the other keywords decide). An inline side ends the recursion.
  if (typeof inner.node?.$ref === "string" && typeof outer.node?.$ref === "string") {
    const key = `${inner.node.$ref}|${outer.node.$ref}`;
    if (seen.has(key)) return true;
    seen = new Set(seen).add(key);
  }
  const sub = (node: Node, doc: Node) => ({ doc, node });
  // The same schema accepts the same values, whatever it holds (a `oneOf` we could not judge).
  if (equal(inner, outer)) return true;
  if (b.node === true || isEmpty(b.node)) return true;
  if (a.node === false) return true;
  if (typeof a.node !== "object" || typeof b.node !== "object" || !a.node || !b.node) return false;
  const aBranches: Node[] | undefined = a.node.anyOf ?? a.node.oneOf;
  if (aBranches) return aBranches.every((x) => accepts(b, sub(x, a.doc), seen));
  if (a.node.allOf) return a.node.allOf.some((x: Node) => accepts(b, sub(x, a.doc), seen));
  const types = typesOf(a.node);
  if (types && types.length > 1) {
    return types.every((type) => accepts(b, sub({ ...a.node, type }, a.doc), seen));
  }
  // `oneOf` refuses a value two branches accept: it is a union only when its branches cannot overlap.
  const bUnion: Node[] | undefined =
    b.node.anyOf ?? (b.node.oneOf && disjoint(b.node.oneOf, b.doc) ? b.node.oneOf : undefined);
  if (bUnion || b.node.allOf) {
    // A combinator beside other constraints: too rich to judge here.
    const siblings = Object.keys(b.node).filter(
      (k) => !COMBINATORS.includes(k) && !isAnnotation(k),
    );
    if (siblings.length) return false;
  }
  if (bUnion) return bUnion.some((y) => accepts(sub(y, b.doc), a, seen));
  if (b.node.oneOf) return false;
  if (b.node.allOf) return b.node.allOf.every((y: Node) => accepts(sub(y, b.doc), a, seen));
  return typesWithin(a.node, b.node) && valuesWithin(a.node, b.node) && sameRest(a, b, seen);
}

function resolve({ doc, node }: Schema): Schema {
  return { doc, node: deref(doc, node) };
}

function isEmpty(node: Node): boolean {
  return node !== null && typeof node === "object" && Object.keys(node).every(isAnnotation);
}

function typesOf(node: Node): string[] | undefined {
  if (node.type === undefined) return undefined;
  return Array.isArray(node.type) ? node.type : [node.type];
}

/** Branches whose types cannot overlap (`integer` is a `number`). */
function disjoint(branches: Node[], doc: Node): boolean {
  const seen = new Set<string>();
  for (const branch of branches) {
    const types = typesOf(deref(doc, branch) ?? {});
    if (!types) return false;
    for (const type of types.flatMap((t) => (t === "integer" ? ["number"] : [t]))) {
      if (seen.has(type)) return false;
      seen.add(type);
    }
  }
  return true;
}

function typesWithin(a: Node, b: Node): boolean {
  const outer = typesOf(b);
  if (!outer) return true;
  const inner = typesOf(a);
  if (!inner) return false;
  return inner.every((t) => outer.includes(t) || (t === "integer" && outer.includes("number")));
}

/** `enum` and `const`: the inner values must all be allowed by the outer ones. */
function valuesWithin(a: Node, b: Node): boolean {
  const values = (node: Node): unknown[] | undefined =>
    "const" in node ? [node.const] : node.enum;
  const outer = values(b);
  if (!outer) return true;
  const inner = values(a);
  if (!inner) return false;
  return inner.every((v) => outer.some((w) => JSON.stringify(w) === JSON.stringify(v)));
}

const JUDGED = new Set(["type", "enum", "const", "anyOf", "oneOf", "allOf"]);

/** Every other keyword (properties, items, constraints) must mean the same on both sides. */
function sameRest(a: Schema, b: Schema, seen: Set<string>): boolean {
  const keys = new Set(
    [...Object.keys(a.node), ...Object.keys(b.node)].filter(
      (key) => !JUDGED.has(key) && !isAnnotation(key),
    ),
  );
  for (const key of keys) {
    const [x, y] = [a.node[key], b.node[key]];
    if (key === "properties" || key === "$defs" || key === "patternProperties") {
      const names = new Set([...Object.keys(x ?? {}), ...Object.keys(y ?? {})]);
      for (const name of names) {
        const [p, q] = [
          { doc: a.doc, node: x?.[name] },
          { doc: b.doc, node: y?.[name] },
        ];
        if (p.node === undefined || q.node === undefined) return false;
        if (!(accepts(q, p, seen) && accepts(p, q, seen))) return false;
      }
    } else if (key === "items" || key === "additionalProperties" || key === "not") {
      const [p, q] = [
        { doc: a.doc, node: x ?? {} },
        { doc: b.doc, node: y ?? {} },
      ];
      if (!(accepts(q, p, seen) && accepts(p, q, seen))) return false;
    } else if (key === "required") {
      if (JSON.stringify([...(x ?? [])].sort()) !== JSON.stringify([...(y ?? [])].sort()))
        return false;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      return false;
    }
  }
  return true;
}

/** True when a schema node combines others: the changes at it are judged by `judge`. */
export function isCombined(node: Node): boolean {
  return node !== null && typeof node === "object" && COMBINATORS.some((key) => key in node);
}

/** Two schemas that accept exactly the same values (each in its own document). */
export function sameSchema(a: Schema, b: Schema): boolean {
  return judge(a, b) === "same";
}

/** Two schemas with the same keywords, `$ref`s followed (each in its own document). */
function equal(a: Schema, b: Schema, seen = new Set<string>()): boolean {
  const [x, y] = [a.node, b.node];
  if (typeof x?.$ref === "string" && typeof y?.$ref === "string") {
    const key = `${x.$ref}|${y.$ref}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  const [p, q] = [deref(a.doc, x), deref(b.doc, y)];
  if (p === null || q === null || typeof p !== "object" || typeof q !== "object") return p === q;
  if (Array.isArray(p) !== Array.isArray(q)) return false;
  const keys = Object.keys(p);
  if (keys.length !== Object.keys(q).length) return false;
  return keys.every(
    (key) => key in q && equal({ doc: a.doc, node: p[key] }, { doc: b.doc, node: q[key] }, seen),
  );
}
