// The method registry: what the spec says of each method at run time, and validation of params,
// results and notifications against it. The generated code supplies the data (a method table) and the
// compiled validators (a set, one module per method, so a bundle carries only those it uses); this file
// knows no method by name.
import { excerpt } from './bounded-json.js';
import { inVersionRange, type VersionRange } from './versions.js';
import { invalid, VALID, type CompiledValidator, type ErrorFormatter, type MethodValidators, type ValidationOutcome, type ValidatorSet } from './validation.js';

export type Protocol = 'electrum' | 'mining';
export type MethodKind = 'request' | 'subscription' | 'notification';
export type Direction = 'client-to-server' | 'server-to-client' | 'both';
export type MethodStatus = 'standard' | 'experimental' | 'legacy' | 'extension' | 'draft' | 'implementation-specific';

export interface Versions {
  readonly since: string;
  readonly deprecated?: string | undefined;
  readonly removed?: string | undefined;
}

/**
 * A request the peer may leave unanswered (spec: `optionalReply`). `always`: any such request;
 * `repeated`: only a repeat on a connection where one was already answered (a second mining.subscribe).
 */
export interface OptionalReply {
  readonly when: 'always' | 'repeated';
  /** Who leaves it unanswered, and why. */
  readonly reason: string;
  /** Where that was seen. */
  readonly source: string;
}

/**
 * A request whose accepted answer changes the session (spec: `sessionState`): a client watches its
 * answer as it arrives, and on a new connection sends it again as `onReconnect` says.
 * - `replay`: the last accepted one, with the same params (mining.configure, mining.extranonce.subscribe);
 * - `replay-each`: every accepted one, one per value of its first param (mining.authorize: each worker);
 * - `resume`: again with `resumeParam` naming the session to resume, and without it if the peer refuses
 *   (mining.subscribe with session_id).
 */
export interface SessionState {
  /** What an accepted answer establishes for the rest of the connection. */
  readonly sets: string;
  readonly onReconnect: 'replay' | 'replay-each' | 'resume';
  /** For `resume`: the name of the param that names the session to resume. */
  readonly resumeParam?: string | undefined;
}

/**
 * How notifications of a subscription carry its key: `as-sent`, the key params as the request sent them;
 * `script-hash`, the Electrum script hash of the one key param, a scriptPubKey (blockchain.scriptpubkey.subscribe).
 */
export type KeyInNotifications = 'as-sent' | 'script-hash';

export interface ParamInfo {
  readonly name: string;
  readonly required: boolean;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly versions?: Versions | undefined;
}

/**
 * Generated input: one param. The common values may be left out (the generated tables do): `required`
 * true, `hasDefault` false; MethodInfo's params have them filled in.
 */
export type ParamDefinition = Omit<ParamInfo, 'required' | 'hasDefault'> & {
  readonly required?: boolean | undefined;
  readonly hasDefault?: boolean | undefined;
};

/**
 * Generated input: one method's metadata (its validators come apart, as MethodValidators). The common
 * values may be left out (the generated tables do, as every client carries them): `kind` request,
 * `direction` client-to-server, `status` standard, `additionalParams` false, `results` one named
 * "result", and those of each param (ParamDefinition); MethodInfo has them filled in. The generated
 * tables leave out `status` and `versions.deprecated` altogether: their docs table has them.
 */
export interface MethodDefinition {
  readonly kind?: MethodKind | undefined;
  readonly direction?: Direction | undefined;
  readonly status?: MethodStatus | undefined;
  readonly versions?: Versions | undefined;
  readonly params: readonly ParamDefinition[];
  readonly additionalParams?: boolean | undefined;
  /** The result shapes; left out: one, named "result" (most requests). A notification has none: []. */
  readonly results?:
    | readonly {
        readonly name: string;
        readonly versions?: VersionRange | undefined;
      }[]
    | undefined;
  readonly notification?:
    | {
        readonly direction: Direction;
        readonly versions?: Versions | undefined;
        readonly params: readonly string[];
      }
    | undefined;
  readonly optionalReply?: OptionalReply | undefined;
  readonly sessionState?: SessionState | undefined;
  /** Subscriptions: how many leading params are the key, and how notifications carry it. */
  readonly subscriptionKey?: { readonly params: number; readonly inNotifications: KeyInNotifications } | undefined;
  /** Unsubscribe requests: the subscription ended. */
  readonly ends?: string | undefined;
  /** Subscriptions: the unsubscribe request that ends them. */
  readonly endedBy?: string | undefined;
}

