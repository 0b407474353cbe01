// Protocol 1.7's blockchain.scriptpubkey.subscribe: subscribed by scriptPubKey, notified by script hash (the
// spec's subscriptionKey.inNotifications 'script-hash'). The client matches the two, so a subscription's
// iterator, its stored status and its renewal after a reconnect follow the notifications that name its hash.
import { afterEach, describe, expect, it } from 'vitest';
import { scriptHash } from '../../src/bitcoin.js';
import { ElectrumClient } from '../../src/electrum.js';
import { startFakeElectrum, type FakeServer } from '../helpers/fake-electrum.js';
import { until } from '../helpers/wait.js';

// P2WPKH scripts; their script hashes are what a 1.7 server names them by.
const SPK1 = `0014${'11'.repeat(20)}`;
const SPK2 = `0014${'22'.repeat(20)}`;
const SH1 = scriptHash(SPK1);
const SH2 = scriptHash(SPK2);
const status = (c: string) => c.repeat(64);

let server: FakeServer | undefined;
let client: ElectrumClient<string> | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = server = undefined;
});

describe('blockchain.scriptpubkey.subscribe (1.7)', () => {
  it('an iterator of one script gets the notifications naming its script hash, and only those', async () => {
    server = await startFakeElectrum((method, params) => (method === 'blockchain.scriptpubkey.subscribe' ? { result: params[0] === SPK1 ? status('1') : null } : undefined), {}, ['FakeX 1.7', '1.7']);
    client = await ElectrumClient.connect(server.url, { protocolVersion: ['1.4', '1.7'] as [string, string], keepAlive: false, timeout: 2000 });
    const sub = await client.subscribe('blockchain.scriptpubkey.subscribe', [SPK1]);
    expect(sub.initial).toBe(status('1'));
    const heard: unknown[][] = [];
    client.on('blockchain.scriptpubkey.subscribe', (...params: unknown[]) => void heard.push(params));
    const notify = (sh: string, st: string | null) => server!.broadcast({ jsonrpc: '2.0', method: 'blockchain.scriptpubkey.subscribe', params: [sh, st] });
    notify(SH2, status('9')); // a script this iterator did not subscribe to
    notify(SH1, status('2'));
    // The notification as the server sent it: the script hash first, as the spec's types say.
    expect((await sub.next()).value).toEqual([SH1, status('2')]);
    expect(heard).toEqual([
      [SH2, status('9')],
      [SH1, status('2')],
    ]);
  });

  it('after a reconnect, the renewal (sent with the scriptPubKey) reports a change under the script hash, once', async () => {
    let current = status('1');
    const renewals: unknown[][] = [];
    server = await startFakeElectrum((method, params) => {
      if (method !== 'blockchain.scriptpubkey.subscribe') return undefined;
      renewals.push(params);
      return { result: current };
    }, {}, ['FakeX 1.7', '1.7']);
    client = await ElectrumClient.connect(server.url, { protocolVersion: ['1.4', '1.7'] as [string, string], keepAlive: false, timeout: 2000, reconnect: { initialDelay: 10, maxDelay: 50 } });
    const sub = await client.subscribe('blockchain.scriptpubkey.subscribe', [SPK1]);
    // The stored status follows a notification naming the hash: 2 is then the status known before the drop.
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scriptpubkey.subscribe', params: [SH1, status('2')] });
    expect((await sub.next()).value).toEqual([SH1, status('2')]);
    current = status('3');
    server.connections[0]!.kill();
    expect((await sub.next()).value).toEqual([SH1, status('3')]);
    expect(renewals).toEqual([[SPK1], [SPK1]]);
    // Had the notification not reached the stored status, the renewal would have reported 1 -> 3 as well.
    await until(() => client!.state === 'open', 'reconnected');
    expect(client.subscriptionCount).toBe(1);
  });

  it('a status the notification already delivered is not reported again by the renewal after a reconnect', async () => {
    let current = status('5');
    let subscribes = 0;
    server = await startFakeElectrum((method) => {
      if (method !== 'blockchain.scriptpubkey.subscribe') return undefined;
      subscribes++;
      return { result: current };
    }, {}, ['FakeX 1.7', '1.7']);
    client = await ElectrumClient.connect(server.url, { protocolVersion: ['1.4', '1.7'] as [string, string], keepAlive: false, timeout: 2000, reconnect: { initialDelay: 10, maxDelay: 50 } });
    const heard: unknown[][] = [];
    client.on('blockchain.scriptpubkey.subscribe', (...params: unknown[]) => void heard.push(params));
    await client.subscribe('blockchain.scriptpubkey.subscribe', [SPK1]);
    server.broadcast({ jsonrpc: '2.0', method: 'blockchain.scriptpubkey.subscribe', params: [SH1, status('6')] });
    await until(() => heard.length === 1, 'the notification');
    current = status('6');
    server.connections[0]!.kill();
    await until(() => subscribes === 2 && server!.connections.length === 2, 'the renewal');
    // Read after the renewal's answer on the same connection: by then the renewal has been judged.
    server.connections[1]!.send({ jsonrpc: '2.0', method: 'blockchain.scriptpubkey.subscribe', params: [SH2, status('7')] });
    await until(() => heard.length >= 2, 'the marker notification');
    // Had the notification not updated the stored status (5), the renewal would report 6 a second time.
    expect(heard).toEqual([
      [SH1, status('6')],
      [SH2, status('7')],
    ]);
  });
});
