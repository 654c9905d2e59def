#!/usr/bin/env node
/**
 * `pingback-fake`: the fake over HTTP, for CI jobs in other languages and docker-compose files.
 * Control routes under `/__fake/` (state, requests, reset, faults, seed) stand in for the JavaScript API.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createFakePingback, DEFAULT_FAKE_API_KEY } from "./fake.js";
import type { FaultName } from "./faults.js";
import type { FakeSeed } from "./state.js";

const USAGE = `Usage: pingback-fake [--port 4010] [--host 127.0.0.1] [--seed seed.json] [--api-key KEY]
                     [--no-rate-limit] [--fault NAME]... [--latency-ms 0]

A stateful fake of the Pingback Connect API v2 on http://HOST:PORT/v2.
Control routes: GET /__fake/state, GET /__fake/requests, POST /__fake/reset,
POST /__fake/faults {"name": "...", "options": {...}}, POST /__fake/seed {...}.`;

function fail(message: string): never {
  process.stderr.write(`pingback-fake: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      seed: { type: "string" },
      "api-key": { type: "string" },
      "no-rate-limit": { type: "boolean", default: false },
      fault: { type: "string", multiple: true, default: [] },
      "latency-ms": { type: "string", default: "0" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
}
try {
  args = parse();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
const { values } = args;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail(`--port must be a port number (0 to 65535), got "${values.port}"`);
const latencyMs = Number(values["latency-ms"]);
if (!Number.isFinite(latencyMs) || latencyMs < 0)
  fail(`--latency-ms must be a number of milliseconds, got "${values["latency-ms"]}"`);
let seed: FakeSeed | undefined;
if (values.seed) {
  try {
    seed = JSON.parse(readFileSync(values.seed, "utf8")) as FakeSeed;
  } catch (error) {
    fail(
      `cannot read the seed file ${values.seed}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

try {
  const fake = createFakePingback({
    ...(values["api-key"] && { apiKey: values["api-key"] }),
    ...(seed && { seed }),
    ...(values["no-rate-limit"] && { rateLimit: false as const }),
    latencyMs,
    faults: (values.fault ?? []) as FaultName[],
  });
  const server = await fake.listen({ port, host: values.host, control: true });
  const key = values["api-key"] ? "the one given with --api-key" : `"${DEFAULT_FAKE_API_KEY}"`;
  process.stdout.write(`pingback-fake listening on ${server.url} (API key: ${key})\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
