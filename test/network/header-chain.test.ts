// The verified header chain on its own, fed by an in-memory source: extension in chunks, reorganisations by work,
// refusals (proof of work, bits above the limit, linkage, a chain without the checkpoint), a persisted store.
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../src/bitcoin/bytes.js';
import { sha256d } from '../../src/bitcoin/hash.js';
import { blockHash, serializeHeaderBytes } from '../../src/bitcoin/header.js';
import { bitsToTarget, hashMeetsTarget } from '../../src/bitcoin/target.js';
import { GENESIS, REGTEST_GENESIS, TESTNET4_GENESIS } from '../../src/network/checkpoints.js';
import { ChainProblem, HEADERS_CHUNK, HeaderChain, headerWork, type HeaderChainOptions, type HeaderSource } from '../../src/network/header-chain.js';
import { MemoryHeaderStore } from '../../src/network/header-store.js';
import { badPow } from '../../src/regtest/lying-server.js';

const REGTEST_BITS = 0x207fffff;

/** `count` headers on top of `prevHash` with valid proof of work; `tag` makes a branch its own. */
function headers(prevHash: string, count: number, tag: number, bits = REGTEST_BITS): string[] {
  const out: string[] = [];
  let prev = prevHash;
  for (let i = 0; i < count; i++) {
    const merkleRoot = bytesToHex(sha256d(new TextEncoder().encode(`${tag}:${i}`)));
    for (let nonce = 0; ; nonce++) {
      const bytes = serializeHeaderBytes({ version: 0x20000000, prevHash: prev, merkleRoot, time: 1_700_000_000 + i, bits, nonce });
      if (hashMeetsTarget(sha256d(bytes), bitsToTarget(bits))) {
        out.push(bytesToHex(bytes));
        prev = blockHash(bytes);
        break;
      }
    }
  }
  return out;
}

/** A server whose chain is the genesis header then `chain`; counts its requests. */
function source(chain: () => readonly string[]): HeaderSource & { calls: string[] } {
  const calls: string[] = [];
  const all = () => [REGTEST_GENESIS.header as string, ...chain()];
  return {
    calls,
    header: async (height) => {
      calls.push(`header ${height}`);
      const h = all()[height];
      if (h === undefined) throw new Error(`no header ${height}`);
      return h;
    },
    headers: async (start, count) => {
      calls.push(`headers ${start}`);
      return all().slice(start, start + count);
    },
  };
}

const tipOf = (chain: readonly string[]) => ({ height: chain.length, hex: chain[chain.length - 1] as string });

async function started(network: 'regtest' | 'mainnet' = 'regtest', options: HeaderChainOptions = {}) {
  const chain = new HeaderChain(new MemoryHeaderStore(), REGTEST_GENESIS, network, options);
  await chain.init();
  return chain;
}

