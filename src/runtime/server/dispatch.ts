// From one request to its answer: find the handler, gate by protocol version, validate the params
// against the registry, run the handler, turn what it throws into a JSON-RPC error. No I/O and no
// method known by name: the registry and the handler table come from the caller.
import { excerpt } from '../bounded-json.js';
import { ServerError, ValidationError } from '../errors.js';
import { JSON_RPC_ERRORS } from '../messages.js';
import type { MethodInfo, ValidationContext } from '../registry.js';
import type { ValidationOutcome } from '../validation.js';
import { toPositional } from './params.js';

/** Codes a server sends besides JSON-RPC's own, as aiorpcx (ElectrumX) numbers them. */
export const SERVER_ERROR_CODES = {
  /** Too many requests of one connection in flight (aiorpcx "excessive resource usage"). */
  EXCESSIVE_RESOURCE_USAGE: -101,
} as const;

export interface RpcErrorBody {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export type Outcome = { readonly result: unknown } | { readonly error: RpcErrorBody };

/** What a server needs of a registry: the generated `electrumProtocol` and `miningProtocol` fit. */
export interface DispatchRegistry {
  get(method: string): MethodInfo | undefined;
  validateParams(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
  validateResult(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
  validateNotification(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
}

/** A handler gets the validated positional params and the session; throwing a ServerError answers with its code. */
export type RequestHandler<S> = (params: unknown[], session: S) => unknown;

export type HandlerTable<S> = { readonly [method: string]: RequestHandler<S> | undefined };

/** The part of a session the dispatcher reads. */
export interface DispatchSubject {
  readonly protocolVersion: string | undefined;
}

export interface DispatcherOptions<S> {
  readonly registry: DispatchRegistry;
  readonly handlers: HandlerTable<S>;
  /** The version to gate and validate at while a session has negotiated none (the server's minimum). */
  readonly assumedVersion?: string | undefined;
  /** Check each result against the spec before sending it (a bad one becomes -32603 and is reported). */
  readonly validateResults?: boolean | undefined;
  /** A handler threw something other than a ServerError, or produced a result that breaks the spec. */
  readonly onError: (error: unknown, session: S, method: string) => void;
}

type Checked<S> = { readonly handler: RequestHandler<S>; readonly params: unknown[]; readonly version: string | undefined } | { readonly error: RpcErrorBody };

export class Dispatcher<S extends DispatchSubject> {
  readonly #options: DispatcherOptions<S>;

  constructor(options: DispatcherOptions<S>) {
    this.#options = options;
  }

  /**
   * Answers one request. Never rejects: whatever throws on the way (the handler, and also a
   * validator or a registry meeting input nobody foresaw) is answered -32603 and reported. Lookup and
   * validation run before the first await, so they see the session as it was when the request arrived.
   */
  async answer(method: string, rawParams: unknown[] | Record<string, unknown>, session: S): Promise<Outcome> {
    let checked: Checked<S>;
    try {
      checked = this.#check(method, rawParams, session);
    } catch (e) {
      return this.#internal(e, method, session);
    }
    if ('error' in checked) return checked;
    let result: unknown;
    try {
      // Awaiting inside the try also catches a thenable whose `then` throws or rejects with anything.
      result = await checked.handler(checked.params, session);
    } catch (e) {
      return this.#failure(e, method, session);
    }
    if (this.#options.validateResults) {
      try {
        const check = this.#options.registry.validateResult(method, result === undefined ? null : result, {
          protocolVersion: checked.version,
          params: checked.params,
        });
        if (!check.valid) {
          this.#options.onError(new ValidationError(method, 'result', check.errors), session, method);
          return { error: { code: JSON_RPC_ERRORS.INTERNAL_ERROR, message: `internal error: the ${method} result broke the spec` } };
        }
      } catch (e) {
        return this.#internal(e, method, session);
      }
    }
    return { result };
  }

  #handler(method: string): RequestHandler<S> | undefined {
    // Own properties only: a method named "toString" or "__proto__" must not find Object.prototype.
    return Object.hasOwn(this.#options.handlers, method) ? this.#options.handlers[method] : undefined;
  }

  #check(method: string, rawParams: unknown[] | Record<string, unknown>, session: S): Checked<S> {
    const info = this.#options.registry.get(method);
    const handler = this.#handler(method);
    if (!info || !handler) return { error: { code: JSON_RPC_ERRORS.METHOD_NOT_FOUND, message: `unknown method ${excerpt(method, 80)}` } };
    const version = session.protocolVersion ?? this.#options.assumedVersion;
    // ElectrumX answers a method outside the negotiated version as unknown, not as bad params.
    if (version !== undefined && !info.isAvailable(version)) {
      return { error: { code: JSON_RPC_ERRORS.METHOD_NOT_FOUND, message: `method ${excerpt(method, 80)} is not available at protocol ${version}` } };
    }
    let params: unknown[];
    if (Array.isArray(rawParams)) params = rawParams;
    else {
      const positional = toPositional(rawParams, info.params, info.additionalParams);
      if (!positional.ok) return invalidParams(method, [positional.error]);
      params = positional.params;
    }
    const check = this.#options.registry.validateParams(method, params, { protocolVersion: version });
    if (!check.valid) return invalidParams(method, check.errors);
    return { handler, params, version };
  }

  #failure(e: unknown, method: string, session: S): Outcome {
    if (e instanceof ServerError) {
      const code = e.serverCode ?? JSON_RPC_ERRORS.INTERNAL_ERROR;
      return { error: e.data === undefined ? { code, message: e.serverMessage } : { code, message: e.serverMessage, data: e.data } };
    }
    return this.#internal(e, method, session);
  }

  #internal(e: unknown, method: string, session: S): Outcome {
    this.#options.onError(e, session, method);
    return { error: { code: JSON_RPC_ERRORS.INTERNAL_ERROR, message: 'internal error' } };
  }
}

function invalidParams(method: string, errors: readonly string[]): { error: RpcErrorBody } {
  return { error: { code: JSON_RPC_ERRORS.INVALID_PARAMS, message: `invalid params for ${method}: ${errors.join('; ')}` } };
}
