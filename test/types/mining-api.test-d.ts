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
