/**
 * The one thing the store needs from a Redis connection: run a script by its SHA-1, or by its
 * text when Redis does not know it yet (NOSCRIPT: after a restart, a failover or SCRIPT FLUSH).
 * node-redis (v4 and later) and ioredis (v4 and later) are both accepted as they are.
 */

/** node-redis: `client.evalSha(sha, { keys, arguments })`. */
export interface NodeRedisLike {
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** ioredis: `redis.evalsha(sha, numKeys, ...keys, ...args)`. */
export interface IoRedisLike {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/** A connected client of either library. */
export type RedisConnection = NodeRedisLike | IoRedisLike;

export type RunScript = (keys: string[], args: string[]) => Promise<unknown>;

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs `script` on `redis` with EVALSHA, falling back to EVAL once when Redis answers NOSCRIPT. */
export function scriptRunner(redis: RedisConnection, script: string): RunScript {
  const hash = sha1(script);
  let bySha: (sha: string, keys: string[], args: string[]) => Promise<unknown>;
  let byText: (keys: string[], args: string[]) => Promise<unknown>;
  if (typeof (redis as NodeRedisLike).evalSha === "function") {
    const client = redis as NodeRedisLike;
    bySha = (sha, keys, args) => client.evalSha(sha, { keys, arguments: args });
    byText = (keys, args) => client.eval(script, { keys, arguments: args });
  } else if (typeof (redis as IoRedisLike).evalsha === "function") {
    const client = redis as IoRedisLike;
    bySha = (sha, keys, args) => client.evalsha(sha, keys.length, ...keys, ...args);
    byText = (keys, args) => client.eval(script, keys.length, ...keys, ...args);
  } else {
    throw new TypeError(
      "createRedisRateLimitStore: `redis` must be a node-redis client (`createClient()` from " +
        '"redis") or an ioredis client (`new Redis()` from "ioredis").',
    );
  }
  return async (keys, args) => {
    try {
      return await bySha(await hash, keys, args);
    } catch (error) {
      if (!String((error as Error)?.message).includes("NOSCRIPT")) throw error;
      return byText(keys, args); // EVAL also caches the script: the next EVALSHA finds it
    }
  };
}
