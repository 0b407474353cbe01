// Newline-delimited framing: bytes in, one text per line out, no I/O. TCP and TLS carry one JSON-RPC
// message per line (WebSocket frames need none of this). Platform-free: Uint8Array and TextDecoder
// only, so the same code runs in Node, browsers and React Native; the Node transports hand it a
// faster decoder of their own (node/tcp.ts).
//
// Cost is linear in the bytes received: each chunk is searched once for newlines, bytes of an
// unfinished line wait in a list of pieces that is joined once when its newline arrives, and the
// complete lines inside one chunk are decoded together, from a view of it, by one decoder call (a
// call per line costs more than the decoding when lines are short), then split at their newlines.
// Memory stays bounded: at most maxMessageSize + 1 bytes wait for a newline.
import { MessageTooLargeError, ProtocolError } from './errors.js';

/**
 * Largest message accepted by default, in bytes without the newline: Electrum's
 * NETWORK_MAX_INCOMING_MSG_SIZE and spesmilo ElectrumX's MAX_SEND are both 8,100,000, so no reply a
 * default server sends is refused, and a peer cannot make us buffer more than that.
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 8_100_000;

export interface FramerOptions {
  /** Largest message in bytes, not counting its line ending (`\n` or `\r\n`). A positive integer. */
  maxMessageSize?: number | undefined;
  /**
   * What an oversize message does. 'fail' (the default, for clients): report it once and deliver
   * nothing more until reset(); the caller closes the connection. 'skip' (aiorpcX, for servers):
   * report it, drop its bytes up to the next newline and carry on with the line after it.
   */
  onOversize?: 'fail' | 'skip' | undefined;
  /**
   * The caller hands each chunk over to the framer: it never writes into a chunk after passing it to
   * push(). Node's sockets do (every 'data' event is a fresh Buffer), so the Node transports say so.
   * The bytes of an unfinished line are then kept as views of the chunks instead of copies, and a
   * message spread over many chunks is copied once, when its newline arrives, instead of twice.
   * Off by default: a caller that reuses its read buffer would otherwise corrupt waiting bytes.
   */
  transferChunks?: boolean | undefined;
  /**
   * Decodes UTF-8 (a line, or a run of complete lines) instead of TextDecoder, for a platform with a
   * faster decoder (the Node transports pass one). It must throw on bytes that are not valid UTF-8 and
   * must keep a byte order mark as U+FEFF (the framer drops one at the start of each line itself).
   */
  decode?: ((bytes: Uint8Array) => string) | undefined;
  /**
   * Makes the array a line that came in several chunks is joined into, instead of `new Uint8Array`,
   * for a platform that can skip zero-filling it or reuse memory (the Node transports pass a shared
   * buffer that is not zero-filled): every byte of it is written before it is read, and it is read only
   * until the line is decoded, within the push() that completed it, so it may be handed out again for a
   * later line. It must return an array of exactly `size` bytes that nothing else writes into meanwhile.
   */
  allocate?: ((size: number) => Uint8Array) | undefined;
}

/** Where NewlineFramer.pushTo hands what the bytes completed. */
export interface FrameSink {
  message(text: string): void;
  error(error: MessageTooLargeError | ProtocolError): void;
}

export type FrameEvent =
  | { type: 'message'; text: string }
  | { type: 'error'; error: MessageTooLargeError | ProtocolError };

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

const BOM = 0xfeff;

/** Unfinished-line pieces shorter than this are gathered into buffers of ours, of up to GATHER_MAX bytes. */
const GATHER_BELOW = 4096;
const GATHER_FIRST = 256;
const GATHER_MAX = 65536;

// Pure: a bundle that takes only this module's constants (a browser client's size limit) drops them.
const encoder = /* @__PURE__ */ new TextEncoder();
/** Lossy, only to show an excerpt of a line that is not valid UTF-8. */
const lossyDecoder = /* @__PURE__ */ new TextDecoder('utf-8');
/**
 * Fatal: invalid UTF-8 throws instead of turning into U+FFFD. Not streaming, so no state survives a
 * call. A byte order mark is kept and dropped by the framer at the start of each line, as decoding each
 * line on its own would, also when several lines are decoded together.
 */
const utf8Decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The framer's default `decode`: TextDecoder, throwing on invalid UTF-8 and keeping a byte order mark. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

export class NewlineFramer {
  readonly maxMessageSize: number;
  readonly onOversize: 'fail' | 'skip';
  readonly transferChunks: boolean;

  /** Throws on invalid UTF-8 (see utf8Decoder). */
  readonly #decode: (bytes: Uint8Array) => string;
  readonly #allocate: ((size: number) => Uint8Array) | undefined;
  /** Pieces of the current line received before its newline: copies, or views of handed-over chunks. */
  #pieces: Uint8Array[] = [];
  /** The buffer behind the last piece when small pieces are being gathered into it (see #gatherPiece). */
  #gathering: Uint8Array | undefined;
  #pendingLength = 0;
  /** 'skip': an oversize line was reported; drop bytes until the next newline. */
  #skipping = false;
  /** 'fail': an oversize line was reported; deliver nothing more until reset(). */
  #failed = false;

