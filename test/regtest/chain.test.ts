import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/bitcoin/bytes.js';
import { scriptHash } from '../../src/bitcoin/scripthash.js';
import { checkProofOfWork, verifyHeaderChain } from '../../src/bitcoin/header.js';
import { merkleBranch, verifyTransactionInHeader } from '../../src/bitcoin/merkle.js';
import { GENESIS_COINBASE, heightPush, RegtestChain, REGTEST_GENESIS_HASH, subsidy, TransactionRejected } from '../../src/regtest/chain.js';
import { parseTransaction, serializeTransaction, type TransactionData } from '../../src/bitcoin/tx.js';

const P2WPKH_A = `0014${'11'.repeat(20)}`;
const P2WPKH_B = `0014${'22'.repeat(20)}`;
const SH_A = scriptHash(P2WPKH_A);
const SH_B = scriptHash(P2WPKH_B);

/** A transaction spending `outpoints` to `outputs`; no signatures (the chain does not run scripts). */
function spend(outpoints: [string, number][], outputs: [string, number][]): string {
  const tx: TransactionData = {
    version: 2,
    inputs: outpoints.map(([txid, vout]) => ({ txid, vout, scriptSig: '', sequence: 0xfffffffd, witness: ['01'] })),
    outputs: outputs.map(([scriptPubKey, value]) => ({ scriptPubKey, value: BigInt(value) })),
    locktime: 0,
  };
  return bytesToHex(serializeTransaction(tx));
}

