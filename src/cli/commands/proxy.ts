// stratum-sdk proxy: a validating proxy between any client and any server (Electrum or Stratum; TCP, TLS,
// WebSocket or secure WebSocket on either side). Bytes go through unchanged; every message is checked
// against the spec and each violation is printed as it happens, with a summary when it stops.
import { readFileSync } from 'node:fs';
import { TranscriptRecorder } from '../../conformance/transcript-recorder.js';
import { formatFinding, type TrafficProtocol } from '../../conformance/traffic/findings.js';
import { formatSummary } from '../../conformance/traffic/format.js';
import { trafficReport } from '../../conformance/traffic/report.js';
import { parseCommand } from '../args.js';
import { UsageError, type CliIo } from '../io.js';
import { sharedOptions } from '../options.js';
import { EXIT_CODES_HELP, failOnOf, finishReport, REPORT_OPTIONS, runningIo } from '../report-options.js';
import { DEFAULT_PROXY_PARTIAL_MESSAGE_TIMEOUT, startTrafficProxy, type ProxyAddress, type ProxyTransport } from '../traffic-proxy.js';
import { checkServerUrl } from '../urls.js';

export const PROXY_HELP = `Usage: stratum-sdk proxy --listen <url> --upstream <url> [options]

Forwards every connection made to --listen to --upstream, bytes unchanged in both directions, and checks
every message on the way against the spec: it follows the version negotiation, matches replies to requests
by id, and validates params, results (for the negotiated version and the params sent), notifications and
errors. Each violation is printed to stderr as it happens (the connection, the direction, the method, the
path, the message); Ctrl-C stops it and prints a summary per method and per connection.

URLs: tcp://, tls:// (or ssl://), ws://, wss://[/path]; stratum+tcp:// and stratum+ssl:// say the traffic is
Stratum. Either side may use any of them (a TCP client through a WebSocket upstream: each line becomes one
WebSocket message). The listening port may be 0 (any free port; the address is printed).

Options:
  --listen <url>            where clients connect (required), e.g. tcp://127.0.0.1:50011
  --upstream <url>          the server (required), e.g. tcp://127.0.0.1:50001 or stratum+tcp://pool:3333
  --protocol <p>            electrum or stratum (default: from a stratum+ URL, else told per connection
                            from its first message)
  --record <file.jsonl>     write every message to a transcript (check it later with \`stratum-sdk check\`)
  --tls-cert <file.pem>     certificate and key for a tls:// or wss:// --listen (default: a self-signed one
  --tls-key <file.pem>      made at start, whose SHA-256 fingerprint is printed)
  --tls-ca, --tls-pin, --insecure   how the upstream's certificate is checked (as for every command)
  --json                    at exit, print the report as JSON (the shared conformance report: a check per
                            method, with the traffic summary and findings) instead of the summary tables;
                            stdout holds the report alone, everything else goes to stderr
  --junit <file>            at exit, also write the report as JUnit XML (a testcase per method)
  --fail-on error|deviation exit 1 on a violation (default), or on a documented deviation too
  -h, --help                this help

Requests still awaiting their reply when a connection closes are listed as unanswered (not a violation).
A side that leaves a message unfinished for ${DEFAULT_PROXY_PARTIAL_MESSAGE_TIMEOUT / 1000} s (as the SDK's servers allow) has both connections closed.

${EXIT_CODES_HELP}

Example (does my wallet talk to this server the way the spec says?):
  stratum-sdk proxy --listen tcp://127.0.0.1:50011 --upstream tcp://127.0.0.1:50001 --record session.jsonl`;

