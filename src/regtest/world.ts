// The embedded regtest world: one in-memory chain, an Electrum server over it (TCP and WebSocket, and TLS and
// secure WebSocket when asked) and a Stratum pool mining on it (TCP, and TLS when asked), all on 127.0.0.1.
// A share that is a block reaches Electrum subscribers as a header notification and as the payout address's
// status change.
import { hash160 } from '../bitcoin/hash.js';
import { addressToScriptPubKey, scriptPubKeyToAddress } from '../bitcoin/address.js';
import { bytesToHex } from '../bitcoin/bytes.js';
import { scriptHash } from '../bitcoin/scripthash.js';
import { ConnectError } from '../runtime/errors.js';
import { createElectrumServer, type ElectrumServer, type ElectrumSession } from '../servers/electrum-server.js';
import { createMiningServer, type MiningServer } from '../servers/mining-server.js';
import { RegtestChain } from './chain.js';
import { electrumBackend, headerNotification, statusOf } from './electrum-backend.js';
import { RegtestPool, type PoolMiner, type VarDiff } from './pool.js';

export interface WorldPorts {
  readonly electrumTcp?: number;
  readonly electrumWs?: number;
  readonly stratum?: number;
  /** Only with TLS on. */
  readonly electrumTls?: number;
  /** Only with TLS on. */
  readonly electrumWss?: number;
  /** Only with TLS on. */
  readonly stratumTls?: number;
}

/** A certificate and its key, PEM, for the world's TLS listeners. */
export interface WorldTlsFiles {
  readonly cert: string | Uint8Array;
  readonly key: string | Uint8Array;
}

export interface WorldOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /**
   * Ports; 0 picks a free one. Defaults: Electrum TCP 50001, Electrum WebSocket 50003, Stratum 3333, and with
   * TLS on, Electrum TLS 50002, Electrum secure WebSocket 50004, Stratum TLS 3334.
   */
  readonly ports?: WorldPorts;
  /**
   * TLS listeners (Electrum TLS and secure WebSocket, Stratum TLS): `true` makes a self-signed certificate for
   * localhost, 127.0.0.1, ::1 and `host` at start; `{ cert, key }` uses yours. Off by default, except that naming
   * a TLS port in `ports` turns it on with a generated certificate.
   */
  readonly tls?: boolean | WorldTlsFiles;
  /** The regtest address block rewards pay (default: a fixed address nobody holds the key of). */
  readonly payoutAddress?: string;
  /** Pool share difficulty (default 1/4096: a share every few seconds from one CPU core). */
  readonly shareDifficulty?: number | VarDiff;
  /** Compact target of blocks (default regtest's 0x207fffff: every share is a block). */
  readonly blockBits?: number;
  readonly banner?: string;
  /** The clock, in Unix seconds, for block times and share ntime checks (default the system clock); a fixed one makes every job reproducible. */
  readonly now?: () => number;
}

export interface World {
  readonly chain: RegtestChain;
  readonly pool: RegtestPool;
  readonly electrum: ElectrumServer<undefined>;
  readonly stratum: MiningServer<{ miner: PoolMiner | undefined }>;
  /** Listener URLs; the TLS ones only when TLS is on (`stratumTls` is a stratum+ssl:// URL). */
  readonly urls: WorldUrls;
  /** The certificate the TLS listeners present (PEM) and its SHA-256 fingerprint; undefined without TLS. */
  readonly tls: { readonly cert: string; readonly fingerprint: string; readonly generated: boolean } | undefined;
  readonly payoutAddress: string;
  readonly payoutScripthash: string;
  close(): Promise<void>;
}

export interface WorldUrls {
  readonly electrumTcp: string;
  readonly electrumWs: string;
  readonly stratum: string;
  readonly electrumTls?: string;
  readonly electrumWss?: string;
  readonly stratumTls?: string;
}

export const DEFAULT_WORLD_PORTS = { electrumTcp: 50001, electrumWs: 50003, stratum: 3333, electrumTls: 50002, electrumWss: 50004, stratumTls: 3334 } as const;
/**
 * The world's connection caps, above the servers' defaults (1,000 in all, 12 per address): it is a
 * development server whose clients all run on this machine, so every one of them comes from the same
 * loopback address, and benches open many at once (bench/world-notify.mjs opens 1,000). A cap is kept
 * so that a runaway test still meets a bound.
 */
