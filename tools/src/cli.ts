/**
 * How every command of this package ends: its own exit code, or 2 with one line saying what was
 * wrong when it cannot do its work (a bad argument, a base that is not there, a spec that does not
 * bundle, a comparison that fails). Anything else is a bug, and keeps its stack trace.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { BaseNotFoundError } from "./breaking/base.js";
import { SpecBundleError } from "./breaking/bundle.js";
import { EngineError } from "./breaking/engine.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O }>>["values"];

/** Node's `ERR_PARSE_ARGS_*` errors: an unknown option, or one missing its value. */
function isBadArgument(error: unknown): error is Error {
  return (
    error instanceof Error &&
    String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")
  );
}

export async function runCli<O extends Options>(
  name: string,
  usage: string,
  options: O,
  main: (values: Values<O>) => Promise<number>,
): Promise<void> {
  try {
    process.exitCode = await main(parseArgs({ options }).values);
  } catch (error) {
    if (isBadArgument(error)) {
      console.error(`${name}: ${error.message}\nUsage: ${usage}`);
    } else if (
      error instanceof BaseNotFoundError ||
      error instanceof SpecBundleError ||
      error instanceof EngineError
    ) {
      console.error(`${name}: ${error.message}`);
    } else {
      throw error;
    }
    process.exitCode = 2;
  }
}
