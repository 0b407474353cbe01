// sha256d (SHA-256 applied twice) for the hashes a wallet's sync computes by the tens of thousands: every txid and
// every merkle node it proves. @noble/hashes' hasher (hash.ts) is what everything else uses; here its compression is
// written out again without the hasher around it (buffering, a DataView a digest, an array a state copy, the schedule
// wiped after each digest), which cost a fifth as much again as the compression itself for inputs this short; and a
// merkle node's padding block, the same for every node, has its message schedule worked out once. The same function as
// noble's, held to it over every length up to several blocks (test/bitcoin/sha256d.test.ts).

/** The round constants (FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes). */
// prettier-ignore
const K = /* @__PURE__ */ Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** The initial hash value (FIPS 180-4 §5.3.3). */
// prettier-ignore
const IV = /* @__PURE__ */ Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The message schedule being worked on; its first 16 words are the block. */
const W = new Int32Array(64);
/** The hash state. */
const S = new Int32Array(8);
/** The schedule of the padding block that follows a 64-byte message (a merkle node's two children), worked out once. */
const PAD64 = /* @__PURE__ */ (() => {
  const w = new Int32Array(64);
  w[0] = 0x80000000 | 0;
  w[15] = 512;
  expand(w);
  return w;
})();

/** Words 16..63 of a schedule whose first 16 are set. */
function expand(w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15] as number;
    const w2 = w[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (s1 + (w[i - 7] as number) + s0 + (w[i - 16] as number)) | 0;
  }
}

/** One compression of the state S with the expanded schedule `w`. */
function compress(w: Int32Array): void {
  let a = S[0] as number;
  let b = S[1] as number;
  let c = S[2] as number;
  let d = S[3] as number;
  let e = S[4] as number;
  let f = S[5] as number;
  let g = S[6] as number;
  let h = S[7] as number;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (w[i] as number)) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  S[0] = ((S[0] as number) + a) | 0;
  S[1] = ((S[1] as number) + b) | 0;
  S[2] = ((S[2] as number) + c) | 0;
  S[3] = ((S[3] as number) + d) | 0;
  S[4] = ((S[4] as number) + e) | 0;
  S[5] = ((S[5] as number) + f) | 0;
  S[6] = ((S[6] as number) + g) | 0;
  S[7] = ((S[7] as number) + h) | 0;
}

/** The 16 big-endian words of the 64 bytes at `o` of `bytes` into W. */
function load(bytes: Uint8Array, o: number): void {
  for (let i = 0; i < 16; i++, o += 4) W[i] = ((bytes[o] as number) << 24) | ((bytes[o + 1] as number) << 16) | ((bytes[o + 2] as number) << 8) | (bytes[o + 3] as number);
}

/** The second SHA-256, of the state S as 32 bytes, written into `out` at `at`. */
function second(out: Uint8Array, at: number): void {
  for (let i = 0; i < 8; i++) W[i] = S[i] as number;
  W[8] = 0x80000000 | 0;
  for (let i = 9; i < 15; i++) W[i] = 0;
  W[15] = 256;
  expand(W);
  S.set(IV);
  compress(W);
  for (let i = 0; i < 8; i++, at += 4) {
    const word = S[i] as number;
    out[at] = word >>> 24;
    out[at + 1] = word >>> 16;
    out[at + 2] = word >>> 8;
    out[at + 3] = word;
  }
}

/** sha256d of the first `length` bytes of `data`, written into `out` at `at` (32 bytes; `out` may be `data`). */
export function sha256dOf(data: Uint8Array, length: number, out: Uint8Array, at = 0): void {
  if (!(length >= 0 && length <= data.length)) throw new RangeError(`sha256dOf: length ${length} is outside the data (${data.length} bytes)`);
  S.set(IV);
  let o = 0;
  for (; o + 64 <= length; o += 64) {
    load(data, o);
    expand(W);
    compress(W);
  }
  // The last bytes, 0x80, zeros, and the length in bits: one block, or two when fewer than 9 bytes are left for them.
  const left = length - o;
  W.fill(0, 0, 16);
  for (let i = 0; i < left; i++) W[i >> 2] = (W[i >> 2] as number) | ((data[o + i] as number) << (24 - 8 * (i & 3)));
  W[left >> 2] = (W[left >> 2] as number) | (0x80 << (24 - 8 * (left & 3)));
  if (left >= 56) {
    expand(W);
    compress(W);
    W.fill(0, 0, 16);
  }
  // Lengths in bits up to 2^53: the high word is what is above 2^32.
  W[14] = Math.floor(length / 0x20000000) | 0;
  W[15] = (length * 8) | 0;
  expand(W);
  compress(W);
  second(out, at);
}

/**
 * sha256d of the 64 bytes at `from` of `pair` (a merkle node's two children, left then right), written into `out` at
 * `at` (which may overlap them: the input is read first).
 */
export function sha256d64(pair: Uint8Array, from: number, out: Uint8Array, at: number): void {
  if (!(from >= 0 && from + 64 <= pair.length)) throw new RangeError(`sha256d64: 64 bytes from ${from} are outside the data (${pair.length} bytes)`);
  S.set(IV);
  load(pair, from);
  expand(W);
  compress(W);
  compress(PAD64);
  second(out, at);
}
