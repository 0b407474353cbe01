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

/** Joins shorter than this take a Buffer of their own, from Node's pool when small: cheap, and nothing kept. */
const SCRATCH_MIN = 64 * 1024;
/** The shared join buffer grows in steps of this, so a run of growing replies reallocates it rarely. */
const SCRATCH_STEP = 1024 * 1024;
/** Milliseconds without a long join after which the shared join buffer is given back. */
const SCRATCH_IDLE_MS = 1000;

let scratch: Buffer | undefined;
let scratchTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * The framer's array for joining a line's pieces, not zero-filled: the framer writes every byte of it
 * before decoding it, and reads it only until the line is decoded (into a string of its own: Buffer's
 * latin1 and TextDecoder both copy), within one synchronous call. So one buffer can serve every long
 * line of every framer of the process, as no two joins overlap. A fresh Buffer per long line costs
 * the kernel's page faults whenever the allocator hands back memory just mapped, which for a 12 MB
 * reply it often does: framing bench/framing.mjs's reply took about 250 page faults in most runs and
 * 3,000-6,000 in a quarter to half of them (then 8 ms or more slower), and with a full collection
 * before each run, joining, decoding and parsing it took 22 or 31 ms by turns (median 31 ms, Node 20)
 * against a steady 22 ms with memory already touched. The
 * buffer is as long as the longest line joined, rounded up to a MiB (so at most the largest
 * maxMessageSize in use plus a MiB), and is dropped after SCRATCH_IDLE_MS without a long line, so a
 * process that stops receiving long lines gives it back; the timer does not keep the process alive.
 */
function allocateJoin(size: number): Uint8Array {
  if (size < SCRATCH_MIN) return Buffer.allocUnsafe(size);
  if (scratch === undefined || scratch.length < size) {
    scratch = Buffer.allocUnsafeSlow(Math.ceil(size / SCRATCH_STEP) * SCRATCH_STEP);
  }
  if (scratchTimer === undefined) {
    scratchTimer = setTimeout(releaseScratch, SCRATCH_IDLE_MS);
    scratchTimer.unref();
  } else scratchTimer.refresh();
  return scratch.subarray(0, size);
}

function releaseScratch(): void {
  scratch = undefined;
  scratchTimer = undefined;
}

/** For tests: how long the shared join buffer is now (0 when there is none). */
export function joinScratchLength(): number {
  return scratch?.length ?? 0;
}

/**
 * What a Node socket's owner tells the framer: the chunks are its to keep, the Node decoder, and the
 * shared join buffer (see allocateJoin: what its `allocate` returns is only lent until the next call). Only
 * for sockets made without an `onread` buffer: each of their 'data' events is then a fresh Buffer that
 * Node never writes into again, so the framer may keep it without copying. The caller's own options win.
 */
export function nodeFraming(framing?: FramerOptions): FramerOptions {
  return { transferChunks: true, decode: nodeDecodeUtf8, allocate: allocateJoin, ...framing };
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
