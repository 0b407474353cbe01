// TCP and TLS byte streams on Node. TLS verifies certificates and sends SNI unless told otherwise;
// pinning and trust-on-first-use are decided after the handshake, before any request is written.
import { Buffer, isAscii } from 'node:buffer';
import net from 'node:net';
import tls from 'node:tls';
import { ConnectError, StratumSdkError, TlsError } from '../errors.js';
import { decodeUtf8, type FramerOptions } from '../framing.js';
import { byteStreamTransport, DEFAULT_CONNECT_TIMEOUT, type Connector } from '../transport.js';
import { checkPeerCertificate, checkTlsSettings, tlsConnectOptions, type TlsSettings } from './tls-trust.js';

export type { TlsSettings, TrustStore } from './tls-trust.js';

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsSettings | false | undefined;
  /** Milliseconds to wait for the connection (and TLS handshake). */
  readonly connectTimeout?: number | undefined;
  readonly framing?: FramerOptions | undefined;
  /** Most bytes that may wait to be written to a server that does not read (default DEFAULT_MAX_BUFFERED_BYTES). */
  readonly maxBufferedBytes?: number | undefined;
}

export { DEFAULT_CONNECT_TIMEOUT };

/** OpenSSL's codes for "this certificate is not trusted", as opposed to "the network failed". */
export function isCertificateError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME/.test(code);
}

// Below this, TextDecoder's own call is cheaper than making a Buffer view and checking the bytes
// (measured on Node 20: even at 2 KiB, about 0.5 µs either way; at 16 KiB, 3.7 µs against 2.0 µs).
const BUFFER_DECODE_MIN = 4096;

/**
 * The framer's UTF-8 decoding on Node. Node 20's TextDecoder decodes about 1.3 bytes a nanosecond (9 ms
 * for a 12 MB reply); bytes that are all ASCII (checked by Node's SIMD isAscii) are the same text in
 * Latin-1, which Buffer copies several times faster. Anything else goes to the framer's fatal
 * TextDecoder, so invalid UTF-8 still throws; ASCII holds no byte order mark, so none is lost either.
 */
export function nodeDecodeUtf8(bytes: Uint8Array): string {
  if (bytes.length >= BUFFER_DECODE_MIN && isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return decodeUtf8(bytes);
}

/**
 * The framer's array for joining a line's pieces, not zero-filled first: the framer writes every byte
 * of it before decoding it. Joining and decoding a 12 MB reply took about 7 ms with a zero-filled
 * array and under 4 ms with this one (bench/framing.mjs's reply, Node 20).
 */
function allocateUnfilled(size: number): Uint8Array {
  return Buffer.allocUnsafe(size);
}

/**
 * What a Node socket's owner tells the framer: the chunks are its to keep, and the Node decoder. Only
 * for sockets made without an `onread` buffer: each of their 'data' events is then a fresh Buffer that
 * Node never writes into again, so the framer may keep it without copying. The caller's own options win.
 */
export function nodeFraming(framing?: FramerOptions): FramerOptions {
  return { transferChunks: true, decode: nodeDecodeUtf8, allocate: allocateUnfilled, ...framing };
}

export function tcpConnector(options: TcpOptions): Connector {
  const checked = options.tls ? checkTlsSettings(options.tls) : undefined;
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT;
  return (handlers) =>
    new Promise((resolve, reject) => {
      const { host, port } = options;
      const where = `${host}:${port}`;
      const socket = checked
        ? tls.connect({ host, port, ...tlsConnectOptions(checked, host) })
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
          resolve(byteStreamTransport(socket, handlers, nodeFraming(options.framing), {
              coalesce: true,
              writeText: (text) => socket.write(text),
              maxBufferedBytes: options.maxBufferedBytes,
            }));
        }, fail);
      });
    });
}
