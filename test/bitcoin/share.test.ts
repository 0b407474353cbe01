// The pool-side share check, on the share Public-Pool accepted (mujina capture).
import { describe, expect, it } from 'vitest';
import { BitcoinError, buildHeader, bytesToHex, parseNotify, ShareValidator } from '../../src/bitcoin.js';
import { PUBLIC_POOL_SHARE } from '../fixtures/bitcoin/stratum-captures.js';

const job = parseNotify(PUBLIC_POOL_SHARE.notify);
const session = {
  extranonce1: PUBLIC_POOL_SHARE.extranonce1,
  extranonce2Size: 4,
  versionMask: PUBLIC_POOL_SHARE.versionMask,
};
const { jobId: _jobId, ...submit } = PUBLIC_POOL_SHARE.submit;

describe('ShareValidator', () => {
  it('accepts the captured share at the pool difficulty, as Public-Pool did', () => {
    const check = new ShareValidator(job, session).check(submit, PUBLIC_POOL_SHARE.poolDifficulty);
    expect(check.accepted).toBe(true);
    expect(check.reason).toBeNull();
    expect(check.isBlock).toBe(false);
    expect(check.version).toBe(PUBLIC_POOL_SHARE.loggedVersion);
    expect(Math.abs(check.difficulty - PUBLIC_POOL_SHARE.loggedDifficulty)).toBeLessThan(0.05);
  });

  it('agrees with buildHeader on the header and hash', () => {
    const validator = new ShareValidator(job, session);
    const built = buildHeader(job, { ...session, ...submit });
    expect(bytesToHex(validator.header(submit))).toBe(built.header);
    expect(validator.check(submit, 1).hash).toBe(built.hash);
    expect(validator.coinbase(submit.extranonce2)).toBe(built.coinbase);
  });

  it('rejects it as low difficulty above what it achieved, and gives the same answer from the cache', () => {
    const validator = new ShareValidator(job, session);
    expect(validator.check(submit, 30_000)).toMatchObject({ accepted: false, reason: 'low-difficulty' });
    expect(validator.check(submit, 29_000)).toMatchObject({ accepted: true });
    expect(validator.check({ ...submit, nonce: '7552034d' }, 8192)).toMatchObject({
      accepted: false,
      reason: 'low-difficulty',
    });
    expect(validator.check(submit, 8192)).toMatchObject({ accepted: true });
  });

  it('rejects version bits outside the granted mask, and any when none was granted', () => {
    expect(new ShareValidator(job, session).check({ ...submit, versionBits: '20b44000' }, 1)).toMatchObject({
      accepted: false,
      reason: 'version-bits-not-allowed',
    });
    const noRolling = new ShareValidator(job, { extranonce1: session.extranonce1, extranonce2Size: 4 });
    expect(noRolling.check(submit, 1)).toMatchObject({ accepted: false, reason: 'version-bits-not-allowed' });
    const { versionBits: _v, ...plain } = submit;
    expect(noRolling.check(plain, 1).version).toBe(0x20000000);
  });

  it('throws BitcoinErrors for malformed fields, before or after the merkle root is cached', () => {
    const validator = new ShareValidator(job, session);
    expect(() => validator.check({ ...submit, extranonce2: '1700000000' }, 8192)).toThrow(BitcoinError);
    expect(() => validator.check({ ...submit, extranonce2: 'zz000000' }, 8192)).toThrow(BitcoinError);
    validator.check(submit, 8192);
    expect(() => validator.check({ ...submit, nonce: 'x' }, 8192)).toThrow(BitcoinError);
    expect(() => validator.check({ ...submit, ntime: '685468d' }, 8192)).toThrow(BitcoinError);
    expect(() => validator.check(submit, 0)).toThrow(BitcoinError);
    expect(() => new ShareValidator(job, { ...session, extranonce1: 'xyz' })).toThrow(BitcoinError);
  });
});
