/**
 * Whether one regular expression (`pattern`) accepts every string another accepts, for the
 * changes a reviewer can judge at a glance: a quantifier widened or narrowed (`{3}` → `{2,5}`,
 * `+` → `*`), a character class grown or shrunk (`[a-z]` → `[a-z0-9]`), an alternative added or
 * removed (`^(a|b)$` → `^(a|b|c)$`). Anything else is "other": the gate cannot tell, and asks for
 * a review rather than guess.
 */
import type { Judgement } from "./accepts.js";

export function judgePattern(before: unknown, after: unknown): Judgement {
  if (before === after) return "same";
  if (typeof before !== "string") return typeof after === "string" ? "narrower" : "same";
  if (typeof after !== "string") return "wider";
  const [a, b] = [expand(parse(before)), expand(parse(after))];
  if (!a || !b) return "other";
  const grows = within(a, b);
  const shrinks = within(b, a);
  if (grows && shrinks) return "same";
  if (grows) return "wider";
  if (shrinks) return "narrower";
  return "other";
}

/** Alternatives, each a sequence of atoms. */
type Alternatives = Atom[][];

interface Atom {
  /** A character set (ranges of code points), a group of alternatives, or an anchor. */
  set?: [number, number][];
  group?: Alternatives;
  anchor?: string;
  min: number;
  max: number;
}

const ANY: [number, number][] = [[0, 0x10ffff]];
const CLASSES: Record<string, [number, number][]> = {
  d: [[48, 57]],
  w: [
    [48, 57],
    [65, 90],
    [95, 95],
    [97, 122],
  ],
  s: [
    [9, 13],
    [32, 32],
  ],
};

/** A small parser for the common subset of ECMAScript patterns; undefined beyond it. */
export function parse(source: string): Alternatives | undefined {
  let i = 0;
  const fail = (): undefined => undefined;
  const alternatives = (): Alternatives | undefined => {
    const out: Alternatives = [[]];
    while (i < source.length && source[i] !== ")") {
      const c = source[i];
      if (c === "|") {
        out.push([]);
        i++;
        continue;
      }
      const atom = atomAt();
      if (!atom) return fail();
      out.at(-1)?.push(atom);
    }
    return out;
  };
  const atomAt = (): Atom | undefined => {
    const c = source[i++];
    let atom: Atom;
    if (c === "^" || c === "$") return { anchor: c, min: 1, max: 1 };
    if (c === "(") {
      if (source.startsWith("?:", i)) i += 2;
      else if (source[i] === "?") return fail();
      const group = alternatives();
      if (!group || source[i++] !== ")") return fail();
      const only = group.length === 1 && group[0]?.length === 1 ? group[0][0] : undefined;
      // `(a)` is `a`: one alternative of one atom, without a quantifier of its own.
      atom = only && only.min === 1 && only.max === 1 ? { ...only } : { group, min: 1, max: 1 };
    } else if (c === "[") {
      const set = classAt();
      if (!set) return fail();
      atom = { set, min: 1, max: 1 };
    } else if (c === ".") atom = { set: ANY, min: 1, max: 1 };
    else if (c === "\\") {
      const e = source[i++] ?? "";
      const known = CLASSES[e];
      if (known) atom = { set: known, min: 1, max: 1 };
      else if (/[dwsbDWSBkpPu0-9cx]/.test(e)) return fail();
      else atom = { set: [[code(e), code(e)]], min: 1, max: 1 };
    } else if (c === undefined || "*+?{}".includes(c)) return fail();
    else atom = { set: [[code(c), code(c)]], min: 1, max: 1 };
    return quantified(atom);
  };
  const quantified = (atom: Atom): Atom | undefined => {
    const c = source[i];
    if (c === "*") [atom.min, atom.max, i] = [0, Infinity, i + 1];
    else if (c === "+") [atom.min, atom.max, i] = [1, Infinity, i + 1];
    else if (c === "?") [atom.min, atom.max, i] = [0, 1, i + 1];
    else if (c === "{") {
      const match = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!match) return fail();
      atom.min = Number(match[1]);
      atom.max = match[2] ? (match[3] ? Number(match[3]) : Infinity) : atom.min;
      i += match[0].length;
    }
    // A lazy quantifier (`+?`) matches the same strings; a second quantifier is beyond us.
    if (source[i] === "?") i++;
    else if ("*+{".includes(source[i] ?? "")) return fail();
    return atom;
  };
  const classAt = (): [number, number][] | undefined => {
    if (source[i] === "^") return fail();
    const ranges: [number, number][] = [];
    while (i < source.length && source[i] !== "]") {
      let c = source[i++] ?? "";
      if (c === "\\") {
        const e = source[i++] ?? "";
        const known = CLASSES[e];
        if (known) {
          ranges.push(...known);
          continue;
        }
        if (/[A-Za-z0-9]/.test(e)) return fail();
        c = e;
      }
      if (source[i] === "-" && source[i + 1] !== "]" && source[i + 1] !== undefined) {
        const end = source[i + 1] ?? "";
        if (end === "\\") return fail();
        ranges.push([code(c), code(end)]);
        i += 2;
      } else ranges.push([code(c), code(c)]);
    }
    return source[i++] === "]" ? ranges : fail();
  };
  const result = alternatives();
  return result && i === source.length ? result : undefined;
}