describe('RegtestChain', () => {
  it('starts at the real regtest genesis block', () => {
    const chain = new RegtestChain();
    expect(chain.height).toBe(0);
    expect(chain.tip.hash).toBe(REGTEST_GENESIS_HASH);
    expect(chain.genesisHash).toBe('0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206');
  });

  it('mines linked blocks with valid proof of work and a coinbase that pays the address', () => {
    const chain = new RegtestChain();
    const blocks = [chain.mine(P2WPKH_A), chain.mine(P2WPKH_A), chain.mine(P2WPKH_A)];
    expect(chain.height).toBe(3);
    expect(verifyHeaderChain([chain.block(0)!.header, ...blocks.map((b) => b.header)], { network: 'regtest' }).valid).toBe(true);
    for (const b of blocks) expect(checkProofOfWork(b.header, { network: 'regtest' })).toBe(true);
    expect(chain.balance(SH_A)).toEqual({ confirmed: 3 * 50e8, unconfirmed: 0 });
    expect(chain.history(SH_A).map((h) => h.height)).toEqual([1, 2, 3]);
    const coinbase = chain.transaction(blocks[0]!.txids[0]!)!;
    expect(coinbase.blockHash).toBe(blocks[0]!.hash);
    expect(coinbase.tx.outputs[0]!.scriptPubKey).toBe(P2WPKH_A);
  });

  it('accepts a spend into the mempool, then confirms it with its fee in the next coinbase', () => {
    const chain = new RegtestChain();
    const first = chain.mine(P2WPKH_A);
    for (let i = 0; i < 100; i++) chain.mine(P2WPKH_B);
    const touched: string[][] = [];
    chain.events.on('transaction', (_txid, sh) => touched.push([...sh].sort()));
    const txid = chain.acceptTransaction(spend([[first.txids[0]!, 0]], [[P2WPKH_B, 49e8], [P2WPKH_A, 0.5e8]]));
    expect(touched).toEqual([[SH_A, SH_B].sort()]);
    expect(chain.balance(SH_A)).toEqual({ confirmed: 50e8, unconfirmed: -49.5e8 });
    expect(chain.mempoolHistory(SH_A)).toEqual([{ tx_hash: txid, height: 0, fee: 0.5e8 }]);
    // A child of the mempool transaction has an unconfirmed input: height -1.
    const child = chain.acceptTransaction(spend([[txid, 1]], [[P2WPKH_A, 0.4e8]]));
    expect(chain.mempoolHistory(SH_A).find((h) => h.tx_hash === child)?.height).toBe(-1);
    const block = chain.mine(P2WPKH_B);
    expect(block.txids).toEqual([block.txids[0], txid, child]);
    expect(chain.transaction(txid)).toMatchObject({ height: 102, pos: 1, blockHash: block.hash });
    const coinbase = chain.transaction(block.txids[0]!)!.tx;
    expect(coinbase.outputs[0]!.value).toBe(BigInt(50e8 + 0.5e8 + 0.1e8));
    expect(chain.balance(SH_A)).toEqual({ confirmed: 0.4e8, unconfirmed: 0 });
    expect(chain.mempool()).toEqual([]);
    // get_merkle data: the branch of the tx folds to the merkle root in the block's header.
    expect(verifyTransactionInHeader(txid, { merkle: merkleBranch(block.txids, 1), pos: 1 }, block.header)).toBe(true);
    // SH_A's history: the first coinbase, the spend and its child, in block order.
    expect(chain.history(SH_A)).toEqual([
      { tx_hash: first.txids[0], height: 1 },
      { tx_hash: txid, height: 102 },
      { tx_hash: child, height: 102 },
    ]);
  });

  it('refuses double spends, unknown inputs, immature coinbases, overspends and garbage', () => {
    const chain = new RegtestChain();
    const first = chain.mine(P2WPKH_A);
    const reason = (raw: string) => {
      try {
        chain.acceptTransaction(raw);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(TransactionRejected);
        return (e as Error).message;
      }
    };
    expect(reason(spend([[first.txids[0]!, 0]], [[P2WPKH_B, 1]]))).toMatch(/coinbase output only 1 blocks deep/);
    for (let i = 0; i < 100; i++) chain.mine(P2WPKH_B);
    expect(reason(spend([['ab'.repeat(32), 0]], [[P2WPKH_B, 1]]))).toMatch(/does not exist/);
    expect(reason(spend([[first.txids[0]!, 0]], [[P2WPKH_B, 51e8]]))).toMatch(/exceed inputs/);
    expect(reason('00')).toMatch(/does not parse/);
    expect(reason(spend([[first.txids[0]!, 0]], [[P2WPKH_B, 1]]))).toBe('accepted');
    expect(reason(spend([[first.txids[0]!, 0]], [[P2WPKH_B, 2]]))).toMatch(/already spent by mempool transaction/);
  });

  it('times blocks as Bitcoin Core does: after the median of the last 11, so fast mining does not outrun the clock', () => {
    const now = 1_800_000_000;
    const chain = new RegtestChain({ now: () => now });
    for (let i = 0; i < 120; i++) {
      const mtp = chain.medianTimePast;
      const block = chain.mine(P2WPKH_A);
      expect(block.time).toBeGreaterThan(mtp);
    }
    // One second per ~6 blocks past the clock, where "tip time + 1" would have been 120 seconds.
    expect(chain.tip.time - now).toBeLessThanOrEqual(21);
    expect(chain.tip.time - now).toBeGreaterThan(0);

    // A solved header whose time is not after the median time past is refused.
    const template = chain.template();
    const header = new Uint8Array(chain.tip.header);
    header.set(hexToBytes(template.prevHash).reverse(), 4);
    new DataView(header.buffer).setUint32(68, chain.medianTimePast, true);
    expect(() => chain.submitBlock(header, new Uint8Array(0), [])).toThrow(/time-too-old/);
  });

  it('encodes heights as BIP34 wants and halves the subsidy every 150 blocks', () => {
    expect(bytesToHex(heightPush(1))).toBe('51');
    expect(bytesToHex(heightPush(17))).toBe('0111');
    expect(bytesToHex(heightPush(128))).toBe('028000');
    expect(bytesToHex(heightPush(500))).toBe('02f401');
    expect([subsidy(149), subsidy(150), subsidy(300)]).toEqual([50e8, 25e8, 12.5e8]);
  });

  it('round-trips segwit and legacy transactions', () => {
    const segwit = spend([['cd'.repeat(32), 3]], [[P2WPKH_A, 1234]]);
    const parsed = parseTransaction(segwit);
    expect(bytesToHex(serializeTransaction(parsed))).toBe(segwit);
    // The regtest genesis coinbase (legacy) round-trips too, and hashes to the genesis merkle root.
    const genesis = parseTransaction(GENESIS_COINBASE);
    expect(bytesToHex(serializeTransaction(genesis))).toBe(GENESIS_COINBASE);
    expect(genesis.txid).toBe('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    expect(genesis.weight).toBe(genesis.size * 4);
    expect(parsed.txid).not.toBe(parsed.wtxid);
    // Stripped of marker and flag (2 bytes) and the witness (count, length, one byte: 3 bytes).
    expect(parsed.weight).toBe((parsed.size - 2 - 3) * 3 + parsed.size);
  });

  describe('reorg', () => {
    /** A chain at height 101 whose first coinbase (block 1, paying A) is spendable; the spend is confirmed in block 102. */
    function spentChain() {
      const chain = new RegtestChain();
      const first = chain.mine(P2WPKH_A);
      for (let i = 0; i < 100; i++) chain.mine(P2WPKH_B);
      const txid = chain.acceptTransaction(spend([[first.txids[0]!, 0]], [[P2WPKH_B, 49e8], [P2WPKH_A, 0.5e8]]));
      const block = chain.mine(P2WPKH_B);
      return { chain, first, txid, block };
    }

    it('replaces the last blocks, returns their transactions to the mempool and keeps every index right', () => {
      const { chain, first, txid, block } = spentChain();
      const before = { height: chain.height, tip: chain.tip.hash };
      const events: string[] = [];
      chain.events.on('reorg', (r) => events.push(`reorg ${r.depth} to ${r.ancestor.height} (tip ${chain.height})`));
      chain.events.on('block', (b, touched) => events.push(`block ${b.height}${touched.has(SH_A) ? ' A' : ''}`));
      const result = chain.reorg(1);
      expect(result.depth).toBe(1);
      expect(result.disconnected.map((b) => b.hash)).toEqual([before.tip]);
      expect(result.connected).toHaveLength(1);
      expect(chain.height).toBe(before.height);
      expect(chain.tip.hash).not.toBe(before.tip);
      expect(chain.tip.hash).toBe(result.connected[0]!.hash);
      expect(chain.block(chain.height)!.headerHex).toBe(result.connected[0]!.headerHex);
      // The spend is back in the mempool; the disconnected coinbase is gone.
      expect(result.returned).toEqual([txid]);
      expect(result.dropped).toEqual([block.txids[0]]);
      expect(chain.transaction(block.txids[0]!)).toBeUndefined();
      expect(chain.transaction(txid)).toMatchObject({ height: 0, pos: -1 });
      expect(chain.mempool().map((t) => t.txid)).toEqual([txid]);
      expect(chain.history(SH_A)).toEqual([{ tx_hash: first.txids[0], height: 1 }, { tx_hash: txid, height: 0, fee: 0.5e8 }]);
      expect(chain.balance(SH_A)).toEqual({ confirmed: 50e8, unconfirmed: -49.5e8 });
      // reorg at the ancestor, then the new block naming the script hashes the reorganisation touched.
      expect(events).toEqual([`reorg 1 to ${before.height - 1} (tip ${before.height - 1})`, `block ${before.height} A`]);
      // The chain still links and still mines: the next block confirms the returned spend.
      const headers = Array.from({ length: chain.height + 1 }, (_, h) => chain.block(h)!.header);
      expect(verifyHeaderChain(headers, { network: 'regtest' }).valid).toBe(true);
      const next = chain.mine(P2WPKH_B);
      expect(next.txids).toContain(txid);
      expect(chain.balance(SH_A)).toEqual({ confirmed: 0.5e8, unconfirmed: 0 });
    });

    it('goes deeper, mines more blocks than it drops, and drops what spends a disconnected coinbase', () => {
      const chain = new RegtestChain();
      for (let i = 0; i < 10; i++) chain.mine(P2WPKH_A);
      const old = Array.from({ length: 11 }, (_, h) => chain.block(h)!.hash);
      expect(chain.history(SH_A)).toHaveLength(10);
      const result = chain.reorg(6, { blocks: 7, payoutScript: P2WPKH_B });
      expect(result.ancestor.height).toBe(4);
      expect(result.disconnected.map((b) => b.height)).toEqual([5, 6, 7, 8, 9, 10]);
      expect(result.connected.map((b) => b.height)).toEqual([5, 6, 7, 8, 9, 10, 11]);
      expect(chain.height).toBe(11);
      for (let h = 0; h <= 4; h++) expect(chain.block(h)!.hash).toBe(old[h]);
      for (let h = 5; h <= 10; h++) expect(chain.block(h)!.hash).not.toBe(old[h]);
      expect(chain.history(SH_A).map((e) => e.height)).toEqual([1, 2, 3, 4]);
      expect(chain.history(SH_B).map((e) => e.height)).toEqual([5, 6, 7, 8, 9, 10, 11]);
      expect(chain.balance(SH_A)).toEqual({ confirmed: 4 * 50e8, unconfirmed: 0 });
      // The same depth again builds yet another branch, never one block of the first.
      const again = chain.reorg(1);
      expect(again.connected[0]!.hash).not.toBe(result.connected[6]!.hash);
      expect(() => chain.reorg(0)).toThrow(RangeError);
      expect(() => chain.reorg(chain.height + 1)).toThrow(RangeError);
    });

    it('confirms the returned transactions in the first new block when asked', () => {
      const { chain, txid } = spentChain();
      const result = chain.reorg(1, { blocks: 2, confirmMempool: true });
      expect(result.connected[0]!.txids).toContain(txid);
      expect(chain.transaction(txid)).toMatchObject({ height: result.connected[0]!.height, pos: 1 });
      expect(chain.mempool()).toEqual([]);
    });

    it('drops a mempool transaction whose input a reorganisation removed', () => {
      const { chain, txid } = spentChain();
      // A child of the confirmed spend waits in the mempool; a reorg of 2 disconnects block 101 too, whose
      // coinbase funds nothing here, and block 102, whose spend comes back: the child stays valid.
      const child = chain.acceptTransaction(spend([[txid, 1]], [[P2WPKH_A, 0.4e8]]));
      const result = chain.reorg(2);
      expect(result.returned).toEqual([txid]);
      expect(chain.mempool().map((t) => t.txid)).toEqual([txid, child]);
      expect(chain.mempoolHistory(SH_A).find((e) => e.tx_hash === child)?.height).toBe(-1);
      // Disconnecting block 1 removes the coinbase the spend came from: the spend and its child are dropped.
      const deep = chain.reorg(chain.height, { payoutScript: P2WPKH_B });
      expect(deep.dropped).toEqual(expect.arrayContaining([txid, child]));
      expect(chain.mempool()).toEqual([]);
      expect(chain.history(SH_A)).toEqual([]);
    });
  });
});
