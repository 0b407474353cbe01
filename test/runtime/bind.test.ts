// The typed wrappers' tree: the one a client binds is made from the method table at run time, and must be the
// generated one (codegen/names.mjs names the wrappers), key order included.
import { describe, expect, it } from 'vitest';
import { electrumClientTree } from '../../src/generated/electrum/client-api.js';
import { electrumMethodTable } from '../../src/generated/electrum/table.js';
import { miningClientTree } from '../../src/generated/mining/client-api.js';
import { miningMethodTable } from '../../src/generated/mining/table.js';
import { electrumClientRequestNames, electrumSubscriptionKeys, electrumUnsubscribes } from '../../src/generated/electrum/lite.js';
import { bindMethodTree, clientRequestTree, requestTree } from '../../src/runtime/bind.js';
import type { MethodDefinition } from '../../src/runtime/registry.js';

describe('clientRequestTree', () => {
  it('is the generated client tree of each protocol, in the same order', () => {
    expect(JSON.stringify(clientRequestTree(electrumMethodTable))).toBe(JSON.stringify(electrumClientTree));
    expect(JSON.stringify(clientRequestTree(miningMethodTable))).toBe(JSON.stringify(miningClientTree));
  });

  it("is, from the lite client's wire names alone, the same tree", () => {
    expect(JSON.stringify(requestTree(electrumClientRequestNames))).toBe(JSON.stringify(electrumClientTree));
  });

  it("the lite client's subscription facts are the method table's", () => {
    const table = electrumMethodTable as Record<string, MethodDefinition>;
    const keyed = Object.entries(table).filter(([, d]) => d.kind === 'subscription' && d.subscriptionKey);
    expect(Object.keys(electrumSubscriptionKeys).sort()).toEqual(keyed.map(([m]) => m).sort());
    for (const [method, def] of keyed) {
      const k = def.subscriptionKey as NonNullable<MethodDefinition['subscriptionKey']>;
      expect(electrumSubscriptionKeys[method]).toBe(k.inNotifications === 'script-hash' ? -1 : k.params);
    }
    const ends = Object.entries(table).filter(([, d]) => d.ends !== undefined);
    expect(electrumUnsubscribes).toEqual(Object.fromEntries(ends.map(([m, d]) => [m, d.ends])));
  });

  it('leaves out notifications and what only a server sends, and camelCases each segment', () => {
    const def = (kind: MethodDefinition['kind'], direction: MethodDefinition['direction']): MethodDefinition => ({ kind, direction, status: 'standard', params: [], additionalParams: false, results: [] });
    const tree = clientRequestTree({
      'a.get_fee_2x': def('request', 'client-to-server'),
      'a.sub': def('subscription', 'both'),
      'a.note': def('notification', 'server-to-client'),
      'b.ask': def('request', 'server-to-client'),
    });
    expect(tree).toEqual({ a: { getFee2x: 'a.get_fee_2x', sub: 'a.sub' } });
  });

  it('binds wrappers that call by wire name', async () => {
    const calls: unknown[] = [];
    const api = bindMethodTree(clientRequestTree(electrumMethodTable), async (method, params) => calls.push([method, params])) as {
      blockchain: { transaction: { getMerkle(...p: unknown[]): Promise<unknown> } };
    };
    await api.blockchain.transaction.getMerkle('aa', 1, undefined);
    expect(calls).toEqual([['blockchain.transaction.get_merkle', ['aa', 1]]]);
  });
});