  constructor(options: FramerOptions = {}) {
    const max = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    if (!Number.isSafeInteger(max) || max <= 0) {
      throw new RangeError(`maxMessageSize must be a positive integer, got ${String(max)}`);
    }
    const onOversize = options.onOversize ?? 'fail';
    if (onOversize !== 'fail' && onOversize !== 'skip') {
      throw new RangeError(`onOversize must be 'fail' or 'skip', got ${JSON.stringify(onOversize)}`);
    }
    this.maxMessageSize = max;
    this.onOversize = onOversize;
    this.transferChunks = options.transferChunks === true;
    const decode = options.decode ?? decodeUtf8;
    if (typeof decode !== 'function') throw new TypeError('decode must be a function');
    this.#decode = decode;
    if (options.allocate !== undefined && typeof options.allocate !== 'function') throw new TypeError('allocate must be a function');
    this.#allocate = options.allocate;
  }

  /** Bytes buffered without a newline yet (for "closed mid-line" reporting). */
  get pendingBytes(): number {
    return this.#pendingLength;
  }

  /** Forgets any partial line and any oversize state. */
  reset(): void {
    this.#clearPending();
    this.#skipping = false;
    this.#failed = false;
  }

  /** Feeds received bytes; returns what they completed, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    this.pushTo(chunk, {
      message: (text) => events.push({ type: 'message', text }),
      error: (error) => events.push({ type: 'error', error }),
    });
    return events;
  }

  /**
   * push(), handing what the bytes completed to `sink` as it goes, in the same order, instead of
   * gathering it in an array: the transports' way, with no object per message.
   */
  pushTo(chunk: Uint8Array, sink: FrameSink): void {
    if (this.#failed) return;
    let start = 0;
    if (this.#pendingLength > 0 || this.#skipping) {
      // The end of the line that earlier chunks began.
      const newline = chunk.indexOf(LF);
      if (newline === -1) {
        this.#keepTail(chunk, 0, sink);
        return;
      }
      start = newline + 1;
      if (this.#skipping) this.#skipping = false; // the end of a line already reported as oversize: resynchronised
      else this.#complete(chunk.subarray(0, newline), sink);
      if (this.#failed) return;
    }
    // Every line that ends in this chunk ends at or before its last newline.
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      // No line of a region within the limit can be over it, so only a larger region needs each line measured.
      if (last - start > this.maxMessageSize || !this.#lines(chunk.subarray(start, last), sink)) this.#eachLine(chunk, start, last, sink);
      if (this.#failed) return;
      start = last + 1;
    }
    this.#keepTail(chunk, start, sink);
  }

  /**
   * The lines of a region with no line over the limit, decoded by one call and split at the newlines
   * (a newline byte is never part of a multi-byte character, so the text's newlines are the bytes'
   * newlines). False when the region is not valid UTF-8: then each line is decoded on its own, to
   * report exactly the lines that are not.
   */
  #lines(region: Uint8Array, out: FrameSink): boolean {
    let text: string;
    try {
      text = this.#decode(region);
    } catch {
      return false;
    }
    let from = 0;
    for (;;) {
      const newline = text.indexOf('\n', from);
      let end = newline === -1 ? text.length : newline;
      if (end > from && text.charCodeAt(end - 1) === CR) end--;
      if (end > from && !isBlankText(text, from, end)) {
        const start = text.charCodeAt(from) === BOM ? from + 1 : from;
        out.message(text.slice(start, end));
      }
      if (newline === -1) return true;
      from = newline + 1;
    }
  }

  /** The lines of chunk[start, last] one by one, each measured against the limit and decoded alone. */
  #eachLine(chunk: Uint8Array, start: number, last: number, out: FrameSink): void {
    while (start <= last) {
      const newline = chunk.indexOf(LF, start);
      this.#complete(chunk.subarray(start, newline), out);
      if (this.#failed) return;
      start = newline + 1;
    }
  }

  /** A line's last bytes (without the newline), after any pending pieces: checked, joined, decoded. */
  #complete(segment: Uint8Array, out: FrameSink): void {
    const total = this.#pendingLength + segment.length;
    const last = segment.length > 0 ? segment[segment.length - 1] : this.#pieces.at(-1)?.at(-1);
    const size = last === CR ? total - 1 : total;
    if (size > this.maxMessageSize) {
      this.#oversize(out);
      return;
    }
    this.#line(this.#pieces.length === 0 ? segment : this.#join(segment, total), out);
  }

  /** Bytes after the last newline of a chunk: kept for the next push, within the size limit. */
  #keepTail(chunk: Uint8Array, start: number, out: FrameSink): void {
    const length = chunk.length - start;
    if (length === 0 || this.#skipping) return;
    const total = this.#pendingLength + length;
    // One byte over the limit may still be the `\r` of a `\r\n`; two over cannot.
    if (total > this.maxMessageSize + 1 || (total === this.maxMessageSize + 1 && chunk[chunk.length - 1] !== CR)) {
      this.#oversize(out);
      if (this.onOversize === 'skip') this.#skipping = true;
      return;
    }
    if (length < GATHER_BELOW) this.#gatherPiece(chunk.subarray(start));
    else {
      this.#gathering = undefined;
      if (this.transferChunks) this.#pieces.push(start === 0 ? chunk : chunk.subarray(start));
      else {
        const copy = new Uint8Array(length);
        copy.set(chunk.subarray(start));
        this.#pieces.push(copy);
      }
    }
    this.#pendingLength = total;
  }

  /**
   * A small piece, copied onto the end of the last piece when that one is gathered here too. A peer
   * that trickles a byte per packet would otherwise cost an array object per byte: over 100 bytes of
   * memory for every byte waiting, well past what maxMessageSize promises. The buffer doubles as it
   * fills, so each byte is copied about twice at most.
   */
  #gatherPiece(piece: Uint8Array): void {
    const into = this.#gathering;
    const last = this.#pieces.length - 1;
    const used = into === undefined ? 0 : (this.#pieces[last] as Uint8Array).length;
    if (into !== undefined && used + piece.length <= GATHER_MAX) {
      let buffer = into;
      if (used + piece.length > buffer.length) {
        buffer = new Uint8Array(Math.min(GATHER_MAX, Math.max(buffer.length * 2, used + piece.length)));
        buffer.set(into.subarray(0, used));
        this.#gathering = buffer;
      }
      buffer.set(piece, used);
      this.#pieces[last] = buffer.subarray(0, used + piece.length);
      return;
    }
    const buffer = new Uint8Array(Math.max(GATHER_FIRST, piece.length));
    buffer.set(piece);
    this.#gathering = buffer;
    this.#pieces.push(buffer.subarray(0, piece.length));
  }

  #oversize(out: FrameSink): void {
    this.#clearPending();
    out.error(new MessageTooLargeError(this.maxMessageSize));
    if (this.onOversize === 'fail') this.#failed = true;
  }

  /** The pending pieces and the segment that ends them, copied once into one array. */
  #join(segment: Uint8Array, total: number): Uint8Array {
    const line = this.#allocate?.(total) ?? new Uint8Array(total);
    if (line.length !== total) throw new RangeError(`allocate(${total}) returned ${line.length} bytes`);
    let offset = 0;
    for (const piece of this.#pieces) {
      line.set(piece, offset);
      offset += piece.length;
    }
    line.set(segment, offset);
    this.#clearPending();
    return line;
  }

