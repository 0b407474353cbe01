// The regtest world end to end over 127.0.0.1: every Electrum method of 1.4 and 1.6 through the SDK's own
// client (results validated against the spec), proofs checked with the toolkit, a CPU miner on the pool
// whose block reaches an Electrum subscriber, share rejections over the wire, and hostile clients.
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressToScriptPubKey } from '../../src/bitcoin/address.js';
import { verifyHeaderChain } from '../../src/bitcoin/header.js';
import { verifyHeaderProof, verifyHeadersProof, verifyTransactionInHeader } from '../../src/bitcoin/merkle.js';
import { electrumStatus } from '../../src/bitcoin/status.js';
import { bytesToHex } from '../../src/bitcoin/bytes.js';
import { serializeTransaction } from '../../src/bitcoin/tx.js';
import { difficultyToTarget, targetToBits } from '../../src/bitcoin/target.js';
import { CpuMiner } from '../../src/clients/cpu-miner.js';
import { ElectrumClient } from '../../src/electrum.js';
import { MiningClient } from '../../src/mining.js';
import { electrumProtocol } from '../../src/generated/electrum/methods.js';
import { ServerError } from '../../src/runtime/errors.js';
import { startWorld, type World } from '../../src/regtest/world.js';
import { until } from '../helpers/wait.js';

const ANY = { electrumTcp: 0, electrumWs: 0, stratum: 0 };
let world: World;
let payoutScript: string;
let spendTxid: string;

beforeAll(async () => {
  world = await startWorld({ ports: ANY, shareDifficulty: 2 ** -20 });
  payoutScript = addressToScriptPubKey(world.payoutAddress, 'regtest');
  for (let i = 0; i < 101; i++) world.chain.mine(payoutScript);
  // Spend the first coinbase (mature now) back to the payout address, and confirm it.
  const coinbase = world.chain.block(1)!.txids[0]!;
  const raw = bytesToHex(
    serializeTransaction({
      version: 2,
      inputs: [{ txid: coinbase, vout: 0, scriptSig: '', sequence: 0xffffffff, witness: ['00'] }],
      outputs: [{ value: 49_9990_0000n, scriptPubKey: payoutScript }],
      locktime: 0,
    }),
  );
  spendTxid = world.chain.acceptTransaction(raw);
  world.chain.mine(payoutScript);
});
afterAll(() => world?.close());

