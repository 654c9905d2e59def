/**
 * README code as a reader pastes it, for the tests that compile the READMEs' TypeScript blocks:
 * the blocks of a Markdown text, the compiler options the READMEs claim, and a type-check whose
 * every error names the README line it comes from.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

/** A ```ts block of a README. */
export interface Block {
  /** The README, as the messages name it (e.g. `README.md`). */
  readme: string;
  /** The line of the opening fence (1-based): the block's first line of code is the next one. */
  line: number;
  code: string;
  /** Why the block is not compiled, from `<!-- readme-code: not compiled: ... -->` before it. */
  skipped?: string;
}

const SKIP = /^<!-- readme-code: not compiled: (.+) -->$/;

/** The ```ts blocks of a Markdown text, with the line each starts on and its skip reason, if any. */
export function codeBlocks(readme: string, markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "```ts") continue;
    const end = lines.indexOf("```", i + 1);
    const skipped = SKIP.exec(lines[i - 1] ?? "")?.[1];
    blocks.push({
      readme,
      line: i + 1,
      code: lines.slice(i + 1, end).join("\n"),
      ...(skipped && { skipped }),
    });
    i = end;
  }
  return blocks;
}

const EXCERPT = /^\/\/ excerpt of (\S+)$/;
const FILE = /^\/\/ ([\w.-]+(?:\/[\w.-]+)*\.tsx?): /;

/** The file of the repository a block is an excerpt of, from its heading `// excerpt of <path>`. */
export const excerptOf = (block: Block) => EXCERPT.exec(block.code.split("\n")[0] ?? "")?.[1];

/** The code of a block without its `// excerpt of <path>` heading. */
export const excerptCode = (block: Block) => block.code.replace(/^.*\n/, "");

/** The module a block that is neither an excerpt nor a named file is written to, in `dir`. */
export const moduleOf = (dir: string, block: Block) =>
  join(dir, `${block.readme.replace(/\W+/g, "_")}_${block.line}.mts`);

/**
 * Writes the blocks out in `dir` as a reader would paste them, and returns what to type-check:
 * a block headed `// <path>: …` is a file of the reader's project, written at that path in `dir`;
 * a block headed `// excerpt of <path>` stands for that whole file of `root` (its own test keeps
 * the excerpt equal to it); any other block is a module of its own, `moduleOf(dir, block)`.
 */
export async function writeBlocks(dir: string, blocks: Block[], root: string): Promise<Source[]> {
  await writeFile(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  const sources: Source[] = [];
  for (const block of blocks) {
    const excerpt = excerptOf(block);
    if (excerpt !== undefined) {
      const path = resolve(root, excerpt);
      if (!sources.some((source) => source.path === path))
        sources.push({ path, block, as: "excerpt" });
      continue;
    }
    const named = FILE.exec(block.code)?.[1];
    const path = named === undefined ? moduleOf(dir, block) : join(dir, named);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, named === undefined ? `${block.code}\nexport {};\n` : block.code);
    sources.push({ path, block, as: "file" });
  }
  return sources;
}

/** The strictest options the READMEs claim their code compiles under. */
export const strictest = {
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  module: "nodenext",
  moduleResolution: "nodenext",
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
  types: ["node"],
} as const;

/** A file to type-check: the block written out `as` a file of its own, or the whole file it is an excerpt of. */
export interface Source {
  /** The file, relative to the directory of the type-check or absolute. */
  path: string;
  block: Block;
  as: "file" | "excerpt";
}

/**
 * Type-checks the sources with tsc under `strictest` (and `options`), through a tsconfig written in
 * `dir`. Returns one message per error, each starting with the README line it comes from; none
 * when everything compiles.
 */
export async function typeCheck(
  dir: string,
  sources: Source[],
  options: Record<string, unknown> = {},
): Promise<string[]> {
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { ...strictest, ...options },
      files: sources.map((source) => resolve(dir, source.path)),
    }),
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const output = await promisify(execFile)(
    process.execPath,
    [tsc, "-p", dir, "--pretty", "false"],
    { cwd: dir },
  ).then(
    () => "",
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  const messages: string[] = [];
  for (const line of output.split("\n")) {
    if (line === "") continue;
    const error = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line);
    const source =
      error && sources.find((s) => resolve(dir, s.path) === resolve(dir, error[1] ?? ""));
    if (!error || !source) {
      // A continuation of the previous message, or an error outside the README's code.
      if (messages.length > 0 && /^\s/.test(line)) messages[messages.length - 1] += `\n${line}`;
      else messages.push(line);
      continue;
    }
    const { readme, line: fence } = source.block;
    messages.push(
      source.as === "file"
        ? `${readme}:${fence + Number(error[2])}:${error[3]}: ${error[4]}`
        : `${readme}:${fence + 1}: in ${source.path}, the excerpt's whole file, (${error[2]},${error[3]}): ${error[4]}`,
    );
  }
  return messages;
}
