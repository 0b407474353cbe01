// What the Electrum client does for one method at one protocol version (its checks, whether it
// subscribes or unsubscribes), worked out once instead of per request.
import { ValidationError } from '../runtime/errors.js';
import type { ClientRegistry, VersionedChecks } from '../runtime/registry.js';

export interface MethodPlan {
  /** Undefined for a method the registry does not know: the registry's own answer then says so. */
  readonly checks: VersionedChecks | undefined;
  /** A subscription's key arity (the leading params that name it); undefined for other methods. */
  readonly subscribeArity: number | undefined;
  /** For an unsubscribe method: the subscription it ends, and that subscription's key arity. */
  readonly ends: { readonly method: string; readonly arity: number } | undefined;
  /** A subscription whose notifications name its scriptPubKey key by script hash (see script-keys.ts). */
  readonly keyedByScriptHash: boolean;
}

// Plans are kept for a few versions (a reconnect may negotiate another) and a bounded number of names
// (a caller without types may ask for any name).
const MAX_PLAN_VERSIONS = 8;
const MAX_PLANS = 1024;

export class MethodPlans {
  readonly #protocol: ClientRegistry<string>;
  readonly #validate: boolean;
  /** By protocol version ('' for "not negotiated yet"), then by method. */
  readonly #plans = new Map<string, Map<string, MethodPlan>>();
  #last: { readonly method: string; readonly version: string | undefined; readonly plan: MethodPlan } | undefined;

  constructor(protocol: ClientRegistry<string>, validate: boolean) {
    this.#protocol = protocol;
    this.#validate = validate;
  }

  /** A ValidationError for params (positional, or by name) that break the spec at `version`; undefined when fine or not validating. */
  checkParams(method: string, params: readonly unknown[] | Readonly<Record<string, unknown>>, version: string | undefined): ValidationError | undefined {
    if (!this.#validate) return undefined;
    const checks = this.plan(method, version).checks;
    const check = checks ? checks.validateParams(params) : this.#protocol.validateParams(method, params, { protocolVersion: version });
    return check.valid ? undefined : new ValidationError(method, 'params', check.errors);
  }

  /** Throws a ValidationError for a result that breaks the spec (when validating); returns the method's plan. */
  checkResult(method: string, params: readonly unknown[], result: unknown, version: string): MethodPlan {
    const plan = this.plan(method, version);
    if (this.#validate) {
      const check = plan.checks ? plan.checks.validateResult(result, params) : this.#protocol.validateResult(method, result, { protocolVersion: version, params });
      if (!check.valid) throw new ValidationError(method, 'result', check.errors);
    }
    return plan;
  }

  /**
   * The positional params that params by name stand for (placed by the spec's param names); an empty
   * list when they do not fit the method (only reached unvalidated: a check would have refused them).
   */
  positional(method: string, named: unknown): unknown[] {
    if (Array.isArray(named)) return named;
    const info = this.#protocol.get(method);
    const placed = info !== undefined && typeof named === 'object' && named !== null ? info.positionalParams(named as Readonly<Record<string, unknown>>) : undefined;
    return placed?.ok ? placed.params : [];
  }

  /** The plan of a method at a version, made on first use. */
  plan(method: string, version: string | undefined): MethodPlan {
    // Pipelined requests mostly repeat one method: its plan is at hand without a lookup.
    const last = this.#last;
    if (last !== undefined && last.method === method && last.version === version) return last.plan;
    const plan = this.#lookUp(method, version);
    this.#last = { method, version, plan };
    return plan;
  }

  #lookUp(method: string, version: string | undefined): MethodPlan {
    const key = version ?? '';
    let byMethod = this.#plans.get(key);
    if (!byMethod) {
      if (this.#plans.size >= MAX_PLAN_VERSIONS) this.#plans.clear();
      this.#plans.set(key, (byMethod = new Map()));
    }
    let plan = byMethod.get(method);
    if (!plan) {
      const info = this.#protocol.get(method);
      const ended = info?.ends === undefined ? undefined : this.#protocol.get(info.ends);
      plan = {
        checks: info?.checksAt(version),
        subscribeArity: info?.subscriptionKey,
        ends: ended ? { method: ended.method, arity: ended.subscriptionKey ?? 0 } : undefined,
        keyedByScriptHash: info?.keyInNotifications === 'script-hash',
      };
      if (byMethod.size < MAX_PLANS) byMethod.set(method, plan);
    }
    return plan;
  }
}
