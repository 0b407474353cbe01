// TCP and TLS byte streams on Node. TLS verifies certificates and sends SNI unless told otherwise;
// pinning and trust-on-first-use are decided after the handshake, before any request is written.
import net from 'node:net';
import tls from 'node:tls';
import { ConnectError, StratumSdkError, TlsError } from '../errors.js';
import type { FramerOptions } from '../framing.js';
import { byteStreamTransport, type Connector } from '../transport.js';
import { checkPeerCertificate, checkTlsSettings, tlsConnectOptions, type TlsSettings } from './tls-trust.js';

export type { TlsSettings, TrustStore } from './tls-trust.js';

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsSettings | false | undefined;
  /** Milliseconds to wait for the connection (and TLS handshake). */
  readonly connectTimeout?: number | undefined;
  readonly framing?: FramerOptions | undefined;
}

// 10 s: a server that has not accepted by then is down or blocked; requests have their own timeout.
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

/** OpenSSL's codes for "this certificate is not trusted", as opposed to "the network failed". */
export function isCertificateError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME/.test(code);
}

export function tcpConnector(options: TcpOptions): Connector {
  const checked = options.tls ? checkTlsSettings(options.tls) : undefined;
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  return (handlers) =>
    new Promise((resolve, reject) => {
      const { host, port } = options;
      const where = `${host}:${port}`;
      const socket = checked
        ? tls.connect({ host, port, ...tlsConnectOptions(checked, host, net.isIP(host) !== 0) })
        : net.connect({ host, port });
      let settled = false;
      const fail = (e: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (e instanceof StratumSdkError) reject(e);
        else if (checked && isCertificateError(e)) reject(new TlsError(`${where}: certificate refused: ${(e as Error).message}`, { cause: e }));
        else reject(new ConnectError(`${where}: ${(e as Error).message}`, { cause: e }));
      };
      const timer = setTimeout(() => fail(new ConnectError(`${where}: no connection within ${connectTimeout} ms`)), connectTimeout);
      socket.once('error', fail);
      socket.once(checked ? 'secureConnect' : 'connect', () => {
        const ready = checked ? checkPeerCertificate(socket as tls.TLSSocket, checked, where) : Promise.resolve();
        ready.then(() => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.off('error', fail);
          socket.setNoDelay(true);
          resolve(byteStreamTransport(socket, handlers, options.framing, { coalesce: true }));
        }, fail);
      });
    });
}
