// The server half of bench/world-notify.mjs, forked so that its memory is measured alone: the regtest
// world (Electrum over its in-memory chain) mining one block per request from the parent. Each block
// confirms a transaction paying the script hashes the parent names, so those subscribers are notified.
//
// IPC in:  {type:'start-world', changesPerBlock, totalScripthashes} | {type:'memory', label} |
//          {type:'mine', index} | {type:'profile-start'} | {type:'profile-stop'} | {type:'stop'}
// IPC out: {type:'ready', url} | {type:'memory', label, usage} | {type:'mined', ...} |
//          {type:'profile-started'} | {type:'profile', summary} | {type:'error', message}
import { addressToScriptPubKey, bytesToHex, scriptHash, serializeTransaction } from '../dist/bitcoin.js';
import { statusOf } from '../dist/regtest/electrum-backend.js';
import { startWorld } from '../dist/regtest/world.js';
import { startProfile, summarizeProfile } from './lib/profile.mjs';

/** The bench's script hashes (those numbered `from` to `count`): P2WPKH scripts over 20 distinct bytes, so every process derives the same list. */
export function benchScripts(count, from = 0) {
  const scripts = [];
  for (let i = from; i < count; i++) scripts.push(`0014${i.toString(16).padStart(8, '0')}${'ab'.repeat(16)}`);
  return scripts;
}

async function settledMemory() {
  if (typeof globalThis.gc === 'function') {
    for (let i = 0; i < 3; i++) {
      globalThis.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
  return { heapUsed, rss, external, arrayBuffers };
}

let world;
let payoutScript;
let scripts = [];
let changesPerBlock = 0;
let stopProfile;
/** Coinbase txids by height; the one 100 blocks deep funds the next block's transaction. */
const coinbases = new Map();

function mineOne(tag) {
  const block = world.chain.mine(payoutScript, { tag });
  coinbases.set(block.height, block.txids[0]);
  return block;
}

/** The next turn of the event loop: what the server wrote in this one (at its end, see TurnWriter) is out. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function mineWithChanges(index) {
  const chosen = [];
  for (let k = 0; k < changesPerBlock; k++) chosen.push((index * changesPerBlock + k) % scripts.length);
  // Spends the coinbase of height index+1: at tip 101+index it is exactly mature (COINBASE_MATURITY 100).
  const fundingHeight = index + 1;
  const txid = coinbases.get(fundingHeight);
  if (txid === undefined) throw new Error(`no coinbase at height ${fundingHeight}`);
  const value = BigInt(Math.floor(5_000_000_000 / chosen.length));
  const raw = serializeTransaction({
    version: 2,
    inputs: [{ txid, vout: 0, scriptSig: '', sequence: 0xffffffff, witness: [] }],
    outputs: chosen.map((i) => ({ value, scriptPubKey: scripts[i] })),
    locktime: 0,
  });
  // The mempool acceptance notifies too (a wallet sees the unconfirmed payment first), so each changed
  // script hash gets two notifications: the mempool status, timed from acceptedAt, then the confirmed
  // one, timed like the header from minedAt. The statuses are read outside both timed steps, each in a
  // turn of its own after the step's: the acceptance and the block are separate events in a real node,
  // and the server sends what a turn wrote when the turn ends, so the bench's bookkeeping must not hold it.
  const acceptedAt = Date.now();
  world.chain.acceptTransaction(bytesToHex(raw));
  const acceptDoneAt = Date.now();
  await nextTurn();
  const mempoolStatuses = chosen.map((i) => statusOf(world.chain, scriptHash(scripts[i])));
  await nextTurn();
  const minedAt = Date.now();
  const block = mineOne(`/bench ${index}/`);
  const doneAt = Date.now();
  await nextTurn();
  const confirmedStatuses = chosen.map((i) => statusOf(world.chain, scriptHash(scripts[i])));
  return { type: 'mined', index, height: block.height, acceptedAt, acceptDoneAt, minedAt, doneAt, chosen, mempoolStatuses, confirmedStatuses };
}

process.on('message', async (message) => {
  try {
    switch (message.type) {
      case 'start-world': {
        world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
        payoutScript = addressToScriptPubKey(world.payoutAddress, 'regtest');
        scripts = benchScripts(message.totalScripthashes);
        changesPerBlock = message.changesPerBlock;
        for (let i = 0; i < 101; i++) mineOne('/bench maturity/');
        process.send({ type: 'ready', url: world.urls.electrumTcp, height: world.chain.height });
        break;
      }
      case 'memory':
        process.send({ type: 'memory', label: message.label, usage: await settledMemory() });
        break;
      case 'mine':
        process.send(await mineWithChanges(message.index));
        break;
      case 'profile-start':
        stopProfile = await startProfile();
        process.send({ type: 'profile-started' });
        break;
      case 'profile-stop': {
        const profile = await stopProfile();
        process.send({ type: 'profile', summary: summarizeProfile(profile, message.top ?? 15) });
        break;
      }
      case 'stop':
        await world?.close();
        process.exit(0);
    }
  } catch (e) {
    process.send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
