#!/usr/bin/env node
// Framing cost on a large reply: a ~12 MB blockchain.scripthash.get_history answer (125,000 entries)
// fed in 64 KiB chunks through NewlineFramer then JSON.parse, and then also validated against the spec
// as the client does, each against a baseline measured in the same run: decoding (TextDecoder) and
// parsing the same bytes already joined. The chunks are Buffers and the framer is set up as the Node
// transports set it up (nodeFraming: chunks kept without copying, ASCII decoded by Buffer), because that
// is what the client does on Node. The platform-free set-up (TextDecoder, chunks copied, Uint8Array
// chunks, as in a browser) is timed too, for comparison, and so is a naive quadratic framer (append
// each chunk to one string and search it from the start, as several peer libraries do).
// All of them run interleaved, round by round (bench/lib/rounds.mjs); each ratio is taken within a round
// and printed as its median with its minimum and maximum. A full garbage collection runs, untimed, before
// every contestant alike, baseline included (interleave's `collect`): each run leaves 12 MB of text and
// 125,000 parsed objects behind, and without it the full collection they make due lands on whichever
// contestant comes next, the same one most rounds since the order only rotates, adding 10-25 ms to it.
// Each run still pays for the collections its own allocations cause.
// Needs the build: `npm run build && node bench/framing.mjs`. Ratios are printed, never asserted.
import { electrumProtocol } from '../dist/generated/electrum/methods.js';
import { NewlineFramer } from '../dist/runtime/framing.js';
import { nodeDecodeUtf8, nodeFraming } from '../dist/runtime/node/tcp.js';
import { fmtMs, fmtRatio, fullCollection, interleave, machine, ratios, verdict } from './lib/rounds.mjs';

const ENTRIES = 125_000;
const CHUNK = 64 * 1024;
const ROUNDS = 9;
const TARGET = 1.5;
// Validation close to free (issue 19): framed, parsed and validated, at most 1.2x JSON.parse of the bytes.
const VALIDATED_TARGET = 1.2;

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

/** One timed run of `fn`, in milliseconds. */
function timed(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
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

// The reply is larger than the 8.1 MB default, as a 125,000-entry history would be on the wire.
const MAX = 16_000_000;
// What a Node socket delivers: a Buffer per 'data' event.
const nodeChunks = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));

/** Frames the chunks with NewlineFramer and hands each message's parsed value to `use`. */
function frameAndParse(use, { platformFree = false } = {}) {
  const framer = new NewlineFramer(platformFree ? { maxMessageSize: MAX } : nodeFraming({ maxMessageSize: MAX }));
  let count = 0;
  for (const chunk of platformFree ? chunks : nodeChunks) {
    for (const event of framer.push(chunk)) {
      if (event.type !== 'message') throw event.error;
      use(JSON.parse(event.text));
      count++;
    }
  }
  if (count !== 1) throw new Error(`expected one message, got ${count}`);
}

const checkAndValidate = (value) => {
  check(value);
  validate(value);
};

const replyTextForParse = new TextDecoder().decode(joined);
const parsedReply = JSON.parse(replyTextForParse);
// What the fast check's hex test cannot do without: one TextEncoder.encodeInto call per tx_hash (see
// HEX_BATCH_CODE in codegen/fast-validators.mjs), here into one buffer and not checked at all.
const encoder = new TextEncoder();
const copied = new Uint8Array(256);
function copyHashes(value) {
  let bytes = 0;
  for (const entry of value.result) bytes += encoder.encodeInto(entry.tx_hash, copied).written;
  if (bytes !== ENTRIES * 64) throw new Error('the tx_hash strings were not all copied');
}
function naiveRun() {
  const framer = new NaiveFramer();
  let count = 0;
  for (const chunk of chunks) {
    for (const text of framer.push(chunk)) {
      check(JSON.parse(text));
      count++;
    }
  }
  if (count !== 1) throw new Error(`expected one message, got ${count}`);
}

// Every contestant once per round. nodeBaseline: the same bytes decoded as the Node transports decode
// (see nodeDecodeUtf8), not the target's baseline, but it shows how much of the margin comes from decoding
// faster rather than from framing and validating. parse and validation alone show where the validated
// run's time goes (framing and decoding is what the framed run adds to JSON.parse alone; timed on its
// own, framing swings with the collections the 12 MB strings it makes set off, so it is not timed apart).
const collect = await fullCollection();
const t = await interleave(
  {
    baseline: () => timed(() => check(JSON.parse(new TextDecoder().decode(joined)))),
    nodeBaseline: () => timed(() => check(JSON.parse(nodeDecodeUtf8(joined)))),
    framed: () => timed(() => frameAndParse(check)),
    validated: () => timed(() => frameAndParse(checkAndValidate)),
    platformFree: () => timed(() => frameAndParse(checkAndValidate, { platformFree: true })),
    parse: () => timed(() => check(JSON.parse(replyTextForParse))),
    validation: () => timed(() => validate(parsedReply)),
    copyHashes: () => timed(() => copyHashes(parsedReply)),
  },
  { rounds: ROUNDS, warmUp: 1, collect },
);
// The naive framer is quadratic (seconds a run): two rounds against the baseline are enough to show it.
const naive = await interleave({ baseline: () => timed(() => check(JSON.parse(new TextDecoder().decode(joined)))), naive: () => timed(naiveRun) }, { rounds: 2, warmUp: 0, collect });

