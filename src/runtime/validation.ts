// What the generated ajv validators look like from the outside, and how their errors read.
import { cut, excerpt } from './bounded-json.js';

/** The outcome of checking a value against the spec: never thrown, always returned. */
export type ValidationOutcome = { readonly valid: true } | { readonly valid: false; readonly errors: readonly string[] };

export const VALID: ValidationOutcome = Object.freeze({ valid: true });

export function invalid(errors: readonly string[]): ValidationOutcome {
  return { valid: false, errors };
}

export interface CompiledErrorObject {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string | undefined;
  readonly params: Readonly<Record<string, unknown>>;
}

/** An ajv standalone validator: returns a boolean and leaves its errors on itself. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: readonly CompiledErrorObject[] | null | undefined;
}

/**
 * One method's generated validators (src/generated/<protocol>/validators/<method>.ts): each method is a
 * module of its own, so a bundle carries only the methods an application imports.
 */
export interface MethodValidators<M extends string = string> {
  readonly method: M;
  /**
   * The oldest protocol version these validators check (the generated `<method>_from_<version>` sets): they leave
   * out the result shapes that end before it, so a value of an older version is refused, never let through.
   */
  readonly since?: string | undefined;
  readonly params: CompiledValidator;
  /** By result variant name (one, "result", when the shape never varies). */
  readonly results: Readonly<Record<string, CompiledValidator>>;
  /** The params that choose a result variant: by variant name, then by param name. */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, CompiledValidator>>>> | undefined;
  /** The notification's params, where the method has a notification form. */
  readonly notification?: CompiledValidator | undefined;
  /**
   * Words these validators' errors (the generated ones carry formatErrors): reached only through validators,
   * so a client built without any carries none of the wording. Without it, ajv's own messages, a few.
   */
  readonly format?: ErrorFormatter | undefined;
}

/** Turns a validator's errors into lines under a label ("params", "result"), naming params by `names`. */
export type ErrorFormatter = (errors: readonly CompiledErrorObject[] | null | undefined, label: string, names?: readonly string[]) => string[];

/** Validators by wire name: what a registry (and so a client) checks. A method missing from it is not checked. */
export type ValidatorSet<M extends string = string> = { readonly [K in M]?: MethodValidators<K> | undefined };

/**
 * Turns ajv's JSON pointers into paths a person reads: "/1/headers/3" under the label "params" with
 * names ["tx_hash", "verbose"] becomes "params[1] (verbose).headers[3]".
 */
export const formatErrors: ErrorFormatter = (errors, label, names) => {
  // A value a peer sent can break the schema in as many places as it has items (the validators
  // collect every error); the first few say what is wrong, and the rest are only counted.
  const out = new Set<string>();
  let more = 0;
  for (const e of errors ?? []) {
    const line = `${pathOf(e.instancePath, label, names)}: ${messageOf(e)}`;
    if (out.size < MAX_ERROR_LINES) out.add(line);
    else if (!out.has(line)) more++;
  }
  const lines = [...out];
  if (more > 0) lines.push(`... and ${more} more error${more === 1 ? '' : 's'}`);
  return lines.length ? lines : [`${label}: invalid`];
};

/** Distinct errors listed for one value; enough to fix it, few enough that a bad 100,000-item reply stays a short message. */
export const MAX_ERROR_LINES = 20;

/** Property names come from the peer: one could be a megabyte long. */
const shortName = (name: string): string => cut(name, 80);

function pathOf(pointer: string, label: string, names?: readonly string[]): string {
  if (!pointer) return label;
  const parts = pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = label;
  parts.forEach((p, i) => {
    if (/^\d+$/.test(p)) {
      out += `[${p}]`;
      const name = i === 0 ? names?.[Number(p)] : undefined;
      if (name !== undefined) out += ` (${name})`;
    } else {
      out += /^[A-Za-z_$][\w$]{0,79}$/.test(p) ? `.${p}` : `[${JSON.stringify(shortName(p))}]`;
    }
  });
  return out;
}

function messageOf(e: CompiledErrorObject): string {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `missing required property "${shortName(String(p['missingProperty']))}"`;
    case 'additionalProperties':
      return `unexpected property "${shortName(String(p['additionalProperty']))}"`;
    case 'enum':
      return `must be one of ${excerpt(p['allowedValues'])}`;
    case 'const':
      return `must be ${excerpt(p['allowedValue'])}`;
    case 'maxItems':
      return `must have at most ${String(p['limit'])} items`;
    case 'minItems':
      return `must have at least ${String(p['limit'])} items`;
    default:
      return e.message ?? ajvMessage(e) ?? `fails "${e.keyword}"`;
  }
}

/** The keywords messageOf words itself (more plainly than ajv, and naming the value); ajvMessage leaves them out. */
export const OWN_WORDING: ReadonlySet<string> = /* @__PURE__ */ new Set(['required', 'additionalProperties', 'enum', 'const', 'maxItems', 'minItems']);

/**
 * ajv's own sentence for an error, from its keyword and params: the generated validators are emitted
 * without messages (each error site would carry its sentence into every bundle), and this words them
 * as ajv would have (test/codegen/validators-split.test.ts holds the two to the same text). Only the
 * keywords the generated validators emit are worded (every bundle with validators carries these lines; the
 * same test fails when the spec starts using another); undefined for the rest, and for those messageOf
 * words itself (OWN_WORDING).
 */
export function ajvMessage(e: CompiledErrorObject): string | undefined {
  const p = e.params;
  const fewerOrMore = (max: string) => (e.keyword === max ? 'more' : 'fewer');
  switch (e.keyword) {
    case 'type':
      return `must be ${String(p['type'])}`;
    case 'pattern':
      return `must match pattern "${String(p['pattern'])}"`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`;
    case 'minProperties':
    case 'maxProperties':
      return `must NOT have ${fewerOrMore('maxProperties')} than ${String(p['limit'])} properties`;
    case 'dependencies':
      return `must have ${p['depsCount'] === 1 ? 'property' : 'properties'} ${String(p['deps'])} when property ${String(p['property'])} is present`;
    case 'propertyNames':
      return 'property name must be valid';
    case 'anyOf':
      return 'must match a schema in anyOf';
    default:
      return undefined;
  }
}
