// The share check's own double SHA-256 of 80-byte headers (midstate kept across shares) must give
// exactly what @noble/hashes gives, whatever the bytes and however the prefix is reused.
import { describe, expect, it } from 'vitest';
import { buildHeader, bytesToHex, parseNotify, sha256d, ShareValidator } from '../../src/bitcoin.js';
import { HeaderHasher } from '../../src/bitcoin/header-hash.js';
import { PUBLIC_POOL_SHARE } from '../fixtures/bitcoin/stratum-captures.js';
import { random } from '../helpers/random.js';

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

describe('HeaderHasher', () => {
  it('matches sha256d on random headers, with the prefix taken once and the last 16 bytes varied', () => {
    const next = random(19);
    const hasher = new HeaderHasher();
    const out = new Uint8Array(32);
    for (let h = 0; h < 50; h++) {
      const header = Uint8Array.from({ length: 80 }, () => Math.floor(next() * 256));
      hasher.setPrefix(header);
      for (let k = 0; k < 20; k++) {
        for (let i = 64; i < 80; i++) header[i] = Math.floor(next() * 256);
        hasher.hashInto(header, out);
        expect(bytesToHex(out)).toBe(bytesToHex(sha256d(header)));
      }
    }
  });

  it('matches sha256d on edge bytes (all zero, all 0xff) and refuses a header of another length', () => {
    const hasher = new HeaderHasher();
    const out = new Uint8Array(32);
    for (const fill of [0x00, 0xff, 0x80, 0x7f]) {
      const header = new Uint8Array(80).fill(fill);
      hasher.setPrefix(header);
      hasher.hashInto(header, out);
      expect(bytesToHex(out)).toBe(bytesToHex(sha256d(header)));
    }
    expect(() => hasher.setPrefix(new Uint8Array(79))).toThrow(RangeError);
  });
});

describe('ShareValidator keeps the right midstate', () => {
  const job = parseNotify(PUBLIC_POOL_SHARE.notify);
  const session = { extranonce1: PUBLIC_POOL_SHARE.extranonce1, extranonce2Size: 4, versionMask: PUBLIC_POOL_SHARE.versionMask };
  const { jobId: _jobId, ...submit } = PUBLIC_POOL_SHARE.submit;

  it('gives buildHeader\'s hash for shares that change extranonce2, version bits, ntime and nonce in any order', () => {
    const next = random(7);
    const validator = new ShareValidator(job, session);
    // Few extranonce2 values and version bits, so the cached roots and prefixes are reused and switched.
    const extranonces = ['17000000', '00000001', 'ffffffff'];
    const versionBits = ['00b44000', '00000000', '1fffe000', undefined];
    for (let i = 0; i < 200; i++) {
      const bits = versionBits[Math.floor(next() * versionBits.length)];
      const share = {
        extranonce2: extranonces[Math.floor(next() * extranonces.length)] as string,
        ntime: hex8(0x685468d7 + Math.floor(next() * 4)),
        nonce: hex8(Math.floor(next() * 2 ** 32)),
        ...(bits === undefined ? {} : { versionBits: bits }),
      };
      const built = buildHeader(job, { ...session, ...share });
      expect(validator.check(share, 1).hash, JSON.stringify(share)).toBe(built.hash);
    }
    // And the captured share is still accepted after all that.
    expect(validator.check(submit, PUBLIC_POOL_SHARE.poolDifficulty).accepted).toBe(true);
  });

  it('rebuilds the prefix when a root was evicted from the cache and made again', () => {
    const validator = new ShareValidator(job, session);
    const first = validator.check(submit, 1).hash;
    // More extranonce2 values than the root cache holds (64): the first one's root is made again.
    for (let i = 0; i < 70; i++) validator.check({ ...submit, extranonce2: hex8(i + 1000) }, 1);
    expect(validator.check(submit, 1).hash).toBe(first);
  });
});
