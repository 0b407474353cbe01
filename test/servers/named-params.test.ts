// JSON-RPC 2.0 params by name, as ElectrumX takes them ({"method":"blockchain.block.header","params":
// {"height":1,"cp_height":121}} got a proof back from ElectrumX 1.20): the SDK's servers place them by
// the spec's param names and pass handlers the same positional tuple a positional request would; an
// unknown name or a gap without a default is -32602. And the conformance command's check of both forms:
// it passes the SDK's server, passes one that refuses names outright, and fails one that misplaces
// names or ignores unknown ones.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBasics } from '../../src/conformance/basics.js';
import { CheckRunner, type CheckResult } from '../../src/conformance/report.js';
import { RegtestChain } from '../../src/regtest/chain.js';
import { electrumBackend } from '../../src/regtest/electrum-backend.js';
import { createElectrumServer, type ElectrumHandlers, type ElectrumServer } from '../../src/servers/electrum-server.js';
import { createMiningServer, type MiningServer } from '../../src/servers/mining-server.js';
import { RawClient } from './helpers.js';

const PAYOUT = '0014' + '11'.repeat(20);

let servers: { close(): Promise<void> }[] = [];
let clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clients = [];
});

/** An Electrum server over a regtest chain of `blocks` blocks, recording the params each handler got. */
async function electrum(blocks = 3): Promise<{ server: ElectrumServer; seen: { method: string; params: unknown[] }[] }> {
  const chain = new RegtestChain();
  for (let i = 0; i < blocks; i++) chain.mine(PAYOUT);
  const backend = electrumBackend(chain) as Record<string, (params: unknown[], session: unknown) => unknown>;
  const seen: { method: string; params: unknown[] }[] = [];
  const recording = Object.fromEntries(
    Object.entries(backend).map(([method, handler]) => [
      method,
      (params: unknown[], session: unknown) => {
        seen.push({ method, params: [...params] });
        return handler(params, session);
      },
    ]),
  );
  const server = await createElectrumServer({ handlers: recording as ElectrumHandlers, listen: { tcp: { host: '127.0.0.1', port: 0 } } });
  servers.push(server);
  return { server, seen };
}

async function connect(port: number, version = '1.6'): Promise<RawClient> {
  const c = await RawClient.connect(port);
  clients.push(c);
  expect(await c.call(0, 'server.version', ['named-params-test', version])).toMatchObject({ result: [expect.any(String), version] });
  return c;
}

describe('the Electrum server takes params by name', () => {
  it('answers them as the same params by position, and hands the handler the same tuple', async () => {
    const { server, seen } = await electrum();
    const c = await connect(server.address('tcp')!.port);

    const positional = await c.call(1, 'blockchain.block.header', [1]);
    const named = await c.call(2, 'blockchain.block.header', { height: 1 });
    expect(named['result']).toEqual(positional['result']);
    expect(typeof named['result']).toBe('string');

    // ElectrumX's own example, names in either order: a checkpoint proof.
    const proofPositional = await c.call(3, 'blockchain.block.header', [1, 2]);
    const proofNamed = await c.call(4, 'blockchain.block.header', { cp_height: 2, height: 1 });
    expect(proofNamed['result']).toEqual(proofPositional['result']);
    expect(proofNamed['result']).toMatchObject({ header: expect.any(String), root: expect.any(String), branch: expect.any(Array) });

    expect(seen.filter((s) => s.method === 'blockchain.block.header').map((s) => s.params)).toEqual([[1], [1], [1, 2], [1, 2]]);
  });

  it('fills a gap before a given param with its default, and ignores extra names where the method takes extra params', async () => {
    const { server } = await electrum();
    const port = server.address('tcp')!.port;
    // server.version by name: client_name left out (default ""), protocol_version given.
    const a = await RawClient.connect(port);
    clients.push(a);
    expect(await a.call(1, 'server.version', { protocol_version: ['1.4', '1.6'] })).toMatchObject({ result: [expect.any(String), '1.6'] });
    // From 1.6 a server must ignore extra server.version arguments, by name too (ElectrumX: **extra_kwargs).
    const b = await RawClient.connect(port);
    clients.push(b);
    expect(await b.call(1, 'server.version', { client_name: 'x', protocol_version: '1.4', extra: true })).toMatchObject({ result: [expect.any(String), '1.4'] });
  });

  it('answers an unknown name, a missing required param and a gap without a default with -32602', async () => {
    const { server, seen } = await electrum();
    const c = await connect(server.address('tcp')!.port);
    expect(await c.call(1, 'blockchain.block.header', { height: 1, cp_heigth: 2 })).toMatchObject({
      error: { code: -32602, message: 'invalid params for blockchain.block.header: unknown param "cp_heigth"' },
    });
    expect(await c.call(2, 'blockchain.block.header', {})).toMatchObject({ error: { code: -32602 } });
    expect(await c.call(3, 'blockchain.transaction.get_merkle', { height: 1 })).toMatchObject({
      error: { code: -32602, message: 'invalid params for blockchain.transaction.get_merkle: param "tx_hash" is missing but a later one is given' },
    });
    // A name whose value breaks the param's schema is reported by its position and name, as by position.
    expect(await c.call(4, 'blockchain.block.header', { height: 'one' })).toMatchObject({
      error: { code: -32602, message: 'invalid params for blockchain.block.header: params[0] (height): must be integer' },
    });
    expect(seen.filter((s) => s.method !== 'server.version')).toEqual([]);
  });

  it('gates a param by name by the negotiated version, as by position', async () => {
    const { server } = await electrum();
    const c = await connect(server.address('tcp')!.port, '1.4');
    // blockchain.block.headers' cp_height exists from 1.4; at 1.4 it is taken by name like any other.
    const byName = await c.call(1, 'blockchain.block.headers', { start_height: 0, count: 2, cp_height: 2 });
    const byPosition = await c.call(2, 'blockchain.block.headers', [0, 2, 2]);
    expect(byName['result']).toEqual(byPosition['result']);
  });
});

