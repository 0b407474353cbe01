// The typed wrappers' tree: the one a client binds is made from the method table at run time, and must be the
// generated one (codegen/names.mjs names the wrappers), key order included.
import { describe, expect, it } from 'vitest';
import { electrumClientTree } from '../../src/generated/electrum/client-api.js';
import { electrumClientRequestNames, electrumMethodTable } from '../../src/generated/electrum/table.js';
import { miningClientTree } from '../../src/generated/mining/client-api.js';
import { miningMethodTable } from '../../src/generated/mining/table.js';
import { electrumClientRequestRoots, electrumSubscriptionKeys, electrumUnsubscribes } from '../../src/generated/electrum/lite.js';
import { bindMethodTree, clientRequestTree, wireTree } from '../../src/runtime/bind.js';
import type { MethodDefinition } from '../../src/runtime/registry.js';

describe('clientRequestTree', () => {
  it('is the generated client tree of each protocol, in the same order', () => {
    expect(JSON.stringify(clientRequestTree(electrumMethodTable))).toBe(JSON.stringify(electrumClientTree));
    expect(JSON.stringify(clientRequestTree(miningMethodTable))).toBe(JSON.stringify(miningClientTree));
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

describe('wireTree (the lite client\'s wrappers)', () => {
  type Node = ((...params: unknown[]) => Promise<unknown>) & { [segment: string]: Node };
  const made = () => {
    const calls: [string, unknown[]][] = [];
    const tree = wireTree(electrumClientRequestRoots, async (method, params) => calls.push([method, params])) as Record<string, Node>;
    return { calls, tree };
  };
  const walk = (tree: Record<string, Node>, path: readonly string[]): Node => path.slice(1).reduce((node, key) => node[key] as Node, tree[path[0] as string] as Node);

  it('has the first segment of every client request as a root, and nothing else', () => {
    expect(electrumClientRequestRoots).toEqual([...new Set(electrumClientRequestNames.map((m) => m.split('.')[0]))].sort());
    expect(Object.keys(made().tree)).toEqual(electrumClientRequestRoots);
  });

  it("sends every client request under the generated tree's accessor, with trailing undefineds dropped", async () => {
    const { calls, tree } = made();
    const paths: string[][] = [];
    const collect = (node: Record<string, unknown>, path: string[]): void => {
      for (const [key, value] of Object.entries(node)) typeof value === 'string' ? paths.push([...path, key]) : collect(value as Record<string, unknown>, [...path, key]);
    };
    collect(electrumClientTree as Record<string, unknown>, []);
    expect(paths).toHaveLength(electrumClientRequestNames.length);
    for (const path of paths) await walk(tree, path)('a', undefined);
    expect(calls).toEqual([...electrumClientRequestNames].sort().map((m) => [m, ['a']]));
  });

  it("leaves the language's own names alone: await, JSON, strings, call/apply/bind, symbols", async () => {
    const { calls, tree } = made();
    const getMerkle = walk(tree, ['blockchain', 'transaction', 'getMerkle']);
    expect(await (tree['blockchain'] as Node)).toBe(tree['blockchain']);
    expect(JSON.stringify({ api: tree['blockchain'], leaf: getMerkle })).toBe('{}');
    expect(String(getMerkle)).toMatch(/^function/);
    expect(Object.keys(tree['server'] as Node)).toEqual([]);
    expect((getMerkle as unknown as Record<symbol, unknown>)[Symbol.iterator]).toBeUndefined();
    await getMerkle.call(null, 'aa', 1);
    await getMerkle.apply(null, ['bb', 2]);
    await getMerkle.bind(null, 'cc')(3);
    expect(calls).toEqual([
      ['blockchain.transaction.get_merkle', ['aa', 1]],
      ['blockchain.transaction.get_merkle', ['bb', 2]],
      ['blockchain.transaction.get_merkle', ['cc', 3]],
    ]);
  });

  it('takes "name" and "length" as wire segments, as blockchain.name.get_value_proof needs', async () => {
    const { calls, tree } = made();
    await walk(tree, ['blockchain', 'name', 'getValueProof'])('n');
    expect(calls).toEqual([['blockchain.name.get_value_proof', ['n']]]);
  });
});