/** Calls every method a server offers at `version` with params drawn from the world's own data. */
async function callEverything(client: ElectrumClient) {
  const sh = world.payoutScripthash;
  const height = world.chain.height;
  const where = world.chain.transaction(spendTxid)!;
  const called = new Set<string>();
  const call = async <T>(method: string, run: () => Promise<T>) => {
    called.add(method);
    return run();
  };
  const v16 = client.protocolVersion.startsWith('1.6');
  const header = await call('blockchain.block.header', () => client.blockchain.block.header(where.height));
  const proof = await call('blockchain.transaction.get_merkle', () => client.blockchain.transaction.getMerkle(spendTxid, where.height));
  expect(verifyTransactionInHeader(spendTxid, proof, header)).toBe(true);
  const cp = await client.blockchain.block.header(5, height);
  expect(verifyHeaderProof(cp as { header: string; branch: string[]; root: string }, 5)).toBe(true);
  const chunk = await call('blockchain.block.headers', () => client.blockchain.block.headers(0, 20, height));
  expect(v16 ? 'headers' in chunk : 'hex' in chunk).toBe(true);
  expect(verifyHeadersProof(chunk, 0)).toBe(true);
  expect(verifyHeaderChain(v16 ? (chunk as { headers: string[] }).headers : (chunk as { hex: string }).hex, { network: 'regtest' }).valid).toBe(true);
  const tip = await call('blockchain.headers.subscribe', () => client.blockchain.headers.subscribe());
  expect(tip).toEqual({ height, hex: world.chain.tip.headerHex });
  const history = await call('blockchain.scripthash.get_history', () => client.blockchain.scripthash.getHistory(sh));
  const status = await call('blockchain.scripthash.subscribe', () => client.blockchain.scripthash.subscribe(sh));
  expect(status).toBe(electrumStatus(history));
  expect(history).toHaveLength(height + 1); // every coinbase, plus the spend
  const balance = await call('blockchain.scripthash.get_balance', () => client.blockchain.scripthash.getBalance(sh));
  const unspent = await call('blockchain.scripthash.listunspent', () => client.blockchain.scripthash.listunspent(sh));
  expect(balance.confirmed).toBe(unspent.reduce((n, u) => n + u.value, 0));
  await call('blockchain.scripthash.get_mempool', () => client.blockchain.scripthash.getMempool(sh));
  if (client.protocolVersion !== '1.4') await call('blockchain.scripthash.unsubscribe', () => client.blockchain.scripthash.unsubscribe(sh));
  expect(await call('blockchain.transaction.get', () => client.blockchain.transaction.get(spendTxid))).toBe(where.raw);
  const verbose = await client.blockchain.transaction.get(spendTxid, true);
  expect(verbose).toMatchObject({ txid: spendTxid, blockhash: world.chain.block(where.height)!.hash, confirmations: height - where.height + 1 });
  expect(await call('blockchain.transaction.id_from_pos', () => client.blockchain.transaction.idFromPos(where.height, 1))).toBe(spendTxid);
  expect(await client.blockchain.transaction.idFromPos(where.height, 1, true)).toEqual({ tx_hash: spendTxid, merkle: proof.merkle });
  const bad = call('blockchain.transaction.broadcast', () => client.blockchain.transaction.broadcast('00'));
  await expect(bad).rejects.toMatchObject({ code: 'SERVER', serverCode: 1 });
  if (v16) {
    const pkg = await call('blockchain.transaction.broadcast_package', () => client.blockchain.transaction.broadcastPackage(['00']));
    expect(pkg).toMatchObject({ success: false });
    expect(await call('mempool.get_info', () => client.mempool.getInfo())).toMatchObject({ minrelaytxfee: 0.00001 });
  } else {
    expect(await call('blockchain.relayfee', () => client.blockchain.relayfee())).toBe(0.00001);
  }
  await call('blockchain.estimatefee', () => client.blockchain.estimatefee(2));
  await call('mempool.get_fee_histogram', () => client.mempool.getFeeHistogram());
  const features = await call('server.features', () => client.server.features());
  expect(features.genesis_hash).toBe('0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206');
  await call('server.banner', () => client.server.banner());
  await call('server.donation_address', () => client.server.donationAddress());
  await call('server.peers.subscribe', () => client.server.peers.subscribe());
  await call('server.add_peer', () => client.server.addPeer(features as Parameters<typeof client.server.addPeer>[0]));
  await call('server.ping', () => client.server.ping());
  called.add('server.version');
  return called;
}

describe('the regtest world over Electrum', () => {
  for (const version of ['1.4', '1.4.2', '1.6']) {
    it(`serves every standard method of protocol ${version}, valid by the spec`, async () => {
      const client = await ElectrumClient.connect(world.urls.electrumTcp, { protocolVersion: version, keepAlive: false, genesisHash: world.chain.genesisHash });
      try {
        expect(client.protocolVersion).toBe(version);
        const called = await callEverything(client);
        const standard = electrumProtocol.availableAt(version).filter((m) => ['standard', 'legacy'].includes(electrumProtocol.get(m)!.status));
        expect([...called].sort()).toEqual([...standard].sort());
      } finally {
        client.close();
      }
    });
  }

  it('answers Electrum 4.x, which asks for exactly 1.4, with exactly 1.4; and works over WebSocket', async () => {
    const client = await ElectrumClient.connect(world.urls.electrumWs, { clientName: 'electrum/4.3.4', protocolVersion: '1.4', keepAlive: false });
    expect(client.protocolVersion).toBe('1.4');
    expect(await client.blockchain.block.header(0)).toBe(world.chain.block(0)!.headerHex);
    client.close();
  });

  it('notifies a mempool transaction and its confirmation to script hash subscribers', async () => {
    const client = await ElectrumClient.connect(world.urls.electrumTcp, { keepAlive: false });
    const other = `0014${'44'.repeat(20)}`;
    const otherSh = (await import('../../src/bitcoin/scripthash.js')).scriptHash(other);
    const sub = await client.subscribe('blockchain.scripthash.subscribe', [otherSh]);
    expect(sub.initial).toBeNull();
    const unspent = world.chain.unspent(world.payoutScripthash).find((u) => u.height > 0 && world.chain.height + 1 - u.height >= 100)!;
    const raw = bytesToHex(
      serializeTransaction({
        version: 2,
        inputs: [{ txid: unspent.txid, vout: unspent.vout, scriptSig: '', sequence: 0xffffffff, witness: ['00'] }],
        outputs: [{ value: BigInt(unspent.value - 1000), scriptPubKey: other }],
        locktime: 0,
      }),
    );
    const txid = await client.blockchain.transaction.broadcast(raw);
    const [, inMempool] = (await sub.next()).value!;
    expect(inMempool).toBe(electrumStatus([{ tx_hash: txid, height: 0 }]));
    expect(await client.blockchain.scripthash.getMempool(otherSh)).toEqual([{ tx_hash: txid, height: 0, fee: 1000 }]);
    const block = world.chain.mine(payoutScript);
    const [, confirmed] = (await sub.next()).value!;
    expect(confirmed).toBe(electrumStatus([{ tx_hash: txid, height: block.height }]));
    client.close();
  });
});