describe('the Stratum server takes params by name too', () => {
  it('places mining.authorize params by name for the handler', async () => {
    const got: unknown[][] = [];
    const server: MiningServer = await createMiningServer({
      handlers: {
        'mining.authorize': (params) => {
          got.push([...params]);
          return true;
        },
      },
      listen: { tcp: { host: '127.0.0.1', port: 0 } },
    });
    servers.push(server);
    const c = await RawClient.connect(server.address('tcp')!.port);
    clients.push(c);
    expect(await c.call(1, 'mining.authorize', { password: 'x', username: 'worker.1' }, false)).toMatchObject({ result: true });
    expect(await c.call(2, 'mining.authorize', ['worker.1', 'x'], false)).toMatchObject({ result: true });
    expect(got).toEqual([
      ['worker.1', 'x'],
      ['worker.1', 'x'],
    ]);
  });
});

/** A newline-JSON Electrum server whose by-name handling the test chooses; positional requests get the regtest backend. */
async function scriptedElectrum(byName: (params: Record<string, unknown>, positional: (p: unknown[]) => unknown) => { result: unknown } | { error: { code: number; message: string } }) {
  const chain = new RegtestChain();
  for (let i = 0; i < 3; i++) chain.mine(PAYOUT);
  const backend = electrumBackend(chain) as Record<string, (params: unknown[], session: unknown) => unknown>;
  const header = (p: unknown[]) => backend['blockchain.block.header']!(p, undefined);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let m: { id?: unknown; method?: string; params?: unknown } | unknown[];
        try {
          m = JSON.parse(line) as typeof m;
        } catch {
          continue;
        }
        const send = (v: unknown) => socket.write(`${JSON.stringify(v)}\n`);
        if (Array.isArray(m)) {
          send(m.map((x) => ({ jsonrpc: '2.0', id: (x as { id: unknown }).id, result: null })));
          continue;
        }
        const { id, method, params } = m;
        if (method === 'server.version') send({ jsonrpc: '2.0', id, result: ['scripted 1.0', (params as unknown[])[1]] });
        else if (method === 'blockchain.block.header') {
          try {
            if (Array.isArray(params)) send({ jsonrpc: '2.0', id, result: header(params) });
            else send({ jsonrpc: '2.0', id, ...byName(params as Record<string, unknown>, header) });
          } catch (e) {
            send({ jsonrpc: '2.0', id, error: { code: 1, message: e instanceof Error ? e.message : String(e) } });
          }
        } else if (method === 'server.ping' || method === 'server.banner') send({ jsonrpc: '2.0', id, result: method === 'server.ping' ? null : 'hi' });
        else send({ jsonrpc: '2.0', id, error: { code: -32601, message: 'unknown method' } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle = {
    url: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

async function namedParamsCheck(url: string): Promise<CheckResult | undefined> {
  const runner = new CheckRunner();
  await checkBasics(url, { timeout: 2_000, protocolVersion: '1.4' }, runner.run);
  return runner.results().find((c) => c.id === 'basics.named-params');
}

describe('the conformance check of params by name', () => {
  it('passes the SDK server, by name in either order, with a checkpoint proof', async () => {
    const { server } = await electrum();
    const check = await namedParamsCheck(server.url('tcp')!);
    expect(check).toEqual({
      id: 'basics.named-params',
      title: 'basics: named params',
      status: 'pass',
      reason: 'by name {"height":0} as [0] and {"cp_height":1,"height":0} as [0,1]; an unknown name refused with error -32602 (invalid params for blockchain.block.header: unknown param "no_such_param")',
    });
  });

  it('passes a server that refuses names outright (Fulcrum, electrs)', async () => {
    const { url } = await scriptedElectrum(() => ({ error: { code: -32602, message: 'named params are not supported' } }));
    expect(await namedParamsCheck(url)).toMatchObject({ status: 'pass', reason: expect.stringMatching(/^by position only: \{"height":0\} by name refused with error -32602/) });
  });

  it('fails a server that places names by their order instead of by name', async () => {
    const { url } = await scriptedElectrum((params, header) => ({ result: header(Object.values(params)) }));
    expect(await namedParamsCheck(url)).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^\{"cp_height":1,"height":0\} by name answered "[0-9a-f]+…, but \[0,1\] by position \{/),
    });
  });

  it('fails a server that ignores a name the method does not have', async () => {
    const { url } = await scriptedElectrum((params, header) => ({ result: header([params['height'], ...(params['cp_height'] === undefined ? [] : [params['cp_height']])]) }));
    expect(await namedParamsCheck(url)).toMatchObject({ status: 'fail', reason: expect.stringMatching(/^accepted an unknown param name: \{"height":0,"no_such_param":1\}/) });
  });
});
