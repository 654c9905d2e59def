/** Bundles a split spec (openapi.yaml plus its $ref'd files) into one JSON document. */
import { dirname } from "node:path";
import { redocly, withoutBanner } from "./redocly.js";

export class SpecBundleError extends Error {
  override name = "SpecBundleError";
}

/** Bundles `entry` into `outFile`; run in the entry's folder so its `redocly.yaml` applies. */
export async function bundleSpec(entry: string, outFile: string): Promise<void> {
  const result = await redocly(["bundle", entry, "--output", outFile], dirname(entry));
  if (result.code !== 0) {
    throw new SpecBundleError(
      `Could not bundle ${entry}; fix the spec so that \`redocly bundle\` succeeds:\n${withoutBanner(result.stderr + result.stdout)}`,
    );
  }
}
