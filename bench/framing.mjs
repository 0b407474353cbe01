#!/usr/bin/env node
// Framing cost on a large reply: a ~12 MB blockchain.scripthash.get_history answer (125,000 entries)
// fed in 64 KiB chunks through NewlineFramer then JSON.parse, and then also validated against the spec
// as the client does, each against a baseline measured in the same run: decoding and parsing the same
// bytes already joined. A naive quadratic framer (append each chunk to one string and search it from
// the start, as several peer libraries do) is timed for comparison.
// Needs the build: `npm run build && node bench/framing.mjs`. Ratios are printed, never asserted.
import { electrumProtocol } from '../dist/generated/electrum/methods.js';
import { NewlineFramer } from '../dist/runtime/framing.js';

const ENTRIES = 125_000;
const CHUNK = 64 * 1024;
const RUNS = 7;
const TARGET = 1.5;

function buildReply() {
  const history = [];
  let seed = 1;
  for (let i = 0; i < ENTRIES; i++) {
    let hash = '';
    for (let j = 0; j < 8; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      hash += seed.toString(16).padStart(8, '0');
    }
    history.push({ tx_hash: hash, height: 100_000 + i });
  }
  return new TextEncoder().encode(`${JSON.stringify({ jsonrpc: '2.0', result: history, id: 42 })}\n`);
}

/** The peer-library way: one growing string, searched from the start after every chunk. */
class NaiveFramer {
  #buffer = '';
  #decoder = new TextDecoder();
  push(chunk) {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const texts = [];
    let newline;
    while ((newline = this.#buffer.indexOf('\n')) !== -1) {
      texts.push(this.#buffer.slice(0, newline));
      this.#buffer = this.#buffer.slice(newline + 1);
    }
    return texts;
  }
}

function median(fn) {
  fn(); // warm up
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const data = buildReply();
const chunks = [];
for (let i = 0; i < data.length; i += CHUNK) chunks.push(data.subarray(i, i + CHUNK));
const joined = data.subarray(0, data.length - 1);

function check(value) {
  if (value?.result?.length !== ENTRIES) throw new Error('wrong reply parsed');
}

/** What the client does with a get_history result: check it against the spec for the negotiated version. */
function validate(value) {
  const outcome = electrumProtocol.validateResult('blockchain.scripthash.get_history', value.result, { protocolVersion: '1.4' });
  if (!outcome.valid) throw new Error(`the reply failed validation: ${outcome.errors.join('; ')}`);
}

/** Frames the chunks with NewlineFramer and hands each message's parsed value to `use`. */
function frameAndParse(use) {
  // The reply is larger than the 8.1 MB default, as a 125,000-entry history would be on the wire.
  const framer = new NewlineFramer({ maxMessageSize: 16_000_000 });
  let count = 0;
  for (const chunk of chunks) {
    for (const event of framer.push(chunk)) {
      if (event.type !== 'message') throw event.error;
      use(JSON.parse(event.text));
      count++;
    }
  }
  if (count !== 1) throw new Error(`expected one message, got ${count}`);
}

// A validator that accepted anything would make the validated figure meaningless: prove it refuses.
const broken = JSON.parse(new TextDecoder().decode(joined));
broken.result[ENTRIES - 1].height = 'tip';
if (electrumProtocol.validateResult('blockchain.scripthash.get_history', broken.result, { protocolVersion: '1.4' }).valid) {
  throw new Error('the get_history validator accepted a string height: the validated timing would be meaningless');
}

const baseline = median(() => check(JSON.parse(new TextDecoder().decode(joined))));
const framed = median(() => frameAndParse(check));
const validated = median(() =>
  frameAndParse((value) => {
    check(value);
    validate(value);
  }),
);
const naive = median(() => {
  const framer = new NaiveFramer();
  let count = 0;
  for (const chunk of chunks) {
    for (const text of framer.push(chunk)) {
      check(JSON.parse(text));
      count++;
    }
  }
  if (count !== 1) throw new Error(`expected one message, got ${count}`);
});

const mb = (data.length / 1e6).toFixed(1);
console.log(`framing: one get_history reply of ${ENTRIES} entries, ${mb} MB, in ${chunks.length} chunks of 64 KiB`);
console.log(`  baseline, decode + JSON.parse of the joined bytes: ${baseline.toFixed(1)} ms median of ${RUNS}`);
console.log(`  NewlineFramer + JSON.parse:                        ${framed.toFixed(1)} ms, ratio ${(framed / baseline).toFixed(2)}x (target at most ${TARGET}x): ${framed / baseline <= TARGET ? 'within' : 'OVER'}`);
console.log(`  NewlineFramer + JSON.parse + validateResult:       ${validated.toFixed(1)} ms, ratio ${(validated / baseline).toFixed(2)}x (target at most ${TARGET}x): ${validated / baseline <= TARGET ? 'within' : 'OVER'}`);
console.log(`  naive string framer + JSON.parse (comparison):     ${naive.toFixed(1)} ms, ratio ${(naive / baseline).toFixed(2)}x`);