/**
 * Generated input: what the spec tells a person of one method, apart from what the runtime needs. Its
 * status and the version that deprecated it are here (not in the method table every client carries);
 * a MethodDefinition that has them too wins.
 */
export interface MethodDocs {
  readonly summary: string;
  /** Left out when standard. */
  readonly status?: MethodStatus | undefined;
  /** The protocol version that deprecated it (MethodInfo's `versions.deprecated`). */
  readonly deprecated?: string | undefined;
  readonly implementations?: readonly string[] | undefined;
  readonly errors: readonly { readonly code: number; readonly message: string }[];
}

/** Generated input: every method's metadata by wire name. */
export type MethodTable<M extends string = string> = { readonly [K in M]: MethodDefinition };

export interface ValidationContext {
  /** The negotiated protocol version (Electrum); omit to accept the shape of any version. */
  readonly protocolVersion?: string | undefined;
  /** The params the request was sent with; they choose the result shape of some methods. */
  readonly params?: readonly unknown[] | undefined;
}

/**
 * One method's checks with the protocol version worked out once: what validateParams and
 * validateResult do for that version, without a context object or a version lookup per call. A client
 * takes them once per connection and runs them for every request.
 */
export interface VersionedChecks {
  /** The same outcome as `validateParams(value, { protocolVersion })`. */
  validateParams(value: unknown): ValidationOutcome;
  /** The same outcome as `validateResult(value, { protocolVersion, params })`. */
  validateResult(value: unknown, params?: readonly unknown[]): ValidationOutcome;
  /** The same outcome as `validateNotification(value, { protocolVersion })`; undefined when the method has no notification. */
  readonly validateNotification: ((value: unknown) => ValidationOutcome) | undefined;
}

