// Options of the commands that start the regtest world (world, serve), and what they print about it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressToScriptPubKey } from '../bitcoin/address.js';
import { BitcoinError } from '../bitcoin/errors.js';
import { DEFAULT_WORLD_PORTS, type World, type WorldOptions, type WorldPorts } from '../regtest/world.js';
import { TranscriptRecorder, tapWorld } from '../conformance/transcript-recorder.js';
import { TrafficChecker } from '../conformance/traffic/checker.js';
import { formatFinding, type TrafficSummary } from '../conformance/traffic/findings.js';
import { UsageError, type CliIo } from './io.js';

export const WORLD_OPTIONS = {
  host: { type: 'string' },
  'electrum-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'stratum-port': { type: 'string' },
  'tls-port': { type: 'string' },
  'wss-port': { type: 'string' },
  'stratum-tls-port': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'no-tls': { type: 'boolean' },
  address: { type: 'string' },
  difficulty: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const WORLD_HELP = `World options:
  --host <ip>               interface to listen on (default 127.0.0.1)
  --electrum-port <n>       Electrum TCP port (default ${DEFAULT_WORLD_PORTS.electrumTcp}; 0 for any free port, as for every port)
  --tls-port <n>            Electrum TLS port (default ${DEFAULT_WORLD_PORTS.electrumTls})
  --ws-port <n>             Electrum WebSocket port (default ${DEFAULT_WORLD_PORTS.electrumWs})
  --wss-port <n>            Electrum secure WebSocket port (default ${DEFAULT_WORLD_PORTS.electrumWss})
  --stratum-port <n>        Stratum pool port (default ${DEFAULT_WORLD_PORTS.stratum})
  --stratum-tls-port <n>    Stratum pool TLS port (default ${DEFAULT_WORLD_PORTS.stratumTls})
  --tls-cert <file.pem>     certificate for the TLS ports, with --tls-key (default: a self-signed one made at
  --tls-key <file.pem>      start); when neither file exists yet, one is made and written there, so the next
                            start presents the same certificate and wallets that pinned it keep connecting
  --no-tls                  no TLS ports
  --address <bcrt1...>      your regtest address: block rewards pay it (default: a fixed one nobody holds)
  --difficulty <d>          pool share difficulty (default 1/4096: a share every few seconds per CPU core)`;

export interface WorldValues {
  host?: string | undefined;
  'electrum-port'?: string | undefined;
  'ws-port'?: string | undefined;
  'stratum-port'?: string | undefined;
  'tls-port'?: string | undefined;
  'wss-port'?: string | undefined;
  'stratum-tls-port'?: string | undefined;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
  'no-tls'?: boolean | undefined;
  address?: string | undefined;
  difficulty?: string | undefined;
}

export interface WorldCliOptions {
  readonly options: WorldOptions;
  /** Set when --tls-cert/--tls-key named files that did not exist: they were made and written. */
  readonly wroteCertificate?: { readonly cert: string; readonly key: string };
  /** The certificate file to give cpuminer's --cert, when there is one on disk. */
  readonly certFile?: string;
}

export async function worldOptions(values: WorldValues): Promise<WorldCliOptions> {
  const port = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535, got ${JSON.stringify(text)}`);
    return n;
  };
  const tlsOff = values['no-tls'] === true;
  const tlsFlags = (['tls-port', 'wss-port', 'stratum-tls-port', 'tls-cert', 'tls-key'] as const).filter((f) => values[f] !== undefined);
  if (tlsOff && tlsFlags.length) throw new UsageError(`--no-tls cannot be combined with --${tlsFlags[0]}`);
  const ports: WorldPorts = {
    ...optional('electrumTcp', port('--electrum-port', values['electrum-port'])),
    ...optional('electrumWs', port('--ws-port', values['ws-port'])),
    ...optional('stratum', port('--stratum-port', values['stratum-port'])),
    ...optional('electrumTls', port('--tls-port', values['tls-port'])),
    ...optional('electrumWss', port('--wss-port', values['wss-port'])),
    ...optional('stratumTls', port('--stratum-tls-port', values['stratum-tls-port'])),
  };
  let difficulty: number | undefined;
  if (values.difficulty !== undefined) {
    const [a, b] = values.difficulty.split('/');
    difficulty = b === undefined ? Number(a) : Number(a) / Number(b);
    if (!(difficulty > 0) || !Number.isFinite(difficulty)) throw new UsageError(`--difficulty must be a positive number or a fraction like 1/4096, got ${JSON.stringify(values.difficulty)}`);
  }
  if (values.address !== undefined) {
    try {
      addressToScriptPubKey(values.address, 'regtest');
    } catch (e) {
      if (!(e instanceof BitcoinError)) throw e;
      throw new UsageError(`--address must be a regtest address (bcrt1..., or m/n/2... in base58): ${JSON.stringify(values.address)}: ${e.message}`);
    }
  }
  const tls = tlsOff ? { tls: false as const } : await certificateFiles(values, values.host);
  return {
    options: {
      ports,
      ...optional('tls', tls.tls),
      ...optional('host', values.host),
      ...optional('payoutAddress', values.address),
      ...optional('shareDifficulty', difficulty),
    },
    ...optional('wroteCertificate', tls.wrote),
    ...optional('certFile', tls.certFile),
  };
}

async function certificateFiles(values: WorldValues, host: string | undefined): Promise<{ tls: WorldOptions['tls']; wrote?: { cert: string; key: string }; certFile?: string }> {
  const certPath = values['tls-cert'];
  const keyPath = values['tls-key'];
  if (certPath === undefined && keyPath === undefined) return { tls: true };
  if (certPath === undefined || keyPath === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  const [hasCert, hasKey] = [existsSync(certPath), existsSync(keyPath)];
  if (hasCert !== hasKey) {
    throw new UsageError(`${hasCert ? keyPath : certPath} does not exist but ${hasCert ? certPath : keyPath} does: give both files, or two new names to have a certificate made there`);
  }
  if (!hasCert) {
    const { selfSignedCertificate, DEFAULT_CERTIFICATE_HOSTS } = await import('../regtest/certificate.js');
    const specific = host !== undefined && host !== '0.0.0.0' && host !== '::';
    const made = selfSignedCertificate({ hosts: specific ? [...DEFAULT_CERTIFICATE_HOSTS, host] : DEFAULT_CERTIFICATE_HOSTS });
    try {
      writeFileSync(keyPath, made.key, { mode: 0o600, flag: 'wx' });
      writeFileSync(certPath, made.cert, { flag: 'wx' });
    } catch (e) {
      throw new UsageError(`could not write the new certificate: ${(e as Error).message}`);
    }
    return { tls: { cert: made.cert, key: made.key }, wrote: { cert: certPath, key: keyPath }, certFile: certPath };
  }
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
  };
  const cert = read(certPath);
  const key = read(keyPath);
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${certPath} is not a PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new UsageError(`${keyPath} is not a PEM private key`);
  return { tls: { cert, key }, certFile: certPath };
}

/**
 * cpuminer checks a TLS pool's certificate against a file (--cert); a certificate made at start is written to
 * the temporary directory for it (the certificate only, never the key) and removed when the world stops.
 */
export async function publicCertificateFile(tls: { readonly cert: string; readonly fingerprint: string }): Promise<{ path: string; remove(): Promise<void> }> {
  const path = join(tmpdir(), `stratum-sdk-world-${tls.fingerprint.slice(0, 16)}.pem`);
  await writeFile(path, tls.cert);
  return { path, remove: () => rm(path, { force: true }) };
}

/**
 * How many of the coinbases of blocks 1 to `height` (all paying one address) can be spent: a coinbase needs
 * `maturity` confirmations (block h's is spendable once the tip is at h + maturity - 1, as the chain checks it).
 */
export function maturityNote(height: number, maturity: number): string {
  const spendable = Math.max(0, height - (maturity - 1));
  if (height === 0) return `a coinbase can be spent once it has ${maturity} confirmations (block 1's at height ${maturity})`;
  if (spendable > 0) return `${spendable} of ${height} coinbases mature (spendable), ${height - spendable} not yet (a coinbase needs ${maturity} confirmations)`;
  return `none spendable yet: a coinbase needs ${maturity} confirmations, so block 1's is spendable at height ${maturity}, ${maturity - height} block${maturity - height === 1 ? '' : 's'} from now`;
}

/** The URLs, the certificate, and how to point real software at them. */
export function printWorld(world: World, io: CliIo, extra: { certFile?: string | undefined; ownAddress: boolean }): void {
  const tcp = new URL(world.urls.electrumTcp);
  const hostPort = (url: string) => new URL(url.replace(/^[a-z+]+:/, 'http:')).host;
  io.stdout(`stratum-sdk regtest world, chain height ${world.chain.height} (genesis ${world.chain.genesisHash})`);
  io.stdout(`  Electrum  ${world.urls.electrumTcp}   ${world.urls.electrumWs}`);
  if (world.urls.electrumTls && world.urls.electrumWss) io.stdout(`            ${world.urls.electrumTls}   ${world.urls.electrumWss}`);
  io.stdout(`  Stratum   ${world.urls.stratum}${world.urls.stratumTls ? `   ${world.urls.stratumTls}` : ''}`);
  if (world.tls) {
    io.stdout(`  TLS       ${world.tls.generated ? 'self-signed certificate made at start' : 'certificate'}${extra.certFile ? ` ${extra.certFile}` : ''}, SHA-256 ${world.tls.fingerprint}`);
  }
  io.stdout(`  payout    ${world.payoutAddress}${extra.ownAddress ? ' (yours)' : ' (a fixed address nobody holds the key of: --address <yours> to be paid)'}`);
  io.stdout('Point your own software at it:');
  io.stdout(`  electrum --regtest --oneserver --server ${tcp.hostname}:${tcp.port}:t`);
  if (world.tls && world.urls.electrumTls) {
    const tls = new URL(world.urls.electrumTls);
    io.stdout(`  electrum --regtest --oneserver --server ${tls.hostname}:${tls.port}:s --serverfingerprint ${world.tls.fingerprint}`);
  }
  io.stdout(`  minerd -a sha256d -o stratum+tcp://${hostPort(world.urls.stratum)} -u you -p x`);
  if (world.tls && world.urls.stratumTls) {
    // cpuminer spells TLS stratum+tcps:// and checks the certificate against --cert.
    io.stdout(`  minerd -a sha256d -o stratum+tcps://${hostPort(world.urls.stratumTls)} --cert ${extra.certFile ?? '<the certificate, saved with --tls-cert/--tls-key>'} -u you -p x`);
  }
  const pin = world.tls ? ` --tls-pin ${world.tls.fingerprint}` : '';
  io.stdout(`  npx stratum-sdk subscribe ${world.urls.electrumTls ?? world.urls.electrumTcp} blockchain.headers.subscribe${world.urls.electrumTls ? pin : ''}`);
  io.stdout(`  npx stratum-sdk mine ${world.urls.stratumTls ?? world.urls.stratum} --user you${world.urls.stratumTls ? pin : ''}`);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---- serve --check-clients / --record ------------------------------------------------------------------

export const TRAFFIC_OPTIONS = {
  'check-clients': { type: 'boolean' },
  record: { type: 'string' },
} as const;

export const TRAFFIC_HELP = `Traffic options:
  --check-clients           check every message your clients send (and the world's answers) against the spec
                            for the version and dialect they negotiated; each violation is printed to stderr as
                            it happens, and a summary per method and per connection when the world stops
                            (exit code 1 if a client broke the spec)
  --record <file.jsonl>     write every message of every connection to a transcript (see \`stratum-sdk check\`)`;

export interface TrafficWatch {
  /** Stops watching, closes the transcript; the checker's summary when --check-clients was given. */
  stop(): Promise<TrafficSummary | undefined>;
}

/** Starts what --check-clients and --record ask for on a running world (nothing when neither was given). */
export async function watchWorldTraffic(world: World, values: { 'check-clients'?: boolean | undefined; record?: string | undefined }, io: CliIo): Promise<TrafficWatch> {
  const checker = values['check-clients'] ? new TrafficChecker({ onFinding: (f) => io.stderr(formatFinding(f)) }) : undefined;
  let recorder: TranscriptRecorder | undefined;
  if (values.record !== undefined) {
    try {
      recorder = await TranscriptRecorder.open(values.record, { source: 'stratum-sdk serve --record', onStopped: (reason) => io.stderr(`--record: ${reason}`) });
    } catch (e) {
      throw new UsageError(`--record: cannot write ${values.record}: ${(e as Error).message}`);
    }
  }
  const stopTap =
    checker || recorder
      ? tapWorld(world, {
          message: (m) => {
            recorder?.write({ t: m.t ?? Date.now(), conn: m.conn, dir: m.dir, line: m.line });
            checker?.feed(m);
          },
          end: (conn) => checker?.end(conn),
        })
      : () => undefined;
  return {
    async stop() {
      stopTap();
      await recorder?.close();
      // Connections still open when the world stops end here: what awaits a reply is reported.
      checker?.finish();
      return checker?.summary();
    },
  };
}