describe('HeaderChain', () => {
  it('starts at the checkpoint and extends chunk by chunk past the 2016-header limit', async () => {
    const chain = await started();
    const main = headers(REGTEST_GENESIS.hash, HEADERS_CHUNK + 50, 1);
    const server = source(() => main);
    const result = await chain.follow(server, tipOf(main), false);
    expect(result).toMatchObject({ kind: 'extended', oldTip: { height: 0 }, newTip: { height: HEADERS_CHUNK + 50, hash: blockHash(main.at(-1)!) } });
    expect(server.calls).toEqual(['header 0', 'headers 1', `headers ${HEADERS_CHUNK + 1}`]);
    expect(await chain.header(HEADERS_CHUNK)).toBe(main[HEADERS_CHUNK - 1]);
    // The next block links to the tip: taken with no request at all.
    const more = headers(blockHash(main.at(-1)!), 1, 2);
    main.push(...more);
    server.calls.length = 0;
    expect(await chain.follow(server, tipOf(main), false)).toMatchObject({ kind: 'extended' });
    expect(server.calls).toEqual([]);
    expect(await chain.follow(server, { height: 5, hex: main[4]! }, false)).toEqual({ kind: 'same' });
  });

  it('walks back to the common ancestor and switches to more work; as much work only when preferred', async () => {
    const chain = await started();
    const main = headers(REGTEST_GENESIS.hash, 20, 1);
    await chain.follow(source(() => main), tipOf(main), false);
    // A fork of 6 blocks above height 14, with 7 blocks: more work.
    const fork = [...main.slice(0, 14), ...headers(blockHash(main[13]!), 7, 2)];
    const server = source(() => fork);
    const result = await chain.follow(server, tipOf(fork), false);
    expect(result).toMatchObject({ kind: 'reorg', depth: 6, ancestor: { height: 14, hash: blockHash(main[13]!) }, oldTip: { height: 20 }, newTip: { height: 21, hash: blockHash(fork.at(-1)!) } });
    // Heights 20, 19, 17, 13 asked (steps 1, 2, 4), then the headers above 13; 14 is found shared and skipped.
    expect(server.calls).toEqual(['header 20', 'header 19', 'header 17', 'header 13', 'headers 14']);
    for (let h = 1; h <= 21; h++) expect(await chain.header(h)).toBe(fork[h - 1]);

    // The same depth with as much work: followed only from the preferred server.
    const tie = [...fork.slice(0, 20), ...headers(blockHash(fork[19]!), 1, 3)];
    expect(await chain.follow(source(() => tie), tipOf(tie), false)).toEqual({ kind: 'weaker' });
    expect(chain.tip?.hash).toBe(blockHash(fork.at(-1)!));
    expect(await chain.follow(source(() => tie), tipOf(tie), true)).toMatchObject({ kind: 'reorg', depth: 1 });
    // Less work is never followed.
    const shorter = [...tie.slice(0, 15), ...headers(blockHash(tie[14]!), 2, 4)];
    expect(await chain.follow(source(() => shorter), tipOf(shorter), true)).toEqual({ kind: 'weaker' });
    expect(chain.tip?.hash).toBe(blockHash(tie.at(-1)!));
  });

  it('weighs work by bits, not by length', async () => {
    // Regtest's rules keep its bits fixed (the next test): they are off here to give one header harder bits.
    const chain = await started('regtest', { difficultyRules: false });
    const easy = headers(REGTEST_GENESIS.hash, 3, 1);
    await chain.follow(source(() => easy), tipOf(easy), false);
    // One block 16 times harder outweighs three easy ones.
    const hard = headers(REGTEST_GENESIS.hash, 1, 2, 0x2007ffff);
    expect(headerWork(0x2007ffff)).toBeGreaterThan(3n * headerWork(REGTEST_BITS));
    expect(await chain.follow(source(() => hard), tipOf(hard), false)).toMatchObject({ kind: 'reorg', depth: 3, newTip: { height: 1 } });
  });

  it('refuses a header without its proof of work, one above the limit, and a run that does not link', async () => {
    const chain = await started();
    const main = headers(REGTEST_GENESIS.hash, 5, 1);
    const bad = main.map((h, i) => (i === 4 ? badPow(h) : h));
    await expect(chain.follow(source(() => bad), tipOf(bad), false)).rejects.toMatchObject({ kind: 'bad-header', message: expect.stringMatching(/hash above its target/) });
    // Inside a run: the proof of work of header 3 fails, the tip announced is fine.
    const inside = main.map((h, i) => (i === 2 ? badPow(h) : h));
    await expect(chain.follow(source(() => inside), tipOf(inside), false)).rejects.toMatchObject({ kind: 'bad-header' });
    expect(chain.tip?.height).toBe(0);
    // Regtest's easy bits are far above mainnet's limit.
    const mainnet = await started('mainnet');
    await expect(mainnet.follow(source(() => main), tipOf(main), false)).rejects.toMatchObject({ kind: 'bad-header', message: expect.stringMatching(/mainnet proof-of-work limit/) });
    // A run whose second chunk does not link to the first: its chain moved (not a lie).
    const moved = headers(REGTEST_GENESIS.hash, 3, 9);
    const unlinked = { ...source(() => main), headers: async () => moved.slice(1) };
    await expect(chain.follow(unlinked, tipOf(main), false)).rejects.toMatchObject({ kind: 'changed' });
    expect(new ChainProblem('changed', 'x')).toBeInstanceOf(Error);
  });

  it("refuses bits the network's difficulty rules do not give, at a retarget boundary and inside a period", async () => {
    const chain = await started();
    // Harder bits carry more work and their own proof of work, but regtest never retargets.
    const harder = headers(REGTEST_GENESIS.hash, 1, 1, 0x2007ffff);
    await expect(chain.follow(source(() => harder), tipOf(harder), true)).rejects.toMatchObject({ kind: 'bad-header', message: expect.stringMatching(/nBits 0x2007ffff, but the regtest difficulty rules give 0x207fffff/) });
    // A whole period, then a boundary block with other bits: the chunk holding it is refused, the tip stays.
    const main = headers(REGTEST_GENESIS.hash, HEADERS_CHUNK - 1, 2);
    await chain.follow(source(() => main), tipOf(main), true);
    const boundary = [...main, ...headers(blockHash(main.at(-1)!), 1, 3, 0x2007ffff)];
    await expect(chain.follow(source(() => boundary), tipOf(boundary), true)).rejects.toMatchObject({ kind: 'bad-header', message: expect.stringMatching(/header 2016: nBits/) });
    expect(chain.tip?.height).toBe(HEADERS_CHUNK - 1);
    const good = [...main, ...headers(blockHash(main.at(-1)!), 2, 3)];
    expect(await chain.follow(source(() => good), tipOf(good), true)).toMatchObject({ kind: 'extended', newTip: { height: HEADERS_CHUNK + 1 } });
  });

  it("stores the checkpoint's period from its first block, fetched and checked against the checkpoint's hash", async () => {
    const main = headers(REGTEST_GENESIS.hash, 10, 1);
    const checkpoint = { height: 7, hash: blockHash(main[6]!), header: main[6]! };
    const store = new MemoryHeaderStore();
    const chain = new HeaderChain(store, checkpoint, 'regtest');
    // Its header alone is not enough: the rules read the headers of its period before it.
    expect(await chain.canInitAlone()).toBe(false);
    await expect(chain.init()).rejects.toThrow(/multiple of 2016/);
    const server = source(() => main);
    await chain.init(server);
    expect(server.calls).toEqual(['headers 0']);
    expect(store.range()).toEqual({ base: 0, tip: 7 });
    expect(await chain.header(6)).toBeUndefined(); // below the checkpoint: context, not a header the chain answers for
    // Fewer headers than asked, or a run that does not link: refused.
    const short = { ...source(() => main), headers: async () => main.slice(0, 3) };
    await expect(new HeaderChain(new MemoryHeaderStore(), checkpoint, 'regtest').init(short)).rejects.toMatchObject({ kind: 'changed' });
    const broken = { ...source(() => main), headers: async () => [REGTEST_GENESIS.header!, ...main.slice(1, 7), main[6]!] }; // 1 missing, 7 twice
    await expect(new HeaderChain(new MemoryHeaderStore(), checkpoint, 'regtest').init(broken)).rejects.toMatchObject({ kind: 'bad-header' });
    // A checkpoint at a period's first block with its header needs no server.
    expect(await new HeaderChain(new MemoryHeaderStore(), REGTEST_GENESIS, 'regtest').canInitAlone()).toBe(true);
    expect(await new HeaderChain(store, checkpoint, 'regtest').canInitAlone()).toBe(true);
  });

  it('refuses a chain without the checkpoint', async () => {
    const main = headers(REGTEST_GENESIS.hash, 10, 1);
    const chain = new HeaderChain(new MemoryHeaderStore(), { height: 5, hash: blockHash(main[4]!) }, 'regtest');
    await chain.init(source(() => main));
    const other = headers(REGTEST_GENESIS.hash, 12, 2);
    await expect(chain.follow(source(() => other), tipOf(other), true)).rejects.toMatchObject({ kind: 'other-chain' });
    await expect(chain.follow(source(() => other), { height: 5, hex: other[4]! }, true)).rejects.toMatchObject({ kind: 'other-chain' });
    expect(await chain.follow(source(() => main), { height: 3, hex: main[2]! }, true)).toEqual({ kind: 'behind' });
    const fresh = new HeaderChain(new MemoryHeaderStore(), { height: 5, hash: blockHash(main[4]!) }, 'regtest');
    await expect(fresh.init(source(() => other))).rejects.toMatchObject({ kind: 'other-chain' });
    expect(() => new HeaderChain(new MemoryHeaderStore(), { height: 5, hash: blockHash(main[4]!), header: other[4]! }, 'regtest')).toThrow(RangeError);
  });

  it('picks up a stored chain that holds the checkpoint, and clears one that does not', async () => {
    const store = new MemoryHeaderStore();
    const main = headers(REGTEST_GENESIS.hash, 8, 1);
    const first = new HeaderChain(store, REGTEST_GENESIS, 'regtest');
    await first.init();
    await first.follow(source(() => main), tipOf(main), false);
    const second = new HeaderChain(store, REGTEST_GENESIS, 'regtest');
    expect(await second.canInitAlone()).toBe(true);
    await second.init();
    expect(second.tip).toMatchObject({ height: 8, hash: blockHash(main[7]!) });
    const elsewhere = new HeaderChain(store, { height: 3, hash: 'ab'.repeat(32), header: undefined }, 'regtest');
    expect(await elsewhere.canInitAlone()).toBe(false);
    await expect(elsewhere.init()).rejects.toThrow(RangeError);
    expect(store.range()).toBeUndefined();
  });

  it('knows each network genesis', () => {
    for (const checkpoint of [...Object.values(GENESIS), TESTNET4_GENESIS]) expect(blockHash(checkpoint.header!)).toBe(checkpoint.hash);
    expect(GENESIS.mainnet.hash).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
  });
});