describe('the regtest world over Stratum', () => {
  it('a CPU miner gets accepted shares; the block reaches an Electrum subscriber as a header and a status change', async () => {
    const wallet = await ElectrumClient.connect(world.urls.electrumTcp, { keepAlive: false });
    const statusBefore = await wallet.blockchain.scripthash.subscribe(world.payoutScripthash);
    const heightBefore = world.chain.height;
    const headers = wallet.notifications('blockchain.headers.subscribe');
    await wallet.blockchain.headers.subscribe();
    const statuses = wallet.notifications('blockchain.scripthash.subscribe');

    const miner = await MiningClient.connect(world.urls.stratum, { agent: 'test-miner/1.0' });
    await miner.start({ user: 'worker.1', password: 'x' });
    expect(miner.extranonce1).toMatch(/^[0-9a-f]{8}$/);
    const cpu = new CpuMiner(miner, { worker: 'worker.1' });
    const stop = new AbortController();
    const firstShare = new Promise((resolve) => cpu.events.once('share', resolve));
    const running = cpu.run(stop.signal);
    const share = (await firstShare) as { accepted: boolean };
    stop.abort();
    await running;
    expect(share.accepted).toBe(true);

    const [header] = (await headers.next()).value!;
    expect(header).toMatchObject({ height: heightBefore + 1 });
    const [sh, status] = (await statuses.next()).value!;
    expect(sh).toBe(world.payoutScripthash);
    expect(status).not.toBe(statusBefore);
    expect(await wallet.blockchain.scripthash.getBalance(world.payoutScripthash)).toMatchObject({ confirmed: expect.any(Number) });
    miner.close();
    wallet.close();
  });
});

