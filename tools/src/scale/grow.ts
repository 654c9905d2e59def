/**
 * Grows a split OpenAPI spec (openapi.yaml and the files its `$ref`s reach) by a factor: copy 1 is
 * the spec itself, copies 2..factor repeat every path, webhook and component under new names, so the
 * grown spec lints clean under the same rules. Nothing here knows today's operations: it clones
 * whatever the spec contains.
 *
 * Per copy k: path `/x` becomes `/copyk/x`; a component, webhook or operationId `Name` becomes
 * `NameCopyk`; a component file `Name.yaml` becomes `NameCopyk.yaml` and a path file `x.yaml`
 * `copyk_x.yaml`; an operation's summary gains ` (copy k)` (the reference page finds operations by
 * summary). `$ref`s (file and `#/...` parts), `operationId`/`operationRef` of links and discriminator
 * mappings are renamed to the copy's own. Kept shared, not cloned: security schemes (named by
 * `security`, never `$ref`d) and the files a lint rule pins by name (`ref:` assertions of
 * redocly.yaml, e.g. the `Error` schema), with everything they reach.
 */
import { posix } from "node:path";
import {
  Document,
  isMap,
  isPair,
  isScalar,
  type Pair,
  parseDocument,
  type Scalar,
  visit,
  type YAMLMap,
} from "yaml";

/** Spec files by their path relative to the spec folder (posix), and their text. */
export type SpecFiles = Map<string, string>;

export const ROOT_FILE = "openapi.yaml";
const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** The regular expressions of every `ref:` assertion in a redocly.yaml: the files they pin. */
export function pinnedRefPatterns(redoclyYaml: string): RegExp[] {
  const patterns: RegExp[] = [];
  visit(parseDocument(redoclyYaml), {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "ref" && isScalar(pair.value)) {
        const text = String(pair.value.value);
        const match = /^\/(.*)\/([a-z]*)$/.exec(text);
        if (match?.[1] !== undefined) patterns.push(new RegExp(match[1], match[2]));
      }
    },
  });
  return patterns;
}

/** The file part of every `$ref` in a document, resolved against the document's own folder. */
function referencedFiles(file: string, doc: Document): string[] {
  const found: string[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== "$ref" || !isScalar(pair.value)) return;
      const target = String(pair.value.value).split("#")[0];
      if (target) found.push(posix.normalize(posix.join(posix.dirname(file), target)));
    },
  });
  return found;
}

/** Every file reachable from `start` through `$ref`s (start included). */
function reachable(start: string[], docs: Map<string, Document>): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    const doc = docs.get(file);
    if (!doc) throw new Error(`${file} is referenced by the spec but is not one of its files.`);
    seen.add(file);
    queue.push(...referencedFiles(file, doc));
  }
  return seen;
}

/** What one copy renames. */
interface Renames {
  copy: number;
  files: Map<string, string>;
  operationIds: Set<string>;
  /** Component names by kind, and webhook names, that are cloned. */
  components: Map<string, Set<string>>;
  paths: Set<string>;
}

const suffix = (name: string, copy: number) => `${name}Copy${copy}`;
const copyPath = (path: string, copy: number) => `/copy${copy}${path}`;

function cloneFileName(file: string, isPathFile: boolean, copy: number): string {
  const dir = posix.dirname(file);
  const ext = posix.extname(file);
  const base = posix.basename(file, ext);
  return posix.join(dir, isPathFile ? `copy${copy}_${base}${ext}` : `${suffix(base, copy)}${ext}`);
}

