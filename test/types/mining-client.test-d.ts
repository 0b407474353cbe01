// Compile-time guarantees of the MiningClient: wrappers, the typed request, state getters and events.
import { describe, expectTypeOf, it } from 'vitest';
import type { MiningClient } from '../../src/clients/mining-client.js';
import type { MiningJob, MiningStartResult, MiningSubscribeTriple, ReconnectInfo, ReconnectRequest } from '../../src/clients/mining-types.js';
import type { MiningConfigureResult } from '../../src/generated/mining/types.js';
import type { StratumSdkError } from '../../src/runtime/errors.js';

declare const miner: MiningClient;
const SHARE = ['w', 'bf', '00000001', '504e86ed', 'b2957c02'] as const;

describe('wrappers', () => {
  it('type every request a miner sends', () => {
    expectTypeOf(miner.mining.subscribe('cpuminer/2.5.1', 'f55d67b1')).resolves.toEqualTypeOf<MiningSubscribeTriple>();
    expectTypeOf(miner.mining.authorize('w', 'x')).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(miner.mining.submit(...SHARE)).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(miner.mining.submit(...SHARE, '00002000')).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(miner.mining.configure(['version-rolling'], { 'version-rolling.mask': '1fffe000' })).resolves.toEqualTypeOf<MiningConfigureResult>();
    expectTypeOf(miner.mining.extranonce.subscribe()).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(miner.mining.suggestDifficulty(1024)).resolves.toEqualTypeOf<boolean>();
  });

  it('refuse wrong params', () => {
    // @ts-expect-error a share needs five params
    void miner.mining.submit('w', 'bf', '00000001', '504e86ed');
    // @ts-expect-error version bits are hex, not a number
    void miner.mining.submit(...SHARE, 8192);
    // @ts-expect-error the difficulty is a number
    void miner.mining.suggestDifficulty('1024');
    // @ts-expect-error extranonce.subscribe takes no params
    void miner.mining.extranonce.subscribe(true);
    // @ts-expect-error mining.notify is the pool's, not a request
    void miner.mining.notify();
  });
});

describe('request', () => {
  it('picks params and result by wire name', () => {
    expectTypeOf(miner.request('mining.submit', [...SHARE], { timeout: 5000 })).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(miner.request('mining.subscribe', [])).resolves.toEqualTypeOf<MiningSubscribeTriple>();
    expectTypeOf(miner.requestIfAnswered('mining.suggest_difficulty', [64])).resolves.toEqualTypeOf<boolean | undefined>();
    // @ts-expect-error client.get_version is asked by the pool, not sent by the client
    void miner.request('client.get_version', []);
    // @ts-expect-error authorize needs a username
    void miner.request('mining.authorize', []);
    // @ts-expect-error no such method
    void miner.request('mining.nope', []);
  });

  it('start resolves to the subscription and the configure answer', () => {
    expectTypeOf(miner.start({ user: 'w' })).resolves.toEqualTypeOf<MiningStartResult>();
    // @ts-expect-error a worker is needed
    void miner.start({ password: 'x' });
  });
});

describe('state and events', () => {
  it('exposes the session state read-only', () => {
    expectTypeOf(miner.extranonce1).toEqualTypeOf<string | undefined>();
    expectTypeOf(miner.difficulty).toEqualTypeOf<number>();
    expectTypeOf(miner.currentJob).toEqualTypeOf<MiningJob | undefined>();
    expectTypeOf(miner.jobs).toEqualTypeOf<ReadonlyMap<string, MiningJob>>();
    // @ts-expect-error state is changed by the pool, not by assignment
    miner.difficulty = 2;
  });

  it('types each event', () => {
    miner.on('mining.notify', (jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean) => {
      expectTypeOf(jobId).toEqualTypeOf<string>();
      expectTypeOf(branch).toEqualTypeOf<string[]>();
      expectTypeOf(clean).toEqualTypeOf<boolean>();
      void [prevhash, coinb1, coinb2, version, nbits, ntime];
    });
    miner.on('mining.set_difficulty', (difficulty) => expectTypeOf(difficulty).toEqualTypeOf<number>());
    miner.on('client.reconnect', (host, port, wait) => {
      expectTypeOf(host).toEqualTypeOf<string | null | undefined>();
      expectTypeOf(port).toEqualTypeOf<number | string | null | undefined>();
      expectTypeOf(wait).toEqualTypeOf<number | null | undefined>();
    });
    miner.on('job', (job) => expectTypeOf(job).toEqualTypeOf<MiningJob>());
    miner.on('extranonce', (e1, size) => expectTypeOf<[typeof e1, typeof size]>().toEqualTypeOf<[string, number]>());
    miner.on('version-mask', (mask) => expectTypeOf(mask).toEqualTypeOf<string | undefined>());
    miner.on('reconnect-request', (r) => expectTypeOf(r).toEqualTypeOf<ReconnectRequest>());
    miner.on('reconnect', (info) => expectTypeOf(info).toEqualTypeOf<ReconnectInfo>());
    miner.on('close', (error) => expectTypeOf(error).toEqualTypeOf<StratumSdkError | undefined>());
    // @ts-expect-error set_difficulty carries a number
    miner.on('mining.set_difficulty', (difficulty: string) => void difficulty);
    // @ts-expect-error no such event
    miner.on('mining.nope', () => undefined);
  });
});