export interface MethodInfo<M extends string = string> {
  readonly method: M;
  readonly protocol: Protocol;
  readonly kind: MethodKind;
  readonly direction: Direction;
  /** From the docs table for the generated tables ('standard' in a registry built without it). */
  readonly status: MethodStatus;
  /** One line on what it does ('' in a registry built without the docs table). */
  readonly summary: string;
  /** For the generated tables, `deprecated` comes from the docs table (absent in a registry built without it). */
  readonly versions: Versions | undefined;
  readonly implementations: readonly string[];
  readonly params: readonly ParamInfo[];
  readonly additionalParams: boolean;
  /**
   * Whether the registry carries this method's validators. Without them only what the table decides is
   * checked (the method and its params exist at the version); every shape passes.
   */
  readonly validated: boolean;
  /** Names of the result shapes (one, "result", when the shape never varies). */
  readonly resultVariants: readonly string[];
  readonly hasResult: boolean;
  readonly hasNotification: boolean;
  readonly notificationDirection: Direction | undefined;
  /** Names of the notification's params, in order (empty when there is no notification). */
  readonly notificationParams: readonly string[];
  /** The error codes the spec lists for it (none in a registry built without the docs table). */
  readonly errors: readonly { readonly code: number; readonly message: string }[];
  /** Present when the peer may leave this request unanswered (pools do): give it a short timeout and carry on without. */
  readonly optionalReply: OptionalReply | undefined;
  /** Present when an accepted answer changes the session: watch the answer, and send it again on a new connection. */
  readonly sessionState: SessionState | undefined;
  /**
   * Subscriptions: how many leading params identify one subscription among others of the method (0: one
   * per connection). Its notifications carry the key first, then the value.
   */
  readonly subscriptionKey: number | undefined;
  /** Subscriptions: how notifications carry the key (see KeyInNotifications). */
  readonly keyInNotifications: KeyInNotifications | undefined;
  /** Unsubscribe requests: the wire name of the subscription they end (their params are its key). */
  readonly ends: string | undefined;
  /** Subscriptions: the wire name of the unsubscribe request that ends them, if the protocol has one. */
  readonly endedBy: string | undefined;
  /**
   * The positional params for params as sent: a list as it is, or JSON-RPC 2.0 named params (an object)
   * placed by the spec's param names, a gap before a given param filled with its default. A name the
   * method does not have is refused, unless it takes extra params (server.version), which ignores it.
   */
  positionalParams(value: readonly unknown[] | Readonly<Record<string, unknown>>): PositionalParams;
  /** Whether the method exists at this protocol version (always true for Stratum, which has none). */
  isAvailable(protocolVersion: string): boolean;
  /** Params as sent, positional (a list) or, as JSON-RPC 2.0 allows, by name (an object; see positionalParams). */
  validateParams(value: unknown, context?: ValidationContext): ValidationOutcome;
  /** Names of the result variants that apply in this context, in spec order. */
  selectResultVariants(context?: ValidationContext): readonly string[];
  validateResult(value: unknown, context?: ValidationContext): ValidationOutcome;
  /** The params and result checks for one negotiated version (undefined: the shape of any version). */
  checksAt(protocolVersion: string | undefined): VersionedChecks;
  /** Present where the method has a notification form (subscriptions, notifications). */
  readonly validateNotification: ((value: unknown, context?: ValidationContext) => ValidationOutcome) | undefined;
}

export type PositionalParams = { readonly ok: true; readonly params: unknown[] } | { readonly ok: false; readonly error: string };

/**
 * Positional params from JSON-RPC 2.0 named ones, by the spec's param names. A name the spec does not
 * know is refused unless the method takes extra params (ElectrumX's server.version ignores extra names).
 * A gap before a given param is filled with the missing param's default, or refused when it has none;
 * params after the last one given are left out, as a positional request would leave them.
 */
export function namedToPositional(
  named: Readonly<Record<string, unknown>>,
  params: readonly ParamDefinition[],
  additionalParams: boolean,
): PositionalParams {
  const unknown = Object.keys(named).filter((k) => !params.some((p) => p.name === k));
  if (unknown.length > 0 && !additionalParams) {
    return { ok: false, error: `unknown param${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}` };
  }
  let last = -1;
  params.forEach((p, i) => {
    if (Object.hasOwn(named, p.name)) last = i;
  });
  const out: unknown[] = [];
  for (let i = 0; i <= last; i++) {
    const p = params[i] as ParamDefinition;
    if (Object.hasOwn(named, p.name)) out.push(named[p.name]);
    else if (p.hasDefault) out.push(p.default);
    else return { ok: false, error: `param "${p.name}" is missing but a later one is given` };
  }
  return { ok: true, params: out };
}

