/**
 * The otel entry's own HMAC-SHA-256 (it must be synchronous and run on workerd, where neither
 * WebCrypto's async HMAC nor `node:crypto` will do): RFC 4231's test vectors, then `node:crypto`
 * on keys and messages around the block boundaries (55/56 bytes: where the length spills into a
 * second block; 64: a whole block; over 64: a key hashed first).
 */
import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { hmacSha256 } from "../src/otel/hmac.js";

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const text = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// RFC 4231, section 4: HMAC-SHA-256 of test cases 1 to 7 (case 5 is truncated to 128 bits).
const RFC_4231 = [
  {
    key: bytes("0b".repeat(20)),
    data: text("Hi There"),
    mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
  },
  {
    key: text("Jefe"),
    data: text("what do ya want for nothing?"),
    mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  },
  {
    key: bytes("aa".repeat(20)),
    data: bytes("dd".repeat(50)),
    mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
  },
  {
    key: bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
    data: bytes("cd".repeat(50)),
    mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
  },
  {
    key: bytes("0c".repeat(20)),
    data: text("Test With Truncation"),
    mac: "a3b6167473100ee06e0c796c2955552b",
  },
  {
    key: bytes("aa".repeat(131)),
    data: text("Test Using Larger Than Block-Size Key - Hash Key First"),
    mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  },
  {
    key: bytes("aa".repeat(131)),
    data: text(
      "This is a test using a larger than block-size key and a larger than block-size data. " +
        "The key needs to be hashed before being used by the HMAC algorithm.",
    ),
    mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
  },
];

describe("hmacSha256", () => {
  test.each(RFC_4231.map((c, i) => ({ ...c, n: i + 1 })))("RFC 4231 test case $n", (c) => {
    expect(hex(hmacSha256(c.key)(c.data))).toMatch(new RegExp(`^${c.mac}`));
  });

  test("equals node:crypto's for keys and messages of every length around the block boundaries", () => {
    const lengths = [0, 1, 16, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200];
    for (const keyLength of lengths) {
      const key = randomBytes(keyLength);
      const mac = hmacSha256(Uint8Array.from(key));
      for (const length of lengths) {
        const message = randomBytes(length);
        expect(hex(mac(Uint8Array.from(message)))).toBe(
          createHmac("sha256", key).update(message).digest("hex"),
        );
      }
    }
  });

  test("one key, many messages: each hash is independent of the ones before", () => {
    const key = text("a key used for many contacts, 32+");
    const mac = hmacSha256(key);
    for (const email of ["a@b.com", "jane.doe+tag@example.org", "ünïcødé@exämple.de", "a@b.com"]) {
      expect(hex(mac(text(email)))).toBe(createHmac("sha256", key).update(email).digest("hex"));
    }
  });
});
