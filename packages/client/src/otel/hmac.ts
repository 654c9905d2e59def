/**
 * HMAC-SHA-256 (RFC 2104, FIPS 180-4), synchronous and in plain JavaScript. Spans are built from
 * the client's synchronous events, and every runtime the client claims must hash alike: WebCrypto's
 * HMAC is asynchronous, and workerd has no `node:crypto` unless a flag turns it on. The inputs are
 * short (a path parameter): three blocks each, a few µs. Checked against RFC 4231's test vectors
 * and `node:crypto` (test/hmac.test.ts).
 */

/**
 * SHA-256's round constants (K) and initial state (H0): the first 32 bits of the fractional parts
 * of the cube roots of the first 64 primes, and of the square roots of the first 8, as FIPS 180-4
 * defines them. Computed instead of written out: 72 words of hex do not compress.
 */
const K = new Int32Array(64);
const H0 = new Int32Array(8);
for (let n = 2, found = 0; found < 64; n++) {
  let prime = true;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
  if (!prime) continue;
  if (found < 8) H0[found] = (n ** 0.5 % 1) * 2 ** 32;
  K[found++] = (Math.cbrt(n) % 1) * 2 ** 32;
}

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** The message schedule: one for all, as hashing is synchronous. */
const w = new Int32Array(64);

/** Hashes each 64-byte block of `data` into `state`. */
function compress(state: Int32Array, data: Uint8Array): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < data.length; at += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(at + 4 * i);
    // From 16 on only: an index below 0 would be read out of bounds, which V8 does slowly.
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15] ?? 0;
      const y = w[i - 2] ?? 0;
      w[i] =
        (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) +
        (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10)) +
        (w[i - 7] ?? 0) +
        (w[i - 16] ?? 0);
    }
    let a = state[0] ?? 0;
    let b = state[1] ?? 0;
    let c = state[2] ?? 0;
    let d = state[3] ?? 0;
    let e = state[4] ?? 0;
    let f = state[5] ?? 0;
    let g = state[6] ?? 0;
    let h = state[7] ?? 0;
    for (let i = 0; i < 64; i++) {
      const t1 =
        h +
        (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
        ((e & f) ^ (~e & g)) +
        (K[i] ?? 0) +
        (w[i] ?? 0);
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const words = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) state[i] = (state[i] ?? 0) + (words[i] ?? 0);
  }
}

/** The digest of `data`, continued from `state` after `before` bytes (whole blocks) were hashed. */
function finish(state: Int32Array, data: Uint8Array, before: number): Uint8Array {
  const words = state.slice();
  const padded = new Uint8Array((data.length + 72) & ~63);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = (before + data.length) * 8;
  view.setUint32(padded.length - 8, bits / 2 ** 32);
  view.setUint32(padded.length - 4, bits);
  compress(words, padded);
  for (let i = 0; i < 8; i++) view.setInt32(4 * i, words[i] ?? 0);
  return padded.subarray(0, 32);
}

/** The state after one block: the key padded with zeros to 64 bytes, XOR `pad`. */
function keyed(key: Uint8Array, pad: number): Int32Array {
  const state = H0.slice();
  compress(
    state,
    Uint8Array.from({ length: 64 }, (_, i) => (key[i] ?? 0) ^ pad),
  );
  return state;
}

/**
 * HMAC-SHA-256 with `key`: a function of the message. The key's two padded blocks are hashed once,
 * here, so each message costs its own blocks and one more.
 */
export function hmacSha256(key: Uint8Array): (message: Uint8Array) => Uint8Array {
  const block = key.length > 64 ? finish(H0, key, 0) : key;
  const inner = keyed(block, 0x36);
  const outer = keyed(block, 0x5c);
  return (message) => finish(outer, finish(inner, message, 64), 64);
}
