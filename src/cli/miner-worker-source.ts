// The nonce search that runs inside each miner worker thread, as JavaScript source: the worker is started
// from this text (worker_threads' eval), so the same code runs from dist/ and from the TypeScript sources
// under test, with no file to locate next to the compiled output. Node-only (src/cli).
//
// Messages in:  { type: 'work', id, gen, header (80 bytes, nonce ignored), target (32 bytes, little-endian as targetToBytes gives it), start, count }
// Messages out: { type: 'found', id, nonce, hash (32 bytes, internal order) } for every header that meets the target,
//               { type: 'done', id, tries } when the range is searched or `gen` moved on (a newer job),
//               { type: 'progress', tries } now and then, so the main thread can show the hashrate.
// The shared Int32Array `control` holds the current generation: the worker drops a work item whose `gen` is
// no longer current within CHECK_EVERY nonces, without waiting for a message.
//
// Hashing: @noble/hashes' SHA-256, with the state after the header's first 64 bytes (the midstate) computed
// once per work item and copied into one reused object per try (_cloneInto), the fastest sha256d found here
// for an 80-byte header (bench/hashrate.mjs compares it with node:crypto's one-shot hash).
export const MINER_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const CHECK_EVERY = 4096;
const PROGRESS_EVERY = 131072;
const control = new Int32Array(workerData.control);
import(workerData.sha2).then(({ sha256 }) => {
  const queue = [];
  let busy = false;
  parentPort.on('message', (message) => {
    if (message.type !== 'work') return;
    queue.push(message);
    if (!busy) drain();
  });
  function drain() {
    busy = true;
    while (queue.length) {
      const work = queue.shift();
      if (Atomics.load(control, 0) !== work.gen) {
        parentPort.postMessage({ type: 'done', id: work.id, tries: 0 });
        continue;
      }
      search(work);
    }
    busy = false;
  }
  function search(work) {
    const header = new Uint8Array(work.header);
    const target = new Uint8Array(work.target);
    const tail = header.subarray(64);
    const midstate = sha256.create().update(header.subarray(0, 64));
    let inner = sha256.create();
    const first = new Uint8Array(32);
    const hash = new Uint8Array(32);
    let nonce = work.start >>> 0;
    const end = work.start + work.count;
    let tries = 0;
    let reported = 0;
    for (let n = work.start; n < end; n++) {
      header[76] = nonce & 0xff;
      header[77] = (nonce >>> 8) & 0xff;
      header[78] = (nonce >>> 16) & 0xff;
      header[79] = (nonce >>> 24) & 0xff;
      inner = midstate._cloneInto(inner);
      inner.update(tail).digestInto(first);
      sha256.create().update(first).digestInto(hash);
      tries++;
      // Both read as little-endian numbers, compared from the most significant byte (as hashMeetsTarget does).
      let meets = true;
      for (let i = 31; i >= 0; i--) {
        const h = hash[i];
        const t = target[i];
        if (h !== t) {
          meets = h < t;
          break;
        }
      }
      if (meets) parentPort.postMessage({ type: 'found', id: work.id, nonce, hash: hash.slice() });
      nonce = (nonce + 1) >>> 0;
      if ((tries & (CHECK_EVERY - 1)) === 0) {
        if (tries - reported >= PROGRESS_EVERY) {
          parentPort.postMessage({ type: 'progress', tries: tries - reported });
          reported = tries;
        }
        if (Atomics.load(control, 0) !== work.gen) break;
      }
    }
    if (tries > reported) parentPort.postMessage({ type: 'progress', tries: tries - reported });
    parentPort.postMessage({ type: 'done', id: work.id, tries });
  }
  parentPort.postMessage({ type: 'ready' });
}, (error) => {
  parentPort.postMessage({ type: 'error', message: String(error && error.stack || error) });
});
`;
