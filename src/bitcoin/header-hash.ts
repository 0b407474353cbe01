// Double SHA-256 of 80-byte block headers, for a pool's share check: the hash every share needs, and
// nearly all of its cost. A share changes only the last 16 bytes of the header (the end of the merkle
// root, ntime, nbits, nonce) as long as its version and merkle root stay, so the state after the first
// 64-byte block (the midstate) is kept and each share costs two compressions instead of three, written
// into buffers of ours instead of new ones. Checked against @noble/hashes' sha256 in the tests.

// SHA-256 round constants (FIPS 180-4, 4.2.2) and initial state (5.3.3).
const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

export const HEADER_BYTES = 80;

/** Hashes 80-byte headers that share their first 64 bytes (see setPrefix); not safe across concurrent use. */
export class HeaderHasher {
  readonly #w = new Int32Array(64);
  readonly #mid = new Int32Array(8);
  readonly #state = new Int32Array(8);

  /** Takes the header's first 64 bytes (version, previous hash, most of the merkle root) as the common prefix. */
  setPrefix(header: Uint8Array): void {
    if (header.length !== HEADER_BYTES) throw new RangeError(`a header is ${HEADER_BYTES} bytes, got ${header.length}`);
    const w = this.#w;
    for (let i = 0; i < 16; i++) w[i] = readBE(header, i * 4);
    this.#mid.set(IV);
    compress(this.#mid, w);
  }

  /**
   * sha256d(header) into `out` (32 bytes, internal byte order), for a header whose first 64 bytes are
   * the ones last given to setPrefix: only its last 16 bytes are read.
   */
  hashInto(header: Uint8Array, out: Uint8Array): void {
    const w = this.#w;
    const s = this.#state;
    // The second block: the header's last 16 bytes, then padding and the length, 640 bits.
    s.set(this.#mid);
    w[0] = readBE(header, 64);
    w[1] = readBE(header, 68);
    w[2] = readBE(header, 72);
    w[3] = readBE(header, 76);
    w[4] = 0x80000000 | 0;
    w.fill(0, 5, 15);
    w[15] = 640;
    compress(s, w);
    // The second hash: the 32-byte digest, padding and the length, 256 bits, from the initial state.
    for (let i = 0; i < 8; i++) w[i] = s[i] as number;
    w[8] = 0x80000000 | 0;
    w.fill(0, 9, 15);
    w[15] = 256;
    s.set(IV);
    compress(s, w);
    for (let i = 0; i < 8; i++) {
      const v = s[i] as number;
      out[i * 4] = v >>> 24;
      out[i * 4 + 1] = v >>> 16;
      out[i * 4 + 2] = v >>> 8;
      out[i * 4 + 3] = v;
    }
  }
}

function readBE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
}

/** One SHA-256 compression of the 16 words in w[0..16) into `state` (w is used as the schedule). */
function compress(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15] as number;
    const w2 = w[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (s1 + (w[i - 7] as number) + s0 + (w[i - 16] as number)) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (w[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] as number) + a;
  state[1] = (state[1] as number) + b;
  state[2] = (state[2] as number) + c;
  state[3] = (state[3] as number) + d;
  state[4] = (state[4] as number) + e;
  state[5] = (state[5] as number) + f;
  state[6] = (state[6] as number) + g;
  state[7] = (state[7] as number) + h;
}