export const WORLD_CONNECTION_LIMITS = Object.freeze({ maxConnections: 10_000, maxConnectionsPerAddress: 10_000 });
/** P2WPKH of hash160("stratum-sdk regtest world"): a valid address whose key no one has. */
export const DEFAULT_PAYOUT_ADDRESS = scriptPubKeyToAddress(`0014${bytesToHex(hash160(new TextEncoder().encode('stratum-sdk regtest world')))}`, 'regtest');

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const host = options.host ?? '127.0.0.1';
  const ports = { ...DEFAULT_WORLD_PORTS, ...options.ports };
  const payoutAddress = options.payoutAddress ?? DEFAULT_PAYOUT_ADDRESS;
  const payoutScript = addressToScriptPubKey(payoutAddress, 'regtest');
  const clock = options.now === undefined ? {} : { now: options.now };
  const chain = new RegtestChain({ ...clock, ...(options.blockBits === undefined ? {} : { bits: options.blockBits }) });
  const pool = new RegtestPool(chain, { payoutScript, ...clock, ...(options.shareDifficulty === undefined ? {} : { difficulty: options.shareDifficulty }) });
  const tls = await worldCertificate(options, host);
  const tlsOptions = tls && { cert: tls.cert, key: tls.key };
  // server.features lists the ports actually bound, filled in once they are.
  const features: { tcp_port?: number; ssl_port?: number; ws_port?: number; wss_port?: number } = {};

  const started: { close(): Promise<void> }[] = [];
  try {
    const electrum = await listenOrExplain(ports, () =>
      createElectrumServer({
        handlers: electrumBackend<ElectrumSession<undefined>>(chain, { ...(options.banner === undefined ? {} : { banner: options.banner }), hosts: { [host]: features } }),
        listen: {
          tcp: { host, port: ports.electrumTcp },
          ws: { host, port: ports.electrumWs },
          ...(tlsOptions && { tls: { host, port: ports.electrumTls, tls: tlsOptions }, wss: { host, port: ports.electrumWss, tls: tlsOptions } }),
        },
        serverSoftware: 'stratum-sdk regtest 0.1.0',
        limits: WORLD_CONNECTION_LIMITS,
      }),
    );
    started.push(electrum);
    const stratum = await listenOrExplain(ports, () =>
      createMiningServer({
        context: () => ({ miner: undefined as PoolMiner | undefined }),
        handlers: Object.fromEntries(
          Object.entries(pool.handlers).map(([method, handler]) => [
            method,
            (params: never, session: { context: { miner: PoolMiner | undefined } }) => (handler as (p: never, m: PoolMiner) => unknown)(params, session.context.miner as PoolMiner),
          ]),
        ),
        listen: { tcp: { host, port: ports.stratum }, ...(tlsOptions && { tls: { host, port: ports.stratumTls, tls: tlsOptions } }) },
        limits: WORLD_CONNECTION_LIMITS,
      }),
    );
    started.push(stratum);
    stratum.on('connection', (session) => {
      session.context.miner = pool.connect({
        notify: (method, params) => void session.notify(method, params as never),
        request: (method, params, requestOptions) => session.request(method, params, requestOptions),
      });
    });
    stratum.on('disconnect', (session) => session.context.miner && pool.disconnect(session.context.miner));

    const onChange = (touched: ReadonlySet<string>) => {
      for (const sh of touched) {
        if (electrum.subscribers('blockchain.scripthash.subscribe', sh).length) {
          electrum.notifySubscribers('blockchain.scripthash.subscribe', sh, [sh, statusOf(chain, sh)]);
        }
      }
    };
    const offBlock = chain.events.on('block', (block, touched) => {
      electrum.notifySubscribers('blockchain.headers.subscribe', [headerNotification(block)]);
      onChange(touched);
    });
    const offTx = chain.events.on('transaction', (_txid, touched) => onChange(touched));

    const port = (server: { address(kind: 'tcp' | 'tls' | 'ws' | 'wss'): { port: number } | undefined }, kind: 'tcp' | 'tls' | 'ws' | 'wss') => server.address(kind)?.port;
    Object.assign(features, {
      tcp_port: port(electrum, 'tcp'),
      ws_port: port(electrum, 'ws'),
      ...(tls && { ssl_port: port(electrum, 'tls'), wss_port: port(electrum, 'wss') }),
    });
    const urls: WorldUrls = {
      electrumTcp: electrum.url('tcp') as string,
      electrumWs: electrum.url('ws') as string,
      stratum: (stratum.url('tcp') as string).replace(/^tcp:/, 'stratum+tcp:'),
      ...(tls && {
        electrumTls: electrum.url('tls') as string,
        electrumWss: electrum.url('wss') as string,
        stratumTls: (stratum.url('tls') as string).replace(/^tls:/, 'stratum+ssl:'),
      }),
    };
    return {
      chain,
      pool,
      electrum,
      stratum,
      urls,
      tls: tls && { cert: tls.cert, fingerprint: tls.fingerprint, generated: tls.generated },
      payoutAddress,
      payoutScripthash: scriptHash(payoutScript),
      close: async () => {
        offBlock();
        offTx();
        pool.close();
        await Promise.all([electrum.close(), stratum.close()]);
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
}

/** The certificate for the TLS listeners: given, generated, or none (TLS off). */
async function worldCertificate(options: WorldOptions, host: string): Promise<{ cert: string; key: string; fingerprint: string; generated: boolean } | undefined> {
  const tlsPortNamed = ['electrumTls', 'electrumWss', 'stratumTls'].some((k) => options.ports?.[k as keyof WorldPorts] !== undefined);
  const wanted = options.tls ?? tlsPortNamed;
  if (wanted === false) return undefined;
  // Lazily: only a world with TLS loads node:crypto's certificate code.
  const { certificateFingerprint, selfSignedCertificate, DEFAULT_CERTIFICATE_HOSTS } = await import('./certificate.js');
  if (wanted === true) {
    const unspecified = host === '0.0.0.0' || host === '::' || host === '';
    const made = selfSignedCertificate({ hosts: unspecified ? DEFAULT_CERTIFICATE_HOSTS : [...DEFAULT_CERTIFICATE_HOSTS, host] });
    return { ...made, generated: true };
  }
  const cert = typeof wanted.cert === 'string' ? wanted.cert : new TextDecoder().decode(wanted.cert);
  const key = typeof wanted.key === 'string' ? wanted.key : new TextDecoder().decode(wanted.key);
  let fingerprint: string;
  try {
    fingerprint = certificateFingerprint(cert);
  } catch (e) {
    throw new ConnectError(`the TLS certificate given is not a PEM certificate: ${(e as Error).message}`, { cause: e });
  }
  return { cert, key, fingerprint, generated: false };
}

const PORT_NAMES: Readonly<Record<keyof typeof DEFAULT_WORLD_PORTS, readonly [what: string, flag: string]>> = {
  electrumTcp: ['Electrum TCP', '--electrum-port'],
  electrumWs: ['Electrum WebSocket', '--ws-port'],
  stratum: ['Stratum', '--stratum-port'],
  electrumTls: ['Electrum TLS', '--tls-port'],
  electrumWss: ['Electrum secure WebSocket', '--wss-port'],
  stratumTls: ['Stratum TLS', '--stratum-tls-port'],
};

/** A busy port is the likeliest failure; say which and what to do. */
async function listenOrExplain<T>(ports: Readonly<Record<keyof typeof DEFAULT_WORLD_PORTS, number>>, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    const error = e as NodeJS.ErrnoException & { port?: number };
    if (error.code === 'EADDRINUSE') {
      const key = (Object.keys(PORT_NAMES) as (keyof typeof PORT_NAMES)[]).find((k) => ports[k] === error.port && error.port !== 0);
      const [what, flag] = key ? PORT_NAMES[key] : ['a', 'the port options'];
      throw new ConnectError(
        `the ${what} port${key ? ` ${error.port}` : ''} is already in use (${error.message}); stop what uses it or choose another port (${flag}${key ? ` or ports.${key}` : ''}; 0 for any free one)`,
        { cause: e },
      );
    }
    throw e;
  }
}