function decodePointerToken(token: string) {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}
function encodePointerToken(token: string) {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** `#/components/schemas/X` → `#/components/schemas/XCopyk`; `#/paths/~1x/get` → `#/paths/~1copyk~1x/get`. */
function renameFragment(fragment: string, renames: Renames): string {
  const tokens = fragment.split("/");
  if (tokens[1] === "components" && tokens[2] && tokens[3]) {
    if (renames.components.get(tokens[2])?.has(decodePointerToken(tokens[3])))
      tokens[3] = encodePointerToken(suffix(decodePointerToken(tokens[3]), renames.copy));
  } else if ((tokens[1] === "paths" || tokens[1] === "webhooks") && tokens[2]) {
    const name = decodePointerToken(tokens[2]);
    if (tokens[1] === "paths" && renames.paths.has(name))
      tokens[2] = encodePointerToken(copyPath(name, renames.copy));
    if (tokens[1] === "webhooks" && renames.components.get("webhooks")?.has(name))
      tokens[2] = encodePointerToken(suffix(name, renames.copy));
  }
  return tokens.join("/");
}

/** A `$ref` (or operationRef, or mapping value) written in `file`, as the copy `fileCopy` must write it. */
function renameRef(ref: string, file: string, fileCopy: string, renames: Renames): string {
  const hash = ref.indexOf("#");
  const target = hash === -1 ? ref : ref.slice(0, hash);
  const fragment = hash === -1 ? null : ref.slice(hash + 1);
  let newTarget = target;
  let targetFile = file;
  if (target) {
    targetFile = posix.normalize(posix.join(posix.dirname(file), target));
    const cloned = renames.files.get(targetFile);
    newTarget = posix.relative(posix.dirname(fileCopy), cloned ?? targetFile);
    if (!newTarget.startsWith(".") && target.startsWith("./")) newTarget = `./${newTarget}`;
  }
  // Fragments name components, paths and webhooks of the root document only.
  const newFragment =
    fragment !== null && targetFile === ROOT_FILE ? renameFragment(fragment, renames) : fragment;
  return newFragment === null ? newTarget : `${newTarget}#${newFragment}`;
}

/**
 * Rewrites a document for a copy, in place: refs, operation ids, and the summaries of the
 * operations of the given path items.
 */
function renameNode(
  node: Document,
  file: string,
  fileCopy: string,
  renames: Renames,
  pathItems: Set<unknown>,
) {
  visit(node, {
    Pair(_, pair, ancestors) {
      if (!isScalar(pair.key)) return;
      const key = pair.key.value;
      const value = pair.value;
      if (key === "$ref" || key === "operationRef") {
        if (isScalar(value)) value.value = renameRef(String(value.value), file, fileCopy, renames);
      } else if (key === "operationId") {
        if (isScalar(value) && renames.operationIds.has(String(value.value)))
          value.value = suffix(String(value.value), renames.copy);
      } else if (key === "mapping" && isMap(value)) {
        for (const item of value.items)
          if (isScalar(item.value))
            item.value.value = renameRef(String(item.value.value), file, fileCopy, renames);
      } else if (key === "summary" && isScalar(value)) {
        // An operation's summary: the pair sits in an operation, which sits under a path item's method.
        const operationPair = ancestors.at(-2);
        const pathItem = ancestors.at(-3);
        if (
          isPair(operationPair) &&
          isScalar(operationPair.key) &&
          HTTP_METHODS.has(String(operationPair.key.value)) &&
          pathItems.has(pathItem)
        ) {
          value.value = `${String(value.value)} (copy ${renames.copy})`;
        }
      }
    },
  });
}

/** Grows the spec by `factor` (1 returns it unchanged). `pinned`: ref patterns whose files stay shared. */
export function growSpec(files: SpecFiles, factor: number, pinned: RegExp[] = []): SpecFiles {
  if (!Number.isInteger(factor) || factor < 1)
    throw new Error(`The factor must be a whole number of at least 1 (got ${factor}).`);
  const rootText = files.get(ROOT_FILE);
  if (rootText === undefined) throw new Error(`The spec has no ${ROOT_FILE}.`);
  const parse = (file: string, text: string) => {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    return doc;
  };
  const docs = new Map([...files].map(([file, text]) => [file, parse(file, text)]));
  const root = docs.get(ROOT_FILE) as Document;

  // Files shared by every copy: what security schemes and lint-pinned files reach.
  const componentsNode = root.get("components");
  const securityFiles = isMap(componentsNode)
    ? referencedFiles(ROOT_FILE, new Document(componentsNode.get("securitySchemes")))
    : [];
  const pinnedFiles = [...docs.keys()].filter((file) =>
    pinned.some((pattern) => pattern.test(file)),
  );
  const shared = reachable([...securityFiles, ...pinnedFiles], docs);
  const inSpec = reachable([ROOT_FILE], docs);
  const cloned = [...inSpec].filter((file) => file !== ROOT_FILE && !shared.has(file));

  // Path files (targets of the root `paths:`), whose path items hold operations.
  const pathsNode = root.get("paths");
  const pathEntries = isMap(pathsNode) ? pathsNode.items : [];
  const webhooksNode = root.get("webhooks");
  const webhookEntries = isMap(webhooksNode) ? webhooksNode.items : [];
  const pathFiles = new Set(
    [...pathEntries, ...webhookEntries].flatMap((pair) => {
      const ref = isMap(pair.value) ? pair.value.get("$ref") : undefined;
      return typeof ref === "string" ? [posix.normalize(ref.split("#")[0] ?? "")] : [];
    }),
  );

  // Names every copy renames: operationIds anywhere, and cloned components, paths and webhooks.
  const operationIds = new Set<string>();
  for (const doc of [root, ...cloned.map((file) => docs.get(file) as Document)]) {
    visit(doc, {
      Pair(_, pair, ancestors) {
        const parent = ancestors.at(-2);
        if (
          isScalar(pair.key) &&
          pair.key.value === "operationId" &&
          isScalar(pair.value) &&
          isPair(parent) &&
          isScalar(parent.key) &&
          HTTP_METHODS.has(String(parent.key.value))
        )
          operationIds.add(String(pair.value.value));
      },
    });
  }
  const clonedComponents = new Map<string, Set<string>>();
  const isCloned = (value: unknown) => {
    const ref = isMap(value) ? value.get("$ref") : undefined;
    if (typeof ref !== "string") return true; // inline: cloned with the root
    const target = posix.normalize(ref.split("#")[0] ?? "");
    return target === "" || !shared.has(target);
  };
  if (isMap(componentsNode)) {
    for (const kind of componentsNode.items) {
      if (!isScalar(kind.key) || kind.key.value === "securitySchemes" || !isMap(kind.value))
        continue;
      clonedComponents.set(
        String(kind.key.value),
        new Set(
          kind.value.items
            .filter((item) => isCloned(item.value))
            .map((item) => String((item.key as { value: unknown }).value)),
        ),
      );
    }
  }
  clonedComponents.set(
    "webhooks",
    new Set(webhookEntries.map((item) => String((item.key as { value: unknown }).value))),
  );
  const paths = new Set(pathEntries.map((item) => String((item.key as { value: unknown }).value)));

  // The root's sections to extend, with their original entries (copies are appended after them).
  const sections: {
    items: Pair[];
    into: YAMLMap;
    rename: (name: string, copy: number) => string;
  }[] = [];
  if (isMap(pathsNode))
    sections.push({ items: [...pathEntries], into: pathsNode, rename: copyPath });
  if (isMap(webhooksNode))
    sections.push({ items: [...webhookEntries], into: webhooksNode, rename: suffix });
  if (isMap(componentsNode)) {
    for (const kind of componentsNode.items) {
      if (!isScalar(kind.key) || kind.key.value === "securitySchemes" || !isMap(kind.value))
        continue;
      const items = kind.value.items.filter((item) => isCloned(item.value));
      sections.push({ items, into: kind.value, rename: suffix });
    }
  }

  // A spec grown before already holds copies 2..n: number the new ones from n+1, so no name clashes.
  const used = [...paths, ...[...clonedComponents.values()].flatMap((names) => [...names])].flatMap(
    (name) => [...(/^\/copy(\d+)\/|Copy(\d+)$/.exec(name)?.slice(1) ?? [])],
  );
  const first = Math.max(1, ...used.filter(Boolean).map(Number)) + 1;

  const grown: SpecFiles = new Map(files);
  for (let copy = first; copy < first + factor - 1; copy++) {
    const renames: Renames = {
      copy,
      files: new Map(cloned.map((file) => [file, cloneFileName(file, pathFiles.has(file), copy)])),
      operationIds,
      components: clonedComponents,
      paths,
    };
    for (const file of cloned) {
      const doc = parse(file, files.get(file) as string);
      const fileCopy = renames.files.get(file) as string;
      const pathItems = new Set<unknown>(pathFiles.has(file) ? [doc.contents] : []);
      renameNode(doc, file, fileCopy, renames, pathItems);
      grown.set(fileCopy, doc.toString({ lineWidth: 0 }));
    }
    for (const section of sections) {
      for (const pair of section.items) {
        const clone = new Document();
        clone.contents = (pair.value as YAMLMap).clone() as YAMLMap;
        const isPathItem = section.into === pathsNode || section.into === webhooksNode;
        renameNode(
          clone,
          ROOT_FILE,
          ROOT_FILE,
          renames,
          new Set(isPathItem ? [clone.contents] : []),
        );
        const name = String((pair.key as Scalar).value);
        section.into.add(root.createPair(section.rename(name, copy), clone.contents));
      }
    }
  }
  grown.set(ROOT_FILE, root.toString({ lineWidth: 0 }));
  return grown;
}
