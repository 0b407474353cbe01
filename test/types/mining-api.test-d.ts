// Compile-time guarantees of the generated Stratum V1 types.
import { describe, expectTypeOf, it } from 'vitest';
import type { MiningNotifyParams, MiningServerNotifications } from '../../src/mining.js';

describe('mining.notify', () => {
  it('is a labelled nine-tuple', () => {
    expectTypeOf<MiningServerNotifications['mining.notify']>().toEqualTypeOf<MiningNotifyParams>();
    expectTypeOf<MiningNotifyParams[8]>().toEqualTypeOf<boolean>();
    expectTypeOf<MiningNotifyParams[4]>().toEqualTypeOf<string[]>();
    // @ts-expect-error clean_jobs is a boolean
    const bad: MiningNotifyParams = ['bf', 'aa', '01', '02', [], '00000002', '1c2ac4af', '504e86b9', 'true'];
    void bad;
  });
});

import type { MiningClientApi, MiningSubmitParams } from '../../src/mining.js';
declare const miner: MiningClientApi;

describe('mining client wrappers', () => {
  it('type submit with 5 or 6 params and refuse other shapes', () => {
    expectTypeOf(miner.mining.submit('w', 'bf', '00000001', '504e86b9', 'b2957c02')).resolves.toEqualTypeOf<boolean>();
    expectTypeOf<MiningSubmitParams['length']>().toEqualTypeOf<5 | 6>();
    // @ts-expect-error the job id is missing
    void miner.mining.submit('w');
    // @ts-expect-error version bits are a hex string, not a boolean
    void miner.mining.submit('w', 'bf', '00000001', '504e86b9', 'b2957c02', true);
    // @ts-expect-error no such method
    void miner.mining.notify();
  });
});
