// Compile-time guarantees of the typed servers: handler params and results, the context type,
// notifications and server-to-client requests, all picked by wire name.
import { describe, expectTypeOf, it } from 'vitest';
import type { Status } from '../../src/generated/definitions.js';
import type { BlockchainScripthashGetBalanceResult } from '../../src/generated/electrum/types.js';
import { createElectrumServer, type ElectrumServer, type ElectrumSession } from '../../src/servers/electrum-server.js';
import { createMiningServer, type MiningServer, type MiningSession } from '../../src/servers/mining-server.js';

describe('electrum server', () => {
  it('infers the context from the factory and types handlers by wire name', () => {
    const server = createElectrumServer({
      context: () => ({ seen: new Set<string>() }),
      handlers: {
        'blockchain.scripthash.get_balance': ([scripthash], session) => {
          expectTypeOf(scripthash).toEqualTypeOf<string>();
          expectTypeOf(session.context.seen).toEqualTypeOf<Set<string>>();
          return { confirmed: 1, unconfirmed: -1 };
        },
        'blockchain.scripthash.subscribe': ([scripthash], session) => {
          session.subscribe('blockchain.scripthash.subscribe', scripthash);
          return null;
        },
        // @ts-expect-error the banner is a string
        'server.banner': () => 42,
      },
    });
    expectTypeOf(server).resolves.toEqualTypeOf<ElectrumServer<{ seen: Set<string> }>>();
    expectTypeOf<ReturnType<NonNullable<Parameters<typeof createElectrumServer>[0]['handlers']['blockchain.scripthash.get_balance']>>>().toMatchTypeOf<
      BlockchainScripthashGetBalanceResult | Promise<BlockchainScripthashGetBalanceResult>
    >();
  });

  it('types notifications to one session or to subscribers', () => {
    const session = {} as ElectrumSession;
    const server = {} as ElectrumServer;
    session.notify('blockchain.scripthash.subscribe', ['ab', null]);
    server.notifySubscribers('blockchain.scripthash.subscribe', 'ab', ['ab', 'cd']);
    server.notifySubscribers('blockchain.headers.subscribe', [{ height: 1, hex: '00' }]);
    expectTypeOf<Parameters<typeof session.notify<'blockchain.scripthash.subscribe'>>[1][1]>().toEqualTypeOf<Status>();
    // @ts-expect-error a status is a string or null
    session.notify('blockchain.scripthash.subscribe', ['ab', 5]);
    // @ts-expect-error not a notification of the Electrum protocol
    session.notify('mining.notify', []);
    // @ts-expect-error Electrum servers send no requests
    void session.request('server.version', []);
  });
});

describe('mining server', () => {
  it('types notifications and requests to the miner', () => {
    const session = {} as MiningSession<{ extranonce1: string }>;
    session.notify('mining.set_difficulty', [1024]);
    session.notify('client.reconnect', ['pool.example', 3333, 0]);
    expectTypeOf(session.request('client.get_version', [])).resolves.toEqualTypeOf<string>();
    expectTypeOf(session.context.extranonce1).toEqualTypeOf<string>();
    // @ts-expect-error mining.set_difficulty takes a number
    session.notify('mining.set_difficulty', ['1024']);
    // @ts-expect-error mining.submit is not something a pool sends
    void session.request('mining.submit', []);
  });

  it('types handlers and infers the context', () => {
    const server = createMiningServer({
      context: () => ({ authorized: [] as string[] }),
      handlers: {
        'mining.authorize': ([username, password], session) => {
          expectTypeOf(username).toEqualTypeOf<string>();
          expectTypeOf(password).toEqualTypeOf<string | undefined>();
          session.context.authorized.push(username);
          return true;
        },
        // @ts-expect-error submit answers a boolean
        'mining.submit': () => 'yes',
      },
    });
    expectTypeOf(server).resolves.toEqualTypeOf<MiningServer<{ authorized: string[] }>>();
  });
});
