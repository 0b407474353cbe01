// The lean MiningClient (stratum-sdk/mining/lean) against a fake pool on 127.0.0.1: it runs a session as the
// full client does, keeps its state from spec-valid values only whatever it is given (the session's
// validators are always carried), and checks the other methods only when given their validators.
import { afterEach, describe, expect, it } from 'vitest';
import { MiningClient as FullClient } from '../../src/mining.js';
import { MiningClient } from '../../src/mining/lean.js';
import { mining_submit } from '../../src/mining/validators.js';
import { ValidationError } from '../../src/runtime/errors.js';
import { job, standardPool, startFakePool, type FakePool } from '../helpers/fake-pool.js';
import { until } from '../helpers/wait.js';

let pools: FakePool[] = [];
let miners: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(miners.map((m) => m.close()));
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
  miners = [];
});

const SHARE = ['slush.miner1', 'bf', '00000001', '504e86ed', 'b2957c02'] as const;
const BAD_SHARE = ['slush.miner1', 'bf', 'not hex', '504e86ed', 'b2957c02'] as const;

async function pool() {
  const p = await startFakePool(standardPool());
  pools.push(p);
  return p;
}

describe('the lean MiningClient', () => {
  it('runs a session as the full client does', async () => {
    const p = await pool();
    const miner = await MiningClient.connect(p.url, { validate: false });
    miners.push(miner);
    const result = await miner.start({ user: 'slush.miner1', password: 'x' });
    expect(result.subscription.extranonce2Size).toBe(4);
    expect(miner.currentJob).toMatchObject({ jobId: 'bf', difficulty: 1024 });
    expect(await miner.mining.submit(...SHARE)).toBe(true);
  });

  it('keeps a job that breaks the spec out of its state, even with validate: false', async () => {
    const p = await pool();
    const miner = await MiningClient.connect(p.url, { validate: false });
    miners.push(miner);
    await miner.start({ user: 'slush.miner1', password: 'x' });
    const conn = await p.connection(0);
    const bad = job('c0');
    bad[1] = 'not a previous block hash';
    const heard: unknown[] = [];
    miner.on('mining.notify', (...params) => heard.push(params[0]));
    conn.notify('mining.notify', bad);
    await until(() => heard.length === 1, 'the notification to reach the listeners');
    // Heard (validate: false), but the job in place is still the pool's first one.
    expect(heard).toEqual(['c0']);
    expect(miner.currentJob?.jobId).toBe('bf');
    conn.notify('mining.notify', job('c1'));
    await until(() => miner.currentJob?.jobId === 'c1', 'a valid job to replace it');
  });

  it('sends unchecked what it has no validators for, and checks what it is given', async () => {
    const p = await pool();
    const lean = await MiningClient.connect(p.url);
    const checked = await MiningClient.connect(p.url, { validators: { 'mining.submit': mining_submit } });
    const full = await FullClient.connect(p.url);
    miners.push(lean, checked, full);
    for (const m of [lean, checked, full]) await m.start({ user: 'slush.miner1', password: 'x' });
    // The fake pool accepts any share: the lean client's reaches it.
    expect(await lean.mining.submit(...BAD_SHARE)).toBe(true);
    await expect(checked.mining.submit(...BAD_SHARE)).rejects.toBeInstanceOf(ValidationError);
    await expect(full.mining.submit(...BAD_SHARE)).rejects.toBeInstanceOf(ValidationError);
  });

  it('the client of stratum-sdk/mining is a lean client that validates every method by default', () => {
    expect(FullClient.prototype).toBeInstanceOf(MiningClient);
    expect(FullClient.name).toBe('MiningClient');
  });
});