describe('a pool whose shares are not all blocks', () => {
  let hard: World;
  beforeAll(async () => {
    // Blocks at difficulty 1 (one in a million shares): these tests never find one.
    hard = await startWorld({ ports: ANY, shareDifficulty: 2 ** -20, blockBits: targetToBits(difficultyToTarget(1)) });
  });
  afterAll(() => hard?.close());

  it('answers each rejection with its standard code over the wire', async () => {
    const miner = await MiningClient.connect(hard.urls.stratum);
    const rejection = async (params: Parameters<typeof miner.mining.submit>) => {
      try {
        await miner.mining.submit(...params);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(ServerError);
        return (e as ServerError).serverCode;
      }
    };
    expect(await rejection(['w', '1', '00000000', '00000000', '00000000'])).toBe(25);
    await miner.mining.subscribe('test');
    expect(await rejection(['w', '1', '00000000', '00000000', '00000000'])).toBe(24);
    await miner.mining.authorize('w', 'x');
    // The pool sends the first job before the authorize answer, so it has been read by now.
    const job = miner.currentJob!;
    expect(job).toBeDefined();
    expect(await rejection(['w', 'ffff', '00000000', job.ntime, '00000000'])).toBe(21);
    expect(await rejection(['w', job.jobId, '0000', job.ntime, '00000000'])).toBe(20);
    expect(await rejection(['w', job.jobId, '00000000', '00000001', '00000000'])).toBe(20);
    // Find one good and one bad nonce, then submit the good one twice.
    const cpu = new CpuMiner(miner, { worker: 'w' });
    const stop = new AbortController();
    const good = new Promise<{ accepted: boolean; extranonce2: string; nonce: string; ntime: string }>((resolve) => cpu.events.once('share', resolve));
    const running = cpu.run(stop.signal);
    const first = await good;
    stop.abort();
    await running;
    expect(first.accepted).toBe(true);
    expect(hard.chain.height).toBe(0);
    expect(await rejection(['w', job.jobId, first.extranonce2, first.ntime, first.nonce])).toBe(22);
    let nonce = 0;
    let low: number | string = 'accepted';
    while (low === 'accepted' || low === 22) low = (await rejection(['w', job.jobId, first.extranonce2, first.ntime, (nonce++).toString(16).padStart(8, '0')])) ?? 'null';
    expect(low).toBe(23);
    miner.close();
  });

  it('speaks to a cpuminer-style client: one-param subscribe, 5-param submits, the same id on every submit', async () => {
    const socket = net.connect(hard.stratum.address('tcp')!.port, '127.0.0.1');
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        lines.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
    });
    socket.write('{"id": 1, "method": "mining.subscribe", "params": ["cpuminer/2.5.1"]}\n');
    await until(() => lines.some((l) => l['id'] === 1));
    socket.write('{"id": 2, "method": "mining.authorize", "params": ["me", "x"]}\n');
    await until(() => lines.some((l) => l['id'] === 2) && lines.some((l) => l['method'] === 'mining.notify'));
    const job = lines.find((l) => l['method'] === 'mining.notify')!['params'] as string[];
    // Two bad shares pipelined with the same id 4, as cpuminer sends them: two answers, each with id 4 and the 1.0 shape.
    socket.write(`{"id": 4, "method": "mining.submit", "params": ["me", "${job[0]}", "0000", "${job[7]}", "00000001"]}\n`);
    socket.write(`{"id": 4, "method": "mining.submit", "params": ["me", "nope", "00000000", "${job[7]}", "00000002"]}\n`);
    await until(() => lines.filter((l) => l['id'] === 4).length === 2);
    const answers = lines.filter((l) => l['id'] === 4);
    expect(answers.every((a) => !('jsonrpc' in a) && a['result'] === null && Array.isArray(a['error']))).toBe(true);
    expect(answers.map((a) => (a['error'] as unknown[])[0]).sort()).toEqual([20, 21]);
    const subscribed = lines.find((l) => l['id'] === 1)!;
    expect(subscribed['error']).toBeNull();
    socket.destroy();
  });

  it('keeps serving others while a client sends garbage, oversize lines, or never reads', async () => {
    const garbage = net.connect(hard.stratum.address('tcp')!.port, '127.0.0.1');
    garbage.on('error', () => undefined);
    garbage.write('this is not json\n{"id":1,"method":5}\n' + 'x'.repeat(2_000_000) + '\n');
    const silent = net.connect(hard.stratum.address('tcp')!.port, '127.0.0.1');
    silent.on('error', () => undefined);
    silent.pause();
    for (let i = 0; i < 50; i++) silent.write(`{"id":${i},"method":"mining.subscribe","params":[]}\n`);
    const miner = await MiningClient.connect(hard.urls.stratum);
    const [, extranonce1] = await miner.mining.subscribe('still-served');
    expect(extranonce1).toMatch(/^[0-9a-f]{8}$/);
    miner.close();
    garbage.destroy();
    silent.destroy();
  });
});

