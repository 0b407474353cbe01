// TCP and TLS byte streams on Node. TLS verifies certificates and sends SNI unless told otherwise.
import net from 'node:net';
import tls from 'node:tls';
import { ConnectError, TlsError } from '../errors.js';
import type { FramerOptions } from '../framing.js';
import { byteStreamTransport, type Connector } from '../transport.js';

export interface TlsSettings {
  /** Extra certificate authorities (PEM), added to the system ones. */
  readonly ca?: string | readonly string[] | undefined;
  /** Accept any certificate. Only for tests and servers you control; never the default. */
  readonly insecure?: boolean | undefined;
  /** Server name sent for SNI and checked against the certificate; defaults to the host. */
  readonly servername?: string | undefined;
}

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

export function tcpConnector(options: TcpOptions): Connector {
  return (handlers) =>
    new Promise((resolve, reject) => {
      const { host, port } = options;
      const where = `${host}:${port}`;
      const settings = options.tls || undefined;
      const socket = settings
        ? tls.connect({
            host,
            port,
            servername: net.isIP(host) ? undefined : (settings.servername ?? host),
            ca: settings.ca ? [...tls.rootCertificates, ...[settings.ca].flat()] : undefined,
            rejectUnauthorized: !settings.insecure,
          })
        : net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectError(`${where}: no connection within ${options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT} ms`));
      }, options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT);
      const fail = (e: Error) => {
        clearTimeout(timer);
        socket.destroy();
        const code = (e as NodeJS.ErrnoException).code ?? '';
        reject(
          settings && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME/.test(code)
            ? new TlsError(`${where}: certificate refused: ${e.message}`, { cause: e })
            : new ConnectError(`${where}: ${e.message}`, { cause: e }),
        );
      };
      socket.once('error', fail);
      socket.once(settings ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.setNoDelay(true);
        resolve(byteStreamTransport(socket, handlers, options.framing));
      });
    });
}
