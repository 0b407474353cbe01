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
});
