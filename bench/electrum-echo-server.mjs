#!/usr/bin/env node
// A minimal Electrum-like newline-JSON server on 127.0.0.1 for the client benchmarks, run as a child
// process (child_process.fork) so its work does not share the measured client's thread. It answers
// the handshakes every benchmarked client sends (server.version with a name and a version or a range,
// server.ping, electrum-cash's string ids "versionNegotiation" and "keepAlive", requests with and
// without "jsonrpc"), get_balance, scripthash subscriptions and JSON-RPC batches.
//
// It is kept cheap so that the client, not the server, is what a benchmark measures: a request line is
// read with a few indexOf calls instead of JSON.parse (every benchmarked client writes one flat object
// per line; batches and anything unusual fall back to JSON.parse), replies are prebuilt strings with the
// id spliced in, and all the replies to one received chunk go out in one write.
//
// Control messages over the IPC channel:
//   { type: 'cpu' }                                  -> { type: 'cpu', usage } (process.cpuUsage(), µs)
//   { type: 'status', value: 'hex' | 'null' }        what scripthash.subscribe answers from now on: a
//                                                       64-hex status (a used address) or null (unused)
//                                                       -> { type: 'status' }
//   { type: 'prepare', client, count, id, status? }  builds `count` blockchain.scripthash.subscribe
//                                                       notifications for the connection whose
//                                                       server.version named `client`, cycling over the
//                                                       scripthashes it subscribed, each with `status`
//                                                       (64 hex digits; default 'b2' x 32)
//                                                       -> { type: 'prepared', id, count, bytes }
//   { type: 'notify', id }                           writes the prepared notifications in one go
//                                                       -> { type: 'notified', id } once written
// On start it sends { type: 'listening', port }. It exits when the parent disconnects.
import net from 'node:net';

const VERSION_RESULT = '["bench","1.4"]';
const BALANCE_RESULT = '{"confirmed":103873966,"unconfirmed":23684400}';
// A status is the hex SHA-256 of the history: 64 hex digits. Subscribe answers one, notifications another.
const STATUS_HEX = `"${'a1'.repeat(32)}"`;
const STATUS_CHANGED = `"${'b2'.repeat(32)}"`;
let subscribeAnswer = STATUS_HEX;

/** @type {Map<string, Connection>} by the client name each connection gave in server.version */
const byClient = new Map();
/** @type {Map<number, { connection: Connection, text: string }>} */
const prepared = new Map();

class Connection {
  /** @param {net.Socket} socket */
  constructor(socket) {
    this.socket = socket;
    this.buffer = '';
    /** @type {string[]} scripthashes in the order they were subscribed */
    this.subscribed = [];
    /** @type {string | undefined} */
    this.client = undefined;
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => this.#data(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.client !== undefined && byClient.get(this.client) === this) byClient.delete(this.client);
    });
  }

  /** @param {string} chunk */
  #data(chunk) {
    const text = this.buffer.length ? this.buffer + chunk : chunk;
    let out = '';
    let start = 0;
    let nl;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.length === 0 || line === '\r') continue;
      out += this.#line(line);
    }
    this.buffer = start < text.length ? text.slice(start) : '';
    if (out.length) this.socket.write(out);
  }

  /** One request line to its reply text (with the newline). */
  #line(line) {
    const fast = line.charCodeAt(0) === 0x7b /* { */ ? scan(line) : undefined;
    if (fast) return this.#answer(fast.method, fast.idText, fast.firstParam);
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      return `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}\n`;
    }
    if (Array.isArray(value)) {
      const replies = value.map((item) => this.#answerParsed(item).slice(0, -1));
      return `[${replies.join(',')}]\n`;
    }
    return this.#answerParsed(value);
  }

  #answerParsed(message) {
    const params = Array.isArray(message?.params) ? message.params : [];
    return this.#answer(message?.method, JSON.stringify(message?.id ?? null), params[0]);
  }

  /**
   * @param {unknown} method
   * @param {string} idText the id exactly as JSON text
   * @param {unknown} firstParam
   */
  #answer(method, idText, firstParam) {
    switch (method) {
      case 'server.version':
        if (typeof firstParam === 'string' && this.client === undefined) {
          this.client = firstParam;
          byClient.set(firstParam, this);
        }
        return result(idText, VERSION_RESULT);
      case 'server.ping':
        return result(idText, 'null');
      case 'blockchain.scripthash.get_balance':
        return result(idText, BALANCE_RESULT);
      case 'blockchain.scripthash.subscribe':
        if (typeof firstParam === 'string') this.subscribed.push(firstParam);
        return result(idText, subscribeAnswer);
      case 'blockchain.scripthash.unsubscribe':
        return result(idText, 'true');
      default:
        return `{"jsonrpc":"2.0","id":${idText},"error":{"code":-32601,"message":"unknown method"}}\n`;
    }
  }
}

