// JSON-RPC batches on a session (session.ts), beside it rather than in it: a client that never batches
// (the lite client) carries none of this.
import { AbortedError, ClosedError, type StratumSdkError } from './errors.js';
import { encodeBatch, encodeRequest } from './messages.js';
import { checkTimeout, type ReplyCheck, type RequestOptions, type ResultCheck, type RpcSession } from './session.js';

/** One call of a batch: its method and params (the shape `ElectrumClient.batch` is given, passed on as it is). */
export type BatchCall = readonly [method: string, params: readonly unknown[]];

/** One call's outcome in a batch (the clients' BatchItemResult). */
export type Settled<T = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: StratumSdkError };

// A batch's answers are made by a constructor, not an object literal: V8 allocates the objects of a literal whose
// objects have mostly outlived young-generation collections (the transactions a wallet's sync keeps) straight in the
// old generation from then on, and an old outcome keeps its answer, however short-lived, until a full collection. With
// one literal for every answer, each of a sync's 20,000 merkle proofs, dropped once checked, was copied twice by the
// collector (about a tenth of the sync's client CPU); constructed objects are not moved so.
class Answered {
  declare readonly ok: true;
  declare readonly value: unknown;
  constructor(value: unknown) {
    this.ok = true;
    this.value = value;
  }
}

/**
 * Sends several requests as one JSON-RPC batch, settled as a whole: the promise resolves once every call has
 * settled (servers answer batch members in any order), with each call's outcome in the order of the calls. The
 * timeout, signal and result check apply to each call. One promise a batch, not one a call: a wallet's sync sends
 * tens of thousands of calls in batches, and a promise with its two functions for each (and the client's wrapper
 * around each), alive until its answer came, cost it about an eighth of its client CPU.
 */
export function requestBatch(
  session: RpcSession,
  calls: readonly BatchCall[],
  options: RequestOptions = {},
  check?: ResultCheck | ReplyCheck,
): Promise<Settled[]> {
  const signal = options.signal;
  const { dialect, send, timeout } = session.options;
  const timeoutMs = options.timeout ?? timeout;
  try {
    checkTimeout(timeoutMs);
  } catch (e) {
    return Promise.reject(e);
  }
  const closed = session.closeError;
  if (closed || signal?.aborted) return Promise.resolve(calls.map(([method]): Settled => ({ ok: false, error: closed ?? new AbortedError(method, signal?.reason) })));
  const count = calls.length;
  if (!count) return Promise.resolve([]);
  return new Promise((done, fail) => {
    const outcomes: Settled[] = [];
    let left = count;
    // The session issues ids one after another, and nothing comes between the calls registered below: a call's
    // place is its id less the first's.
    let first = 0;
    const resolve = (value: unknown, id: number) => {
      outcomes[id - first] = new Answered(value);
      if (--left === 0) done(outcomes);
    };
    const reject = (error: StratumSdkError, id: number) => {
      outcomes[id - first] = { ok: false, error };
      if (--left === 0) done(outcomes);
    };
    let registered = 0;
    const failAll = (error: (method: string) => StratumSdkError) => {
      for (let i = 0; i < registered; i++) session.reject(first + i, error);
    };
    try {
      for (const [method, params] of calls) {
        const id = session.register(method, params, timeoutMs, signal, resolve, reject, check);
        if (registered++ === 0) first = id;
      }
    } catch (e) {
      // The table refused one (it is full): none is sent, and the batch fails as a whole.
      failAll(() => new ClosedError('batch: not sent', { cause: e }));
      fail(e);
      return;
    }
    try {
      send(encodeBatch(calls.map(([method, params], i) => encodeRequest(first + i, method, params, dialect))));
    } catch (e) {
      failAll(() => new ClosedError('batch: could not send', { cause: e }));
    }
  });
}