const PROXY_OPTIONS = {
  listen: { type: 'string' },
  upstream: { type: 'string' },
  protocol: { type: 'string' },
  record: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string', multiple: true },
  'tls-pin': { type: 'string', multiple: true },
  insecure: { type: 'boolean' },
  ...REPORT_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

export async function proxy(args: readonly string[], out: CliIo): Promise<number> {
  const { values } = parseCommand(args, PROXY_OPTIONS, { positionals: false });
  const io = runningIo(out, values.json);
  if (values.help) {
    out.stdout(PROXY_HELP);
    return 0;
  }
  if (values.listen === undefined) throw new UsageError('--listen <url> is required, e.g. --listen tcp://127.0.0.1:50011');
  if (values.upstream === undefined) throw new UsageError('--upstream <url> is required, e.g. --upstream tcp://127.0.0.1:50001');
  const listen = listenAddress(values.listen);
  const failOn = failOnOf(values['fail-on']);
  const upstreamUrl = checkServerUrl(values.upstream);
  const upstream: ProxyAddress = {
    transport: transportOf(upstreamUrl.scheme),
    host: upstreamUrl.host,
    port: upstreamUrl.port,
    path: pathOf(values.upstream, upstreamUrl.scheme),
  };
  let protocol: TrafficProtocol | undefined;
  if (values.protocol !== undefined) {
    if (values.protocol !== 'electrum' && values.protocol !== 'stratum') throw new UsageError(`--protocol must be electrum or stratum, got ${JSON.stringify(values.protocol)}`);
    protocol = values.protocol;
  } else if (upstreamUrl.protocol === 'mining' || listen.stratum) {
    protocol = 'stratum';
  }
  const { tls: upstreamTls } = sharedOptions({ 'tls-ca': values['tls-ca'], 'tls-pin': values['tls-pin'], insecure: values.insecure });
  const listenTls = listen.address.transport === 'tls' || listen.address.transport === 'wss' ? await listenCertificate(values['tls-cert'], values['tls-key'], io) : undefined;
  if (!listenTls && (values['tls-cert'] !== undefined || values['tls-key'] !== undefined)) throw new UsageError('--tls-cert and --tls-key are for a tls:// or wss:// --listen');

  let recorder: TranscriptRecorder | undefined;
  if (values.record !== undefined) {
    try {
      recorder = await TranscriptRecorder.open(values.record, {
        protocol,
        source: `stratum-sdk proxy --listen ${values.listen} --upstream ${values.upstream}`,
        onStopped: (reason) => io.stderr(`--record: ${reason}`),
      });
    } catch (e) {
      throw new UsageError(`--record: cannot write ${values.record}: ${(e as Error).message}`);
    }
  }
  try {
    const running = await startTrafficProxy({
      listen: listen.address,
      upstream,
      listenTls,
      upstreamTls,
      protocol,
      record: recorder,
      onFinding: (f) => io.stderr(formatFinding(f)),
      onEvent: (line) => io.stderr(line),
    });
    io.stdout(`proxy ${running.url} -> ${values.upstream}${protocol ? ` (${protocol})` : ''}: every message checked against the spec; Ctrl-C prints the summary`);
    if (!io.interrupt.aborted) await new Promise<void>((resolve) => io.interrupt.addEventListener('abort', () => resolve(), { once: true }));
    await running.close();
    running.checker.finish();
    const summary = running.checker.summary();
    const report = trafficReport({ target: values.upstream, kind: 'proxy' }, [{ source: values.upstream, summary }]);
    return await finishReport(report, values, failOn, out, () => formatSummary(summary));
  } finally {
    await recorder?.close();
  }
}

function transportOf(scheme: string): ProxyTransport {
  switch (scheme) {
    case 'tcp':
    case 'stratum+tcp':
      return 'tcp';
    case 'tls':
    case 'ssl':
    case 'stratum+ssl':
    case 'stratum+tls':
      return 'tls';
    case 'ws':
      return 'ws';
    case 'wss':
      return 'wss';
    default:
      throw new UsageError(`unknown scheme ${scheme}:// (expected tcp, tls, ssl, ws, wss, stratum+tcp or stratum+ssl)`);
  }
}

function pathOf(text: string, scheme: string): string | undefined {
  if (scheme !== 'ws' && scheme !== 'wss') return undefined;
  const path = /^[a-z]+:\/\/[^/?#]*(\/[^#]*)?/i.exec(text)?.[1];
  return path && path !== '/' ? path : undefined;
}

/** The listening URL: like a server URL, but port 0 (any free one) is allowed and a port is required. */
function listenAddress(text: string): { address: ProxyAddress; stratum: boolean } {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(\[[^\]]+\]|[^/:?#]+):(\d{1,5})(\/[^#]*)?$/i.exec(text);
  if (!match) throw new UsageError(`--listen ${JSON.stringify(text)}: write it as scheme://host:port, e.g. tcp://127.0.0.1:50011 (port 0 for any free one)`);
  const scheme = (match[1] as string).toLowerCase();
  const port = Number(match[3]);
  if (port > 65535) throw new UsageError(`--listen ${text}: port ${port} is out of range`);
  const transport = transportOf(scheme);
  const path = match[4] && match[4] !== '/' ? match[4] : undefined;
  if (path && transport !== 'ws' && transport !== 'wss') throw new UsageError(`--listen ${text}: only ws:// and wss:// take a path`);
  return { address: { transport, host: (match[2] as string).replace(/^\[(.*)\]$/, '$1'), port, path }, stratum: scheme.startsWith('stratum+') };
}

async function listenCertificate(certFile: string | undefined, keyFile: string | undefined, io: CliIo): Promise<{ cert: string; key: string }> {
  if (certFile === undefined && keyFile === undefined) {
    const { selfSignedCertificate } = await import('../../regtest/certificate.js');
    const made = selfSignedCertificate();
    io.stdout(`listening with a self-signed certificate made at start, SHA-256 ${made.fingerprint}`);
    return { cert: made.cert, key: made.key };
  }
  if (certFile === undefined || keyFile === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: ${(e as Error).message}`);
    }
  };
  return { cert: read(certFile), key: read(keyFile) };
}