/** `^(red|blue)$` → `^red$|^blue$`: groups without a quantifier spread into alternatives. */
function expand(alternatives: Alternatives | undefined, limit = 64): Alternatives | undefined {
  if (!alternatives) return undefined;
  const out: Alternatives = [];
  const queue = [...alternatives];
  while (queue.length) {
    const sequence = queue.shift() ?? [];
    const at = sequence.findIndex((atom) => atom.group && atom.min === 1 && atom.max === 1);
    const group = sequence[at]?.group;
    if (at < 0 || !group) out.push(sequence);
    else {
      for (const inner of group) {
        queue.push([...sequence.slice(0, at), ...inner, ...sequence.slice(at + 1)]);
      }
    }
    if (out.length + queue.length > limit) return alternatives;
  }
  return out;
}

function code(c: string): number {
  return c.codePointAt(0) ?? 0;
}

/** True when every string `inner` matches, `outer` matches (judged alternative by alternative). */
function within(inner: Alternatives, outer: Alternatives): boolean {
  return inner.every((a) => outer.some((b) => sequenceWithin(a, b)));
}

function sequenceWithin(a: Atom[], b: Atom[]): boolean {
  return (
    a.length === b.length &&
    a.every((x, i) => {
      const y = b[i];
      return y !== undefined && atomWithin(x, y);
    })
  );
}

function atomWithin(x: Atom, y: Atom): boolean {
  if (x.min < y.min || x.max > y.max) return false;
  if (x.min === 1 && x.max === 1 && y.min === 1 && y.max === 1 && !x.group && !y.group) {
    return setWithin(x, y);
  }
  if (x.anchor || y.anchor) return x.anchor === y.anchor;
  if (x.group || y.group) return within(asGroup(x), asGroup(y));
  return setWithin(x, y);
}

function setWithin(x: Atom, y: Atom): boolean {
  if (x.anchor || y.anchor) return x.anchor === y.anchor;
  return (x.set ?? []).every(([lo, hi]) => covered(lo, hi, y.set ?? []));
}

/** An atom as a group of one alternative (`a` is `(a)`), to compare it with a group. */
function asGroup(atom: Atom): Alternatives {
  return atom.group ?? [[{ ...atom, min: 1, max: 1 }]];
}

/** True when the ranges cover every code point from `lo` to `hi`. */
function covered(lo: number, hi: number, ranges: [number, number][]): boolean {
  let next = lo;
  for (const [a, b] of [...ranges].sort((p, q) => p[0] - q[0])) {
    if (a > next) break;
    if (b >= next) next = b + 1;
    if (next > hi) return true;
  }
  return next > hi;
}
