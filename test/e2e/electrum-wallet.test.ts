// The real Electrum wallet against the regtest world: it negotiates 1.4, follows the headers, syncs a
// seed wallet's history, checks each confirmed transaction's merkle proof (Electrum counts no
// confirmation before its SPV check passes), signs a spend, broadcasts it through the world's server
// and sees it in the mempool and then confirmed.
// Runs when `electrum` is installed (Debian: apt-get install electrum). CI installs it and sets
// STRATUM_SDK_REAL_ELECTRUM=required, so there a missing wallet fails instead of skipping.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressToScriptPubKey } from '../../src/bitcoin/address.js';
import { scriptHash } from '../../src/bitcoin/scripthash.js';
import { tapWorld } from '../../src/conformance/transcript-recorder.js';
import { transcriptHeader, transcriptLine } from '../../src/conformance/transcript.js';
import { TrafficChecker } from '../../src/conformance/traffic/checker.js';
import { formatFinding } from '../../src/conformance/traffic/findings.js';
import { COINBASE_MATURITY, DEFAULT_PAYOUT_ADDRESS, startWorld, type World } from '../../src/regtest.js';
import { electrumVersion, startElectrumDaemon, type ElectrumDaemon } from './electrum-daemon.js';

const version = electrumVersion();
const required = process.env.STRATUM_SDK_REAL_ELECTRUM === 'required';

interface HistoryItem {
  txid: string;
  height: number;
  confirmations: number;
  incoming: boolean;
}
interface History {
  transactions: HistoryItem[];
}

describe.runIf(required && version === undefined)('the real Electrum wallet', () => {
  it('is installed, as STRATUM_SDK_REAL_ELECTRUM=required says it must be', () => {
    expect.fail('electrum is not on PATH (set ELECTRUM_BIN, or apt-get install electrum)');
  });
});

describe.runIf(version !== undefined)(`the real Electrum wallet (${version ?? 'not installed'}) against the regtest world`, { timeout: 120_000 }, () => {
  let world: World;
  let daemon: ElectrumDaemon;
  let wallet: string;
  let address: string;
  // Every message of the session, checked as it happens (what `serve --check-clients` does) and kept as a
  // transcript; STRATUM_SDK_RECORD_WALLET=<file> writes it out (how the fixture in test/fixtures/transcripts was made).
  const checker = new TrafficChecker();
  const transcript: string[] = [];

  const height = () => daemon.rpc<{ blockchain_height: number; connected: boolean }>('getinfo');
  const history = async () => (await daemon.rpc<History>('onchain_history', { wallet })).transactions;

  beforeAll(async () => {
    world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0 } });
    tapWorld(world, {
      message: (m) => {
        checker.feed(m);
        transcript.push(transcriptLine({ t: m.t ?? Date.now(), conn: m.conn, dir: m.dir, line: m.line }));
      },
      end: (conn) => checker.end(conn),
    });
    const url = new URL(world.urls.electrumTcp);
    daemon = await startElectrumDaemon({ host: url.hostname, port: Number(url.port) });
    await daemon.waitFor('a connection to the world', async () => ((await height()).connected ? true : undefined));
    wallet = `${daemon.dir}/wallet`;
    await daemon.rpc('create', { wallet_path: wallet, seed_type: 'segwit' });
    await daemon.rpc('load_wallet', { wallet_path: wallet });
    address = await daemon.rpc<string>('getunusedaddress', { wallet });
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    await world?.close();
  });

  it('negotiates protocol 1.4 with the server, as Electrum 4 requires', () => {
    const sessions = [...world.electrum.sessions];
    expect(sessions.length).toBeGreaterThan(0);
    for (const session of sessions) {
      expect(session.clientName).toMatch(/^electrum\/4\./);
      expect(session.protocolVersion).toBe('1.4');
    }
  });

  it('follows the chain and syncs the coinbase history of its own address', async () => {
    const script = addressToScriptPubKey(address, 'regtest');
    const blocks = COINBASE_MATURITY + 2;
    for (let i = 0; i < blocks; i++) world.chain.mine(script);

    await daemon.waitFor(`the tip at height ${blocks}`, async () => ((await height()).blockchain_height === blocks ? true : undefined));
    const items = await daemon.waitFor(`${blocks} verified coinbase transactions`, async () => {
      const h = await history();
      return h.length === blocks && h.every((t) => t.confirmations > 0) ? h : undefined;
    });
    expect(items.map((t) => t.height).sort((a, b) => a - b)).toEqual(Array.from({ length: blocks }, (_, i) => i + 1));

    const balance = await daemon.rpc<{ confirmed: string; unmatured?: string }>('getbalance', { wallet });
    const { confirmed } = world.chain.balance(scriptHash(script));
    expect(Math.round((Number(balance.confirmed) + Number(balance.unmatured ?? 0)) * 1e8)).toBe(confirmed);
    // Coinbases 100 blocks deep are spendable; Electrum reports the younger ones as unmatured.
    expect(Number(balance.confirmed)).toBeGreaterThan(0);
    expect(Number(balance.unmatured)).toBeGreaterThan(0);
  });

  it('signs a spend, broadcasts it through the server and sees it confirmed with a checked merkle proof', async () => {
    const destination = DEFAULT_PAYOUT_ADDRESS;
    const destinationHash = scriptHash(addressToScriptPubKey(destination, 'regtest'));
    const raw = await daemon.rpc<string>('payto', { wallet, destination, amount: '1.25', fee: '0.0001' });
    const txid = await daemon.rpc<string>('broadcast', { tx: raw });
    expect(world.chain.mempool().map((t) => t.txid)).toContain(txid);

    // The wallet learns of its own transaction from the server's status notification, unconfirmed.
    const pending = await daemon.waitFor('the spend in the mempool', async () => (await history()).find((t) => t.txid === txid));
    expect(pending.height).toBeLessThanOrEqual(0);
    expect(pending.confirmations).toBe(0);

    const block = world.chain.mine(addressToScriptPubKey(destination, 'regtest'));
    const mined = await daemon.waitFor('the spend confirmed and SPV-verified', async () => {
      const item = (await history()).find((t) => t.txid === txid);
      return item && item.confirmations > 0 ? item : undefined;
    });
    expect(mined.height).toBe(block.height);
    expect(world.chain.transaction(txid)?.height).toBe(block.height);
    // Asked through the wallet, answered by the world's blockchain.scripthash.get_balance.
    const paid = await daemon.rpc<{ confirmed: string }>('getaddressbalance', { address: destination });
    expect(Math.round(Number(paid.confirmed) * 1e8)).toBe(world.chain.balance(destinationHash).confirmed);
    expect(world.chain.balance(destinationHash).confirmed).toBeGreaterThanOrEqual(125_000_000);
  });

  it('sent only what the spec allows, and got only spec answers, over the whole session', async () => {
    const record = process.env.STRATUM_SDK_RECORD_WALLET;
    if (record) {
      const source = `the Debian electrum wallet (${version ?? '?'}) against the regtest world, recorded by test/e2e/electrum-wallet.test.ts`;
      await writeFile(record, [transcriptHeader({ protocol: 'electrum', source }), ...transcript, ''].join('\n'));
    }
    const summary = checker.summary();
    expect(summary.messages).toBeGreaterThan(200);
    expect(summary.methods['blockchain.transaction.get_merkle']?.messages).toBeGreaterThan(0);
    expect(summary.findings.map(formatFinding)).toEqual([]);
  });
});