describe('MemoryHeaderStore', () => {
  it('keeps one run of headers, replaced from a height up, across its blocks of 2016', () => {
    const store = new MemoryHeaderStore();
    const h = (n: number) => n.toString(16).padStart(160, '0');
    store.replace(10, [h(1), h(2), h(3)]);
    expect(store.range()).toEqual({ base: 10, tip: 12 });
    store.replace(12, [h(4), h(5)]);
    expect([store.get(11), store.get(12), store.get(13), store.get(9), store.get(14)]).toEqual([h(2), h(4), h(5), undefined, undefined]);
    store.replace(11, []);
    expect(store.range()).toEqual({ base: 10, tip: 10 });
    expect(() => store.replace(13, [h(6)])).toThrow(RangeError);
    const many = Array.from({ length: 5000 }, (_, i) => h(i + 100));
    store.replace(11, many);
    expect(store.range()).toEqual({ base: 10, tip: 5010 });
    expect([store.get(10), store.get(11), store.get(2026), store.get(2027), store.get(5010)]).toEqual([h(1), h(100), h(2115), h(2116), h(5099)]);
    store.replace(2030, [h(7)]);
    expect([store.get(2029), store.get(2030), store.get(2031)]).toEqual([h(2118), h(7), undefined]);
    store.clear();
    expect(store.range()).toBeUndefined();
  });
});