describe('the regtest world over TLS', () => {
  const TLS_PORTS = { ...ANY, electrumTls: 0, electrumWss: 0, stratumTls: 0 };

  it('has no TLS listeners unless asked', () => {
    expect(world.tls).toBeUndefined();
    expect(Object.keys(world.urls).sort()).toEqual(['electrumTcp', 'electrumWs', 'stratum']);
  });

  it('serves Electrum over TLS and secure WebSocket, and Stratum over TLS, with a certificate made at start', async () => {
    const secure = await startWorld({ ports: TLS_PORTS, shareDifficulty: 2 ** -20 });
    try {
      const { fingerprint, cert, generated } = secure.tls!;
      expect(generated).toBe(true);
      expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
      const x509 = new X509Certificate(cert);
      expect(x509.fingerprint256.replace(/:/g, '').toLowerCase()).toBe(fingerprint);
      expect(x509.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      expect(secure.urls.electrumTls).toMatch(/^tls:\/\/127\.0\.0\.1:\d+$/);
      expect(secure.urls.electrumWss).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
      expect(secure.urls.stratumTls).toMatch(/^stratum\+ssl:\/\/127\.0\.0\.1:\d+$/);

      for (const url of [secure.urls.electrumTls!, secure.urls.electrumWss!]) {
        const client = await ElectrumClient.connect(url, { tls: { pin: fingerprint }, keepAlive: false, genesisHash: secure.chain.genesisHash });
        const features = await client.server.features();
        // server.features lists the ports actually bound.
        expect((features.hosts as Record<string, unknown>)['127.0.0.1']).toEqual({
          tcp_port: Number(new URL(secure.urls.electrumTcp).port),
          ws_port: Number(new URL(secure.urls.electrumWs).port),
          ssl_port: Number(new URL(secure.urls.electrumTls!).port),
          wss_port: Number(new URL(secure.urls.electrumWss!.replace('wss:', 'http:')).port),
        });
        client.close();
      }
      // A certificate other than the pinned one is refused.
      await expect(ElectrumClient.connect(secure.urls.electrumTls!, { tls: { pin: 'ab'.repeat(32) }, keepAlive: false })).rejects.toThrow(/matches no pinned fingerprint/);

      // A MiningClient on the pool's TLS port, pinned, gets a share accepted.
      const miner = await MiningClient.connect(secure.urls.stratumTls!, { tls: { pin: fingerprint } });
      try {
        await miner.start({ user: 'tls.miner', password: 'x' });
        const cpu = new CpuMiner(miner, { worker: 'tls.miner' });
        const stop = new AbortController();
        const share = new Promise<boolean>((resolve) => cpu.events.on('share', (s) => resolve(s.accepted)));
        const running = cpu.run(stop.signal);
        expect(await share).toBe(true);
        stop.abort();
        await running;
        expect(secure.chain.height).toBeGreaterThanOrEqual(1);
      } finally {
        miner.close();
      }
    } finally {
      await secure.close();
    }
  });

  it('makes a certificate that X.509 checkers accept: its own signature, a CA for itself, ten years from an hour ago', async () => {
    const { selfSignedCertificate } = await import('../../src/regtest/certificate.js');
    // From 2045, the ten years end past 2049: written as GeneralizedTime, not UTCTime (RFC 5280).
    const now = new Date('2045-06-01T00:00:00Z');
    const made = selfSignedCertificate({ hosts: ['localhost', '127.0.0.1', '10.1.2.3', 'fe80::1'], now });
    const x509 = new X509Certificate(made.cert);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.ca).toBe(true);
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(x509.checkIP('fe80::1')).toBe('fe80::1');
    expect(new Date(x509.validFrom).toISOString()).toBe('2045-05-31T23:00:00.000Z');
    expect(new Date(x509.validTo).toISOString()).toBe(new Date(now.getTime() + 3650 * 86400_000).toISOString());
    expect(x509.keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    // OpenSSL's strict verifier, where the command is installed (Debian's openssl package is).
    const openssl = spawnSync('openssl', ['version']);
    if (openssl.status === 0) {
      const dir = mkdtempSync(path.join(tmpdir(), 'stratum-sdk-cert-'));
      try {
        const file = path.join(dir, 'cert.pem');
        writeFileSync(file, selfSignedCertificate().cert);
        const verify = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', file, file], { encoding: 'utf8' });
        expect(verify.stdout.trim()).toBe(`${file}: OK`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('uses a certificate given as PEM, and explains a busy TLS port', async () => {
    const fixtures = new URL('../fixtures/tls/', import.meta.url);
    const cert = readFileSync(new URL('localhost.pem', fixtures), 'utf8');
    const key = readFileSync(new URL('localhost.key', fixtures), 'utf8');
    const secure = await startWorld({ ports: TLS_PORTS, tls: { cert, key } });
    try {
      expect(secure.tls?.generated).toBe(false);
      expect(secure.tls?.fingerprint).toBe(new X509Certificate(cert).fingerprint256.replace(/:/g, '').toLowerCase());
      const client = await ElectrumClient.connect(secure.urls.electrumTls!, { tls: { ca: readFileSync(new URL('ca.pem', fixtures), 'utf8') }, keepAlive: false });
      expect(client.protocolVersion).toBe('1.6');
      client.close();
      const busy = Number(new URL(secure.urls.electrumTls!).port);
      await expect(startWorld({ ports: { ...TLS_PORTS, electrumTls: busy } })).rejects.toThrow(`the Electrum TLS port ${busy} is already in use`);
    } finally {
      await secure.close();
    }
  });
});
