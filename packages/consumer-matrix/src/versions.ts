/**
 * What the matrix installs from the npm registry, pinned. The runtimes ship as binaries inside
 * registry packages; TypeScript 7 is the native compiler, whose `typescript` package brings its
 * `tsc` binary as an optional dependency.
 */
export const NODE_VERSIONS = ["22.23.3", "24.21.0", "26.12.1"] as const;
export const BUN = "@oven/bun-linux-x64@1.4.5";
export const DENO = "@deno/linux-x64-glibc@2.9.6";
export const WORKERD = "@cloudflare/workerd-linux-64@1.20261117.1";

/**
 * The TypeScript versions the consumers compile with: the lowest one the client supports under
 * `skipLibCheck: false` (5.0–5.3 fail inside openapi-fetch's own types), and the newest 5.x, 6.x
 * and 7.x. The first must equal the minimum the client's README declares.
 */
export const TYPESCRIPT_VERSIONS = ["5.4.2", "5.9.3", "6.0.3", "7.0.2"] as const;

/** The consumers' own @types/node: the workspace's. */
export const TYPES_NODE = "@types/node@20.19.43";

/** The optional peer of `@pingback/client/otel`, installed beside the tarballs as a user would. */
export const OPENTELEMETRY_API = "@opentelemetry/api@1.10.0";