// A validator that accepted anything would make the validated figure meaningless: prove it refuses a
// reply whose last entry has a string height, and one whose last tx_hash has a non-hex last digit.
// Both are made as a server would send them, as text (editing an already parsed reply would also
// change the hidden class JSON.parse gives every later entry, and slow down everything after it).
// The proof runs after the timed runs: V8 deoptimises the validator where an entry fails deep in a
// 125,000-entry loop, and the code it compiles next has run up to twice as slow in this benchmark.
// So the figures above are for a validator that has only seen valid replies, and the line after the
// proof shows what it costs once it has refused a bad one.
function proveValidatorRefuses() {
  const text = new TextDecoder().decode(joined);
  const lastHeight = `"height":${100_000 + ENTRIES - 1}}`;
  const at = text.lastIndexOf(lastHeight);
  const lastHash = text.lastIndexOf('","height"');
  for (const [what, broken] of [
    ['a string height', `${text.slice(0, at)}"height":"tip"}${text.slice(at + lastHeight.length)}`],
    ['a non-hex tx_hash digit', `${text.slice(0, lastHash - 1)}g${text.slice(lastHash)}`],
  ]) {
    const value = JSON.parse(broken);
    if (value.result.length !== ENTRIES) throw new Error(`the broken reply (${what}) was not made`);
    if (electrumProtocol.validateResult('blockchain.scripthash.get_history', value.result, { protocolVersion: '1.4' }).valid) {
      throw new Error(`the get_history validator accepted ${what}: the validated timing would be meaningless`);
    }
  }
}
proveValidatorRefuses();
const afterRefusal = await interleave(
  { baseline: () => timed(() => check(JSON.parse(new TextDecoder().decode(joined)))), validated: () => timed(() => frameAndParse(checkAndValidate)) },
  { rounds: 3, warmUp: 0, collect },
);

const mb = (data.length / 1e6).toFixed(1);
const vs = (name) => ratios(t[name], t.baseline);
console.log(`framing: one get_history reply of ${ENTRIES} entries, ${mb} MB, in ${chunks.length} chunks of 64 KiB; ${ROUNDS} interleaved rounds after a warm-up, a full collection before every run, times median (min-max), ratios per round against the baseline`);
console.log(`  machine: ${await machine()}`);
console.log(`  baseline, decode + JSON.parse of the joined bytes: ${fmtMs(t.baseline)}`);
console.log(`  (the same bytes decoded as the Node transports decode, + JSON.parse: ${fmtMs(t.nodeBaseline)}; against it, the validated run below is ${fmtRatio(ratios(t.validated, t.nodeBaseline))})`);
console.log(`  NewlineFramer + JSON.parse:                  ${fmtMs(t.framed)}, ratio ${fmtRatio(vs('framed'))} ${verdict(vs('framed'), TARGET, false)}`);
console.log(`  NewlineFramer + JSON.parse + validateResult: ${fmtMs(t.validated)}, ratio ${fmtRatio(vs('validated'))} ${verdict(vs('validated'), VALIDATED_TARGET, false)}`);
console.log(`    where it goes: JSON.parse alone ${fmtMs(t.parse)}; validation alone ${fmtMs(t.validation)}, of which the encodeInto call per tx_hash, timed alone, ${fmtMs(t.copyHashes)}`);
console.log(`  the same, platform-free framer (TextDecoder, copies): ${fmtMs(t.platformFree)}, ratio ${fmtRatio(vs('platformFree'))} (no target: the set-up for other platforms)`);
console.log(`  naive string framer + JSON.parse (comparison): ${fmtMs(naive.naive, 0)}, ratio ${fmtRatio(ratios(naive.naive, naive.baseline), 0)}`);
console.log(`  validated again, after the validator refused two bad 125,000-entry replies: ${fmtMs(afterRefusal.validated)}, ratio ${fmtRatio(ratios(afterRefusal.validated, afterRefusal.baseline))} (no target)`);
