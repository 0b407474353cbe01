// The mining client's requests: params checked before anything is sent, the short timeout for requests
// pools often leave unanswered, and the requests whose failure is not the caller's error (a configure the
// pool ignores, answers nobody waits for).
import type { MiningConfigureParams, MiningConfigureResult } from '../generated/mining/types.js';
import { excerpt } from '../runtime/bounded-json.js';
import type { Connection } from '../runtime/connection.js';
import { ServerError, TimeoutError, ValidationError } from '../runtime/errors.js';
import type { ProtocolRegistry } from '../runtime/registry.js';
import { NO_OPTIONS, type RequestOptions } from '../runtime/session.js';
import type { PoolEndpoint } from './mining-endpoint.js';
import type { MiningReplies } from './mining-replies.js';
import type { ReplayCalls } from './mining-resume.js';
import type { ReconnectInfo } from './mining-types.js';

/** What each pool connection is: where it leads, and the check its replies go through. */
export interface PoolLink {
  readonly endpoint: PoolEndpoint;
  readonly replies: MiningReplies;
}


export class MiningRequests implements ReplayCalls {
  readonly #core: Connection<PoolLink, ReconnectInfo>;
  readonly #validate: boolean;
  readonly #optionalTimeout: number;
  readonly #protocol: ProtocolRegistry<string>;

  constructor(protocol: ProtocolRegistry<string>, core: Connection<PoolLink, ReconnectInfo>, validate: boolean, optionalTimeout: number) {
    this.#protocol = protocol;
    this.#core = core;
    this.#validate = validate;
    this.#optionalTimeout = optionalTimeout;
  }

  /**
   * Results are checked as the session reads them (MiningReplies): a rejection or an invalid result rejects.
   * A request real pools may leave unanswered (the spec's `optionalReply`: always, or when a repeat on a
   * connection that already answered one) gets the short timeout.
   */
  async call(method: string, params: readonly unknown[], options: RequestOptions = NO_OPTIONS): Promise<unknown> {
    this.checkParams(method, params);
    const optional = this.#protocol.get(method)?.optionalReply;
    const unsure = optional !== undefined && (optional.when === 'always' || this.#core.link?.info?.replies.answered(method) === true);
    const timeout = options.timeout ?? (unsure ? this.#optionalTimeout : undefined);
    return this.#core.request(method, params, timeout === undefined && options.signal === undefined ? NO_OPTIONS : { signal: options.signal, timeout });
  }

  checkParams(method: string, params: readonly unknown[]): void {
    if (!this.#validate) return;
    const check = this.#protocol.validateParams(method, params);
    if (!check.valid) throw new ValidationError(method, 'params', check.errors);
  }

  /** Pools that ignore these are the norm; the answer, if any, is already in the state. */
  fireAndForget(method: string, params: readonly unknown[]): void {
    void this.call(method, params).catch(() => undefined);
  }

  /** Undefined when the pool refused or did not answer. */
  async configure(params: MiningConfigureParams): Promise<MiningConfigureResult | undefined> {
    try {
      return (await this.call('mining.configure', params)) as MiningConfigureResult;
    } catch (e) {
      // BIP310: a pool without the extension answers with an error, or (node-stratum-pool) not at all.
      if (e instanceof ServerError || e instanceof TimeoutError) return undefined;
      throw e;
    }
  }

  /** A refusal, bare `false` included, rejects with a ServerError. */
  async authorize(params: readonly unknown[]): Promise<void> {
    const ok = await this.call('mining.authorize', params);
    if (ok !== true) throw new ServerError('mining.authorize', null, `the pool refused worker ${excerpt(params[0], 100)}`);
  }
}