  /** One complete line without its `\n`: drop a `\r`, skip it if blank, else decode it. */
  #line(bytes: Uint8Array, out: FrameSink): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (isBlank(bytes, end)) return;
    const body = end === bytes.length ? bytes : bytes.subarray(0, end);
    let text: string;
    try {
      text = this.#decode(body);
    } catch (cause) {
      const excerpt = lossyDecoder.decode(body.subarray(0, 200));
      out.error(new ProtocolError('invalid-utf8', `a line of ${end} bytes is not valid UTF-8`, excerpt, { cause }));
      return;
    }
    out.message(text.charCodeAt(0) === BOM ? text.slice(1) : text);
  }

  #clearPending(): void {
    this.#pieces = [];
    this.#gathering = undefined;
    this.#pendingLength = 0;
  }
}

/** True when bytes[0, end) hold only JSON whitespace (space, tab, `\r`); stops at the first other byte. */
function isBlank(bytes: Uint8Array, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const b = bytes[i];
    if (b !== SPACE && b !== TAB && b !== CR) return false;
  }
  return true;
}

/** isBlank for text[from, end). */
function isBlankText(text: string, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}

/**
 * One message as bytes to write: its UTF-8 followed by `\n`. The JSON must be on one line
 * (JSON.stringify without indentation); a newline inside it would split the message in two.
 */
export function encodeFrame(json: string): Uint8Array {
  if (json.includes('\n')) {
    throw new RangeError('a framed message must not contain a newline; serialise it without indentation');
  }
  return encoder.encode(`${json}\n`);
}

/** Checks that a message fits on one line and returns it unchanged; encodeFrames adds the newlines. */
export function encodeFrameText(json: string): string {
  if (json.includes('\n')) {
    throw new RangeError('a framed message must not contain a newline; serialise it without indentation');
  }
  return json;
}

/** Several messages (each checked by encodeFrameText) as the text of one write, each followed by `\n`. */
export function framesText(jsons: readonly string[]): string {
  return jsons.length === 1 ? `${jsons[0]}\n` : `${jsons.join('\n')}\n`;
}

/** Several messages (each checked by encodeFrameText) as the bytes of one write, each followed by `\n`. */
export function encodeFrames(jsons: readonly string[]): Uint8Array {
  return encoder.encode(framesText(jsons));
}