function result(idText, resultText) {
  return `{"jsonrpc":"2.0","id":${idText},"result":${resultText}}\n`;
}

/**
 * Reads method, id and the first param (when a string) of a flat request object without JSON.parse.
 * Returns undefined for anything it is not sure of, which then goes through JSON.parse.
 * @param {string} line
 */
function scan(line) {
  const m = line.indexOf('"method":"');
  if (m === -1) return undefined;
  const mEnd = line.indexOf('"', m + 10);
  const method = line.slice(m + 10, mEnd);
  if (method.includes('\\')) return undefined;
  const i = line.indexOf('"id":');
  if (i === -1) return undefined;
  let idText;
  if (line.charCodeAt(i + 5) === 0x22 /* " */) {
    const close = line.indexOf('"', i + 6);
    idText = line.slice(i + 5, close + 1);
    if (idText.includes('\\')) return undefined;
  } else {
    let end = i + 5;
    while (end < line.length && line[end] !== ',' && line[end] !== '}') end++;
    idText = line.slice(i + 5, end).trim();
    if (!/^-?\d+$/.test(idText) && idText !== 'null') return undefined;
  }
  const p = line.indexOf('"params":[');
  if (p === -1) return undefined;
  let firstParam;
  if (line.charCodeAt(p + 10) === 0x22 /* " */) {
    const close = line.indexOf('"', p + 11);
    firstParam = line.slice(p + 11, close);
    if (firstParam.includes('\\')) return undefined;
  }
  return { method, idText, firstParam };
}

const server = net.createServer((socket) => new Connection(socket));
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: /** @type {net.AddressInfo} */ (server.address()).port });
});

process.on('message', (message) => {
  switch (message?.type) {
    case 'cpu':
      process.send?.({ type: 'cpu', usage: process.cpuUsage() });
      return;
    case 'status':
      subscribeAnswer = message.value === 'null' ? 'null' : STATUS_HEX;
      process.send?.({ type: 'status' });
      return;
    case 'prepare': {
      const connection = byClient.get(message.client);
      if (!connection || connection.subscribed.length === 0) {
        process.send?.({ type: 'error', id: message.id, message: `no connection named "${message.client}" with subscriptions` });
        return;
      }
      const subs = connection.subscribed;
      const status = typeof message.status === 'string' && /^[0-9a-f]{64}$/.test(message.status) ? `"${message.status}"` : STATUS_CHANGED;
      const parts = new Array(message.count);
      for (let n = 0; n < message.count; n++) {
        parts[n] = `{"jsonrpc":"2.0","method":"blockchain.scripthash.subscribe","params":["${subs[n % subs.length]}",${status}]}\n`;
      }
      const text = parts.join('');
      prepared.set(message.id, { connection, text });
      process.send?.({ type: 'prepared', id: message.id, count: message.count, bytes: text.length });
      return;
    }
    case 'notify': {
      const job = prepared.get(message.id);
      if (!job) {
        process.send?.({ type: 'error', id: message.id, message: `nothing prepared under id ${message.id}` });
        return;
      }
      prepared.delete(message.id);
      job.connection.socket.write(job.text, () => process.send?.({ type: 'notified', id: message.id }));
      return;
    }
    default:
      process.send?.({ type: 'error', message: `unknown control message ${JSON.stringify(message)}` });
  }
});

// The parent owns this process: when it goes (normally or not), so does the server.
process.on('disconnect', () => process.exit(0));