function isNamed(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rangeOf(v: Versions | undefined): VersionRange | undefined {
  return v ? { since: v.since, until: v.removed } : undefined;
}

/** Stands for a validator the registry does not carry: every shape passes. */
const PASS: CompiledValidator = () => true;

/**
 * For validators made by hand without a `format` (the generated ones carry formatErrors): ajv's own messages,
 * the first few, each path cut short (a property name in it may be the peer's).
 */
const plainErrors: ErrorFormatter = (errors, label) =>
  errors?.length ? errors.slice(0, 20).map((e) => `${label}${e.instancePath.slice(0, 200)}: ${e.message ?? e.keyword}`) : [`${label}: invalid`];

/**
 * What a client reads of a method: MethodInfo without what only servers, tools and people read (its status,
 * docs, direction...), so a client's own registry (defineClientProtocol) carries none of it into a bundle.
 */
export type ClientMethodInfo<M extends string = string> = Pick<
  MethodInfo<M>,
  | 'method'
  | 'kind'
  | 'resultVariants'
  | 'hasNotification'
  | 'notificationDirection'
  | 'notificationParams'
  | 'subscriptionKey'
  | 'keyInNotifications'
  | 'ends'
  | 'endedBy'
  | 'positionalParams'
  | 'isAvailable'
  | 'checksAt'
> & {
  /** As the table has them: the common values may be left out (ParamDefinition). */
  readonly params: readonly ParamDefinition[];
};

/** The result shapes of a method whose table entry leaves them out. */
const ONE_RESULT: NonNullable<MethodDefinition['results']> = [{ name: 'result' }];

/** A method's client part, and the result variants by context that only the full MethodInfo tells. */
function methodParts<M extends string>(
  method: M,
  def: MethodDefinition,
  validators: MethodValidators | undefined,
): { readonly info: ClientMethodInfo<M>; readonly variants: (context: ValidationContext) => readonly string[] } {
  const validateParams = validators?.params ?? PASS;
  const formatErrors = validators?.format ?? plainErrors;
  const paramNames = def.params.map((p) => p.name);
  const notification = def.notification;
  const validateNotification = validators?.notification ?? PASS;
  const methodRange = rangeOf(def.versions);
  const paramRanges = def.params.map((p) => rangeOf(p.versions));
  const notificationRange = rangeOf(notification?.versions);
  const shapes = def.results ?? ONE_RESULT;
  // Validators for the versions from `since` on have no checks of the shapes that ended before it: those shapes
  // are no candidates, and a value of a version before it is refused (see `covered` below), never let through.
  const since = validators?.since;
  const checked = since === undefined ? shapes : shapes.filter((r) => validators?.results[r.name] !== undefined);

  // Conditions resolved to param positions once, not on every result checked.
  const results = checked.map((r) => ({
    ...r,
    validate: validators?.results[r.name] ?? PASS,
    conditions: Object.entries(validators?.conditions?.[r.name] ?? {}).map(([name, check]) => {
      const index = paramNames.indexOf(name);
      const p = def.params[index];
      return { index, check, fallback: p?.hasDefault ? p.default : undefined };
    }),
  }));
  type Variant = (typeof results)[number];

  const conditional = results.some((r) => r.conditions.length > 0);
  const variantsAt = (v: string | undefined): Variant[] => (v === undefined ? results : results.filter((r) => inVersionRange(v, r.versions)));
  const applicable = (atVersion: Variant[], sent: readonly unknown[] | undefined) =>
    !conditional || sent === undefined ? atVersion : atVersion.filter((r) => r.conditions.every((c) => c.check(c.index < sent.length ? sent[c.index] : c.fallback)));

  // What the checks of one version know besides: whether the method exists there (isAvailable asks it of the
  // checks kept per version, so every request asks no more than a lookup of the negotiated version).
  type Checks = VersionedChecks & { readonly available: boolean };
  const checksFor = (v: string | undefined): Checks => {
    const available = v === undefined || inVersionRange(v, methodRange);
    // The first param position that does not exist at this version (Infinity when all do).
    let firstMissing = v === undefined ? -1 : paramRanges.findIndex((r) => !inVersionRange(v, r));
    if (firstMissing === -1) firstMissing = Infinity;
    const atVersion = variantsAt(v);
    // A notification's version range is settled once, like the method's: the common case is one call.
    const notificationHere = v === undefined || inVersionRange(v, notificationRange);
    const covered = since === undefined || v === undefined || inVersionRange(v, { since });
    const uncovered = () => invalid([`${method}: the validators given check protocol ${since} and later, not ${v}`]);
    const checks: Checks = {
      available,
      validateParams(value) {
        const shapeOk = validateParams(value);
        if (shapeOk && available && (!Array.isArray(value) || value.length <= firstMissing)) return VALID;
        // Named params (JSON-RPC 2.0): checked as the positional params they stand for. Off the fast path:
        // the tuple schema refuses any object, so they only get here.
        if (isNamed(value)) {
          const positional = namedToPositional(value, def.params, def.additionalParams === true);
          if (!positional.ok) return invalid([`params: ${positional.error} (${method} takes ${paramList(def.params)})`]);
          return checks.validateParams(positional.params);
        }
        const errors: string[] = [];
        if (!available) errors.push(`${method} is not part of protocol ${v}${versionNote(def.versions)}`);
        if (!shapeOk) errors.push(...formatErrors(validateParams.errors, 'params', paramNames));
        if (v !== undefined && Array.isArray(value)) {
          value.forEach((_, i) => {
            const p = def.params[i];
            if (p && !inVersionRange(v, paramRanges[i])) {
              errors.push(`params[${i}] (${p.name}): not part of protocol ${v}${versionNote(p.versions)}`);
            }
          });
        }
        return invalid(errors);
      },
      validateResult(value, params) {
        if (!shapes.length) return invalid([`${method} is a notification and has no result`]);
        if (!covered) return uncovered();
        const candidates = applicable(atVersion, params);
        if (!candidates.length) {
          return invalid([`result: no shape of ${method} applies${v ? ` at protocol ${v}` : ''} with these params`]);
        }
        // No list of failures is built unless every shape fails; with several, each line names its shape.
        let failures: string[] | undefined;
        for (const r of candidates) {
          if (r.validate(value)) return VALID;
          const lines = formatErrors(r.validate.errors, 'result');
          (failures ??= []).push(...(candidates.length > 1 ? lines.map((l) => `[${r.name}] ${l}`) : lines));
        }
        return invalid(failures as string[]);
      },
      validateNotification: notification
        ? (value) => {
            if (!covered) return uncovered();
            const shapeOk = validateNotification(value);
            if (shapeOk && notificationHere) return VALID;
            const errors: string[] = [];
            if (!notificationHere) errors.push(`the ${method} notification is not part of protocol ${v}${versionNote(notification.versions)}`);
            if (!shapeOk) errors.push(...formatErrors(validateNotification.errors, 'params', notification.params));
            return invalid(errors);
          }
        : undefined,
    };
    return checks;
  };
  // Per version string, like the answers above; the shape of any version is kept apart.
  const anyVersion = checksFor(undefined);
  const byVersion = new Map<string, Checks>();
  const checksAt = (v: string | undefined): Checks => {
    if (v === undefined) return anyVersion;
    let checks = byVersion.get(v);
    if (checks === undefined) {
      checks = checksFor(v);
      if (byVersion.size < 64) byVersion.set(v, checks);
    }
    return checks;
  };

  const info: ClientMethodInfo<M> = {
    method,
    kind: def.kind ?? 'request',
    params: def.params,
    resultVariants: shapes.map((r) => r.name),
    hasNotification: notification !== undefined,
    notificationDirection: notification?.direction,
    notificationParams: notification?.params ?? [],
    subscriptionKey: def.subscriptionKey?.params,
    keyInNotifications: def.subscriptionKey?.inNotifications,
    ends: def.ends,
    endedBy: def.endedBy,
    positionalParams: (value) => (isNamed(value) ? namedToPositional(value, def.params, def.additionalParams === true) : { ok: true, params: [...value] }),
    isAvailable: (v) => checksAt(v).available,
    checksAt,
  };
  return { info, variants: (context) => applicable(variantsAt(context.protocolVersion), context.params).map((r) => r.name) };
}

/** A method's versions with the docs' deprecation in, in the order the spec writes them (since, deprecated, removed). */
function withDeprecation(v: Versions | undefined, deprecated: string | undefined): Versions | undefined {
  if (v === undefined || deprecated === undefined || v.deprecated !== undefined) return v;
  return v.removed === undefined ? { since: v.since, deprecated } : { since: v.since, deprecated, removed: v.removed };
}

export function defineMethod<M extends string>(
  protocol: Protocol,
  method: M,
  def: MethodDefinition,
  validators?: MethodValidators,
  docs?: MethodDocs,
): MethodInfo<M> {
  const { info, variants } = methodParts(method, def, validators);
  const checksAt = info.checksAt;
  const notification = def.notification !== undefined;
  return Object.freeze({
    ...info,
    protocol,
    direction: def.direction ?? 'client-to-server',
    status: def.status ?? docs?.status ?? 'standard',
    summary: docs?.summary ?? '',
    versions: withDeprecation(def.versions, docs?.deprecated),
    params: def.params.map(({ name, required = true, hasDefault = false, ...rest }): ParamInfo => ({ name, required, hasDefault, ...rest })),
    implementations: docs?.implementations ?? [],
    additionalParams: def.additionalParams === true,
    validated: validators !== undefined,
    hasResult: info.resultVariants.length > 0,
    errors: docs?.errors ?? [],
    optionalReply: def.optionalReply,
    sessionState: def.sessionState,
    validateParams: (value, context = {}) => checksAt(context.protocolVersion).validateParams(value),
    selectResultVariants: (context = {}) => variants(context),
    validateResult: (value, context = {}) => checksAt(context.protocolVersion).validateResult(value, context.params),
    validateNotification: notification ? (value, context = {}) => (checksAt(context.protocolVersion).validateNotification as (value: unknown) => ValidationOutcome)(value) : undefined,
  } satisfies MethodInfo<M>);
}

function paramList(params: readonly ParamDefinition[]): string {
  return params.length ? params.map((p) => p.name).join(', ') : 'no params';
}

function versionNote(v: Versions | undefined): string {
  if (!v) return '';
  return v.removed ? ` (from ${v.since}, removed in ${v.removed})` : ` (from ${v.since})`;
}

/** Lookups by a name that may come from the network: unknown names get an answer, never an exception. */
export interface ProtocolRegistry<M extends string> {
  readonly protocol: Protocol;
  readonly methods: { readonly [K in M]: MethodInfo<K> };
  readonly names: readonly M[];
  has(method: string): method is M;
  get(method: string): MethodInfo<M> | undefined;
  /** Methods that exist at this protocol version. */
  availableAt(protocolVersion: string): readonly M[];
  validateParams(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
  validateResult(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
  validateNotification(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
}

/**
 * What a client asks of its registry (a ProtocolRegistry is one): its methods by name, and the checks by
 * name it falls back on for a name it does not know.
 */
export interface ClientRegistry<M extends string = string> {
  readonly protocol: Protocol;
  readonly names: readonly M[];
  get(method: string): ClientMethodInfo<M> | undefined;
  validateParams(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
  validateResult(method: string, value: unknown, context?: ValidationContext): ValidationOutcome;
}

/** The lookups and checks by name both kinds of registry share, over methods made by `make`. */
function registryOf<M extends string, I extends ClientMethodInfo>(
  protocol: Protocol,
  definitions: MethodTable<M>,
  validators: ValidatorSet<M>,
  make: (name: M, def: MethodDefinition, own: MethodValidators | undefined) => I,
) {
  const methods = Object.create(null) as Record<M, I>;
  const names = Object.keys(definitions) as M[];
  for (const name of names) {
    // Own properties only: a set is an object literal, and "constructor" is no method of it.
    const own = Object.prototype.hasOwnProperty.call(validators, name) ? (validators[name] as MethodValidators | undefined) : undefined;
    if (own !== undefined && own.method !== name) throw new TypeError(`the validators of ${own.method} were given for ${name}`);
    methods[name] = make(name, definitions[name], own);
  }
  Object.freeze(methods);

  const has = (method: string): method is M => Object.prototype.hasOwnProperty.call(methods, method);
  const get = (method: string): I | undefined => (has(method) ? methods[method] : undefined);
  const unknown = (method: string) => invalid([`unknown ${protocol} method ${excerpt(method, 80)}`]);
  return {
    protocol,
    methods,
    names: Object.freeze([...names]),
    has,
    get,
    unknown,
    validateParams: (method: string, value: unknown, context: ValidationContext = {}) =>
      get(method)?.checksAt(context.protocolVersion).validateParams(value) ?? unknown(method),
    validateResult: (method: string, value: unknown, context: ValidationContext = {}) =>
      get(method)?.checksAt(context.protocolVersion).validateResult(value, context.params) ?? unknown(method),
  };
}

/**
 * A client's own registry: the checks of defineProtocol, and of each method only what a client reads
 * (ClientMethodInfo), so its bundle carries no more of the registry.
 */
export function defineClientProtocol<M extends string>(protocol: Protocol, definitions: MethodTable<M>, validators: ValidatorSet<M> = {}): ClientRegistry<M> {
  return Object.freeze(registryOf(protocol, definitions, validators, (name, def, own) => Object.freeze(methodParts(name, def, own).info)));
}

/**
 * A registry from a method table and the validators to check with: all of them for a server, the ones an
 * application imports for a client (see ValidatorSet), none for a client that checks nothing. Without
 * `docs` summaries are empty, no errors are listed, and a generated table's methods are all standard and
 * never deprecated. (The clients' own registries, made from their validators, are defineClientProtocol's.)
 */
export function defineProtocol<M extends string>(
  protocol: Protocol,
  definitions: MethodTable<M>,
  validators: ValidatorSet<M> = {},
  docs?: { readonly [K in M]: MethodDocs },
): ProtocolRegistry<M> {
  const { methods, names, has, get, unknown, validateParams, validateResult } = registryOf(protocol, definitions, validators, (name, def, own) =>
    defineMethod(protocol, name, def, own, docs?.[name]),
  );
  return Object.freeze({
    protocol,
    methods: methods as { readonly [K in M]: MethodInfo<K> },
    names,
    has,
    get,
    availableAt: (v: string) => names.filter((n) => methods[n].isAvailable(v)),
    validateParams,
    validateResult,
    validateNotification: (method: string, value: unknown, context?: ValidationContext) => {
      const info = get(method);
      if (!info) return unknown(method);
      return info.validateNotification?.(value, context) ?? invalid([`${method} has no notification`]);
    },
  });
}

// ---- Protocol versions as types ---------------------------------------------------------------------
// A client typed by the version range it speaks: the generated code lists the protocol versions the spec
// names (oldest first) and what each method is at each of them; these types pick the named versions a
// range spans and the methods, params and result shapes those versions have. Nothing changes between
// two named versions, so a version between them behaves as the earlier one: a range spans the named
// versions inside it and the last one at or before its start.

/** -1, 0 or 1, as compareVersions says for two literal versions: dotted numbers, missing parts zero. */
export type CompareVersions<A extends string, B extends string> = CompareParts<VersionParts<A>, VersionParts<B>>;

type VersionParts<V extends string> = V extends `${infer Head}.${infer Tail}` ? [Head, ...VersionParts<Tail>] : [V];

type CompareParts<A extends readonly string[], B extends readonly string[]> = A extends readonly [infer X extends string, ...infer AR extends string[]]
  ? B extends readonly [infer Y extends string, ...infer BR extends string[]]
    ? CompareNumerals<X, Y> extends infer C
      ? C extends 0
        ? CompareParts<AR, BR>
        : C
      : never
    : CompareNumerals<X, '0'> extends 0
      ? CompareParts<AR, []>
      : 1
  : B extends readonly [infer Y extends string, ...infer BR extends string[]]
    ? CompareNumerals<'0', Y> extends 0
      ? CompareParts<[], BR>
      : -1
    : 0;

type WithoutLeadingZeros<N extends string> = N extends `0${infer Rest}` ? (Rest extends '' ? '0' : WithoutLeadingZeros<Rest>) : N;
type Characters<S extends string> = S extends `${infer C}${infer Rest}` ? [C, ...Characters<Rest>] : [];
type CompareLengths<A extends readonly unknown[], B extends readonly unknown[]> = A extends readonly [unknown, ...infer AR]
  ? B extends readonly [unknown, ...infer BR]
    ? CompareLengths<AR, BR>
    : 1
  : B extends readonly []
    ? 0
    : -1;
/** Digit by digit, for numerals of the same length: a digit is smaller when it comes first in "0123456789". */
type CompareDigits<A extends readonly string[], B extends readonly string[]> = A extends readonly [infer X extends string, ...infer AR extends string[]]
  ? B extends readonly [infer Y extends string, ...infer BR extends string[]]
    ? X extends Y
      ? CompareDigits<AR, BR>
      : '0123456789' extends `${string}${X}${string}${Y}${string}`
        ? -1
        : 1
    : 0
  : 0;
type CompareNumerals<A extends string, B extends string> =
  CompareLengths<Characters<WithoutLeadingZeros<A>>, Characters<WithoutLeadingZeros<B>>> extends infer C
    ? C extends 0
      ? CompareDigits<Characters<WithoutLeadingZeros<A>>, Characters<WithoutLeadingZeros<B>>>
      : C
    : never;

/**
 * The named versions (a tuple, oldest first) that a range spans: the ones from `Min` to `Max`, and the
 * last one at or before `Min`. `Max` never: no upper end.
 */
type Spanned<Named extends readonly string[], Min extends string, Max extends string, Floor extends string = never, Inside extends string = never> = Named extends readonly [
  infer V extends string,
  ...infer Rest extends readonly string[],
]
  ? [Max] extends [never]
    ? CompareVersions<V, Min> extends 1
      ? Spanned<Rest, Min, Max, Floor, Inside | V>
      : Spanned<Rest, Min, Max, V, Inside>
    : CompareVersions<V, Max> extends 1
      ? Floor | Inside
      : CompareVersions<V, Min> extends 1
        ? Spanned<Rest, Min, Max, Floor, Inside | V>
        : Spanned<Rest, Min, Max, V, Inside>
  : Floor | Inside;

/**
 * The named versions a version range spans, as a union: `R` is one version or `[min, max]`, as a client's
 * `protocolVersion` option takes it. A range that is not literal (a `string`) spans them all.
 */
export type VersionsInRange<Named extends readonly string[], R> = R extends readonly [infer Min extends string, infer Max extends string]
  ? string extends Min | Max
    ? Named[number]
    : Spanned<Named, Min, Max>
  : R extends string
    ? string extends R
      ? Named[number]
      : Spanned<Named, R, R>
    : Named[number];

/** The named versions at or after `Min` (and the last one before it, which a version just after it behaves as). */
export type VersionsFrom<Named extends readonly string[], Min extends string> = string extends Min ? Named[number] : Spanned<Named, Min, never>;

/** Whether a range is known at compile time: literal versions, not `string`. */
export type IsLiteralRange<R> = [R] extends [string | readonly [string, string]]
  ? R extends readonly [infer Min extends string, infer Max extends string]
    ? string extends Min | Max
      ? false
      : true
    : string extends R
      ? false
      : true
  : false;

/**
 * One method's eras as generated: a union of objects, each saying what the method is at the named
 * versions in its `at`. ErasIn keeps the eras that hold at some version of `S` (never: at none).
 */
export type ErasIn<E, S> = E extends { readonly at: infer At } ? ([Extract<At, S>] extends [never] ? never : E) : never;
/** The methods of a generated table (wire name to eras) that exist at some version of `S`, each with those eras. */
export type MethodsIn<T, S> = { [M in keyof T as [ErasIn<T[M], S>] extends [never] ? never : M]: ErasIn<T[M], S> };