describe.runIf(version !== undefined)(`the real Electrum wallet (${version ?? 'not installed'}) over TLS`, { timeout: 60_000 }, () => {
  it("connects to the world's TLS port with the certificate the world made, pinned as the world prints it, and syncs the headers", async () => {
    const world = await startWorld({ ports: { electrumTcp: 0, electrumWs: 0, stratum: 0, electrumTls: 0, electrumWss: 0, stratumTls: 0 } });
    for (let i = 0; i < 5; i++) world.chain.mine('51');
    const url = new URL(world.urls.electrumTls ?? '');
    const { cert, fingerprint } = world.tls!;
    let daemon: ElectrumDaemon | undefined;
    try {
      // What `stratum-sdk world` prints: electrum --regtest --oneserver --server 127.0.0.1:<port>:s --serverfingerprint <sha256>
      const wallet = (daemon = await startElectrumDaemon({ host: url.hostname, port: Number(url.port), protocol: 's', fingerprint }));
      await wallet.waitFor('the tip at height 5 over TLS', async () => {
        const info = await wallet.rpc<{ blockchain_height: number; connected: boolean }>('getinfo');
        return info.connected && info.blockchain_height === 5 ? true : undefined;
      });
      // Electrum keeps the self-signed certificate it checked, for later connections: it must be the world's.
      const certs = join(wallet.dir, 'regtest', 'certs');
      const saved = await readdir(certs);
      expect(saved).toContain(url.hostname);
      expect((await readFile(join(certs, url.hostname), 'utf8')).trim()).toBe(cert.trim());
      const sessions = [...world.electrum.sessions];
      expect(sessions.length).toBeGreaterThan(0);
      for (const session of sessions) expect(session.protocolVersion).toBe('1.4');
      // And a new block reaches it over TLS.
      world.chain.mine('51');
      await wallet.waitFor('the tip at height 6 over TLS', async () => ((await wallet.rpc<{ blockchain_height: number }>('getinfo')).blockchain_height === 6 ? true : undefined));
    } finally {
      await daemon?.stop();
      await world.close();
    }
  });
});
