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

/** Runs `script` on `redis` with EVALSHA, falling back to EVAL when Redis answers NOSCRIPT. */
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
  // The first call sends the script whole (EVAL caches it), and calls made meanwhile wait for it:
  // a burst of EVALSHA before Redis knows the script would each fail with NOSCRIPT first.
  let loaded: Promise<unknown> | undefined;
  return async (keys, args) => {
    if (!loaded) {
      const first = byText(keys, args);
      loaded = first.catch(() => {
        loaded = undefined; // not loaded: the next call tries again
      });
      return first;
    }
    await loaded;
    try {
      return await bySha(await hash, keys, args);
    } catch (error) {
      if (!String((error as Error)?.message).includes("NOSCRIPT")) throw error;
      return byText(keys, args); // after a restart, a failover or SCRIPT FLUSH
    }
  };
}

/**
 * The store's own second connection, told of each grant on the account's channel. Made with the
 * user's connection's `duplicate()`, so it has the same settings (TLS, ACL, Sentinel); without
 * one, waiters fall back to asking Redis on a timer. Its socket does not keep the process alive.
 */
export interface Subscription {
  /** True while subscribed; messages published meanwhile may be lost when it is false. */
  readonly ready: boolean;
  /** Resolves once first subscribed (never rejects). */
  readonly subscribed: Promise<void>;
  close(): Promise<void>;
}

export interface SubscriptionEvents {
  message(text: string): void;
  /** The connection was lost: messages may be lost until `up`. */
  down(error?: unknown): void;
  /** Subscribed again after `down`: whatever was published meanwhile must be asked for. */
  up(): void;
}

interface Emitter {
  on(event: string, listener: (...args: never[]) => void): unknown;
}
interface NodeRedisSubscriber extends Emitter {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  unref?(): void;
  destroy?(): void;
  disconnect?(): Promise<unknown>;
}
interface IoRedisSubscriber extends Emitter {
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
  stream?: { unref?(): void };
}

/** Subscribes a duplicate of `redis` to `channel`; undefined when `redis` cannot be duplicated. */
export function subscribe(
  redis: RedisConnection,
  channel: string,
  events: SubscriptionEvents,
): Subscription | undefined {
  const duplicate = (redis as { duplicate?: () => unknown }).duplicate;
  if (typeof duplicate !== "function") return undefined;
  const nodeRedis = typeof (redis as NodeRedisLike).evalSha === "function";
  let sub: NodeRedisSubscriber & IoRedisSubscriber;
  try {
    sub = duplicate.call(redis) as NodeRedisSubscriber & IoRedisSubscriber;
  } catch {
    return undefined; // waiters ask Redis on a timer instead
  }
  if (typeof sub?.on !== "function" || typeof sub.subscribe !== "function") return undefined;
  let ready = false;
  let closed = false;
  const lost = (error?: unknown) => {
    if (closed) return;
    const was = ready;
    ready = false;
    if (was || error !== undefined) events.down(error);
  };
  // Required by node-redis (an unhandled 'error' ends the process) and quiets ioredis.
  sub.on("error", (error: never) => lost(error));
  for (const event of ["close", "end", "reconnecting"]) sub.on(event, () => lost());
  let subscribed = false;
  sub.on("ready", () => {
    // The first 'ready' comes before the subscription; later ones after a reconnect, which both
    // libraries follow by subscribing again.
    if (!subscribed || closed) return;
    ready = true;
    events.up();
  });
  const unref = () => (nodeRedis ? sub.unref?.() : sub.stream?.unref?.());
  sub.on("connect", unref);
  const start = async () => {
    if (nodeRedis) {
      await sub.connect();
      unref();
      await sub.subscribe(channel, (message) => events.message(message));
    } else {
      sub.on("message", ((_: string, message: string) => events.message(message)) as never);
      await sub.subscribe(channel);
    }
    subscribed = true;
    if (closed) return;
    ready = true;
    events.up();
  };
  const first = start().catch((error: unknown) => lost(error ?? new Error("subscribe failed")));
  return {
    get ready() {
      return ready;
    },
    subscribed: first,
    async close() {
      closed = true;
      ready = false;
      if (!nodeRedis) sub.disconnect();
      else if (typeof sub.destroy === "function") sub.destroy();
      else await sub.disconnect?.().catch(() => {});
    },
  };
}
