// The client half of bench/world-notify.mjs: one of several forked processes, each holding a share of
// the connections as raw net sockets speaking newline JSON, so that reading 10,000 sockets does not
// compete with itself on one thread and the latency measured is the server's. Each notification's
// arrival is recorded (Date.now(), the same wall clock the server uses) and attributed at the end,
// when the parent says what each block was: an arrival can precede the IPC message about its block.
//
// IPC in:  {type:'connect', port, from, to, perConnection, totalScripthashes, window}
//          | {type:'collect', blocks: [[height, minedAt, acceptedAt]], statuses: [[scripthash:status, height, kind]]}
//          | {type:'stop'}
// IPC out: {type:'connected'} | {type:'collected', received, latencies, perBlock} | {type:'error', message, fd}
import net from 'node:net';
import { scriptHash } from '../dist/bitcoin.js';
import { benchScripts } from './world-notify-server.mjs';

const sockets = [];
/** [kind, key, now]: kind 0 a header (key: its height), 1 a script hash (key: `scripthash:status`). */
const arrivals = [];

function openOne(port, hashes, perConnection) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    socket.setEncoding('utf8');
    let buffer = '';
    let replies = 0;
    const expectedReplies = 2 + perConnection;
    socket.on('data', (chunk) => {
      const now = Date.now();
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const message = JSON.parse(line);
        if (message.id !== undefined && message.id !== null) {
          if (message.error) return reject(new Error(JSON.stringify(message.error)));
          if (++replies === expectedReplies) resolve();
        } else if (message.method === 'blockchain.headers.subscribe') arrivals.push([0, message.params[0].height, now]);
        else arrivals.push([1, `${message.params[0]}:${message.params[1]}`, now]);
      }
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      const lines = [
        { id: 0, method: 'server.version', params: ['world-notify bench', '1.4'] },
        { id: 1, method: 'blockchain.headers.subscribe', params: [] },
      ];
      for (let k = 0; k < perConnection; k++) lines.push({ id: 2 + k, method: 'blockchain.scripthash.subscribe', params: [hashes[k]] });
      socket.write(lines.map((l) => JSON.stringify({ jsonrpc: '2.0', ...l })).join('\n') + '\n');
    });
  });
}

async function connect({ port, from, to, perConnection, window }) {
  const scripts = benchScripts(to * perConnection, from * perConnection);
  const hashes = scripts.map((s) => scriptHash(s));
  for (let start = from; start < to; start += window) {
    const batch = [];
    for (let c = start; c < Math.min(to, start + window); c++) {
      const at = (c - from) * perConnection;
      batch.push(openOne(port, hashes.slice(at, at + perConnection), perConnection));
    }
    await Promise.all(batch);
  }
}

function collect({ blocks, statuses }) {
  const byHeight = new Map(blocks.map(([height, minedAt, acceptedAt]) => [height, { minedAt, acceptedAt }]));
  const byStatus = new Map(statuses.map(([key, height, kind]) => [key, { height, kind }]));
  const received = { header: 0, mempool: 0, confirmed: 0, unattributed: 0 };
  const latencies = { header: [], mempool: [], confirmed: [] };
  const perBlock = {};
  for (const [type, key, now] of arrivals) {
    const entry = type === 0 ? { height: key, kind: 'header' } : byStatus.get(key);
    const block = entry && byHeight.get(entry.height);
    if (!block) {
      received.unattributed++;
      continue;
    }
    received[entry.kind]++;
    const latency = now - (entry.kind === 'mempool' ? block.acceptedAt : block.minedAt);
    latencies[entry.kind].push(latency);
    (perBlock[entry.height] ??= []).push(latency);
  }
  return { type: 'collected', received, latencies, perBlock };
}

process.on('message', async (message) => {
  try {
    switch (message.type) {
      case 'connect':
        await connect(message);
        process.send({ type: 'connected' });
        break;
      case 'collect':
        process.send(collect(message));
        break;
      case 'stop':
        for (const s of sockets) s.destroy();
        process.exit(0);
    }
  } catch (e) {
    process.send({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e), fd: e?.code === 'EMFILE' || e?.code === 'ENFILE' });
  }
});
process.on('disconnect', () => process.exit(0));
