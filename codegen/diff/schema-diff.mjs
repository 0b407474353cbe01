// What changed between two normalized schemas, as a list of changes each with a relation:
//   narrowed   - the new schema accepts less (some values valid before are now refused);
//   widened    - it accepts more (values refused before may now arrive);
//   changed    - both, or a change that cannot be ordered (a new pattern);
//   compatible - a change that neither side must act on (a new optional field of an open object).
// Who that breaks depends on who produces the value, which the caller knows (see impact.mjs).
import { acceptsAnything, alternativeKey, alternatives, canonical } from './normalize.mjs';

const TYPE_NAMES = { null: 'null', boolean: 'boolean', number: 'number', integer: 'integer', string: 'string', array: 'array', object: 'object' };

/** A short name for an alternative in messages: its type, "any", an enum's values. */
export function describeAlternative(alt) {
  if (acceptsAnything(alt)) return 'anything';
  if (alt === false) return 'nothing';
  if (Array.isArray(alt.enum)) return alt.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (typeof alt.type === 'string') return TYPE_NAMES[alt.type] ?? alt.type;
  if (alt.$ref) return alt.$ref.replace('#/$defs/', '');
  return 'a schema';
}

const describeAll = (alts) => (alts.length ? alts.map(describeAlternative).join(' | ') : 'nothing');

/**
 * @param {unknown} a the old schema, normalized
 * @param {unknown} b the new schema, normalized
 * @returns {Array<{ kind: string, path: string, relation: string, message: string }>}
 */
export function compareSchemas(a, b, path = '') {
  if (canonical(a) === canonical(b)) return [];
  if (acceptsAnything(b)) return [{ kind: 'type-widened', path, relation: 'widened', message: 'now accepts anything' }];
  if (acceptsAnything(a)) return [{ kind: 'type-narrowed', path, relation: 'narrowed', message: `was anything, now ${describeAll(alternatives(b))}` }];

  const altsA = alternatives(a);
  const altsB = alternatives(b);
  if (altsA.length === 1 && altsB.length === 1 && alternativeKey(altsA[0]) === alternativeKey(altsB[0])) return compareSingle(altsA[0], altsB[0], path);

  const groups = new Map();
  const add = (alt, side) => {
    const key = alternativeKey(alt);
    if (!groups.has(key)) groups.set(key, { old: [], new: [] });
    groups.get(key)[side].push(alt);
  };
  altsA.forEach((x) => add(x, 'old'));
  altsB.forEach((x) => add(x, 'new'));

  // Nothing in common: the value is of another kind altogether.
  if (![...groups.values()].some((g) => g.old.length && g.new.length)) {
    return [{ kind: 'retyped', path, relation: 'changed', message: `retyped: ${describeAll(altsA)} -> ${describeAll(altsB)}` }];
  }
  const out = [];
  for (const [key, g] of groups) {
    if (!g.old.length) {
      out.push(
        key === 'null'
          ? { kind: 'made-nullable', path, relation: 'widened', message: 'made nullable: null is now accepted' }
          : { kind: 'type-widened', path, relation: 'widened', message: `now also accepts ${describeAll(g.new)}` },
      );
    } else if (!g.new.length) {
      out.push(
        key === 'null'
          ? { kind: 'made-non-nullable', path, relation: 'narrowed', message: 'no longer nullable' }
          : { kind: 'type-narrowed', path, relation: 'narrowed', message: `no longer accepts ${describeAll(g.old)}` },
      );
    } else out.push(...compareGroup(g.old, g.new, path));
  }
  return out;
}

/** Alternatives of the same type on both sides: equal ones cancel out, a single pair compares in depth. */
function compareGroup(olds, news, path) {
  const restOld = olds.filter((x) => !news.some((y) => canonical(x) === canonical(y)));
  const restNew = news.filter((y) => !olds.some((x) => canonical(x) === canonical(y)));
  if (!restOld.length && !restNew.length) return [];
  if (restOld.length === 1 && restNew.length === 1) return compareSingle(restOld[0], restNew[0], path);
  if (!restOld.length) return [{ kind: 'type-widened', path, relation: 'widened', message: `now also accepts another ${describeAll(restNew)} shape` }];
  if (!restNew.length) return [{ kind: 'type-narrowed', path, relation: 'narrowed', message: `no longer accepts one of its ${describeAll(restOld)} shapes` }];
  return [{ kind: 'retyped', path, relation: 'changed', message: `the ${describeAlternative(restOld[0])} shapes changed` }];
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
// Present = narrower; their values cannot be ordered.
const RESTRICTIONS = ['pattern', 'format', 'multipleOf', 'propertyNames', 'contains', 'not', 'allOf', 'if', 'then', 'else', 'dependencies', 'patternProperties', 'anyOf', 'oneOf'];
const HANDLED = new Set(['type', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'additionalItems', 'uniqueItems', ...LOWER_BOUNDS, ...UPPER_BOUNDS, ...RESTRICTIONS]);

function compareSingle(a, b, path) {
  if (canonical(a) === canonical(b)) return [];
  const out = [];
  const change = (kind, relation, message) => out.push({ kind, path, relation, message });

  if (a.type !== b.type) {
    if (a.type === 'integer' && b.type === 'number') change('type-widened', 'widened', 'integer -> number: fractions are now accepted');
    else if (a.type === 'number' && b.type === 'integer') change('type-narrowed', 'narrowed', 'number -> integer: fractions are no longer accepted');
    else return [{ kind: 'retyped', path, relation: 'changed', message: `retyped: ${describeAlternative(a)} -> ${describeAlternative(b)}` }];
  }

  compareEnum(a.enum, b.enum, change);
  // A list of values says everything about what is accepted; the other keywords beside it add nothing.
  if (a.enum !== undefined || b.enum !== undefined) return out;

  for (const k of LOWER_BOUNDS) compareBound(k, a[k], b[k], 1, change);
  for (const k of UPPER_BOUNDS) compareBound(k, a[k], b[k], -1, change);
  for (const k of RESTRICTIONS) {
    if (canonical(a[k]) === canonical(b[k])) continue;
    if (a[k] === undefined) change('constraint-tightened', 'narrowed', `${k} added: ${short(b[k])}`);
    else if (b[k] === undefined) change('constraint-relaxed', 'widened', `${k} removed (was ${short(a[k])})`);
    else change('constraint-changed', 'changed', `${k} changed: ${short(a[k])} -> ${short(b[k])}`);
  }
  if (Boolean(a.uniqueItems) !== Boolean(b.uniqueItems)) {
    if (b.uniqueItems) change('constraint-tightened', 'narrowed', 'items must now be unique');
    else change('constraint-relaxed', 'widened', 'items no longer need to be unique');
  }

  out.push(...compareItems(a, b, path));
  out.push(...compareObject(a, b, path));

  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!HANDLED.has(k) && canonical(a[k]) !== canonical(b[k])) change('schema-changed', 'changed', `"${k}" changed`);
  }
  return out;
}

function compareEnum(a, b, change) {
  if (canonical(a) === canonical(b)) return;
  if (a === undefined) return change('enum-narrowed', 'narrowed', `now restricted to ${b.map((v) => JSON.stringify(v)).join(', ')}`);
  if (b === undefined) return change('enum-widened', 'widened', 'no longer restricted to a list of values');
  const has = (list, v) => list.some((x) => canonical(x) === canonical(v));
  const added = b.filter((v) => !has(a, v));
  const removed = a.filter((v) => !has(b, v));
  const list = (vs) => vs.map((v) => JSON.stringify(v)).join(', ');
  if (added.length && removed.length) change('enum-changed', 'changed', `values added: ${list(added)}; removed: ${list(removed)}`);
  else if (added.length) change('enum-widened', 'widened', `enum widened: ${list(added)} added`);
  else if (removed.length) change('enum-narrowed', 'narrowed', `enum narrowed: ${list(removed)} removed`);
}

/** direction 1: a lower bound (higher is narrower); -1: an upper bound (lower is narrower). */
function compareBound(key, a, b, direction, change) {
  if (a === b) return;
  const narrower = a === undefined ? true : b === undefined ? false : (b - a) * direction > 0;
  const was = a === undefined ? 'none' : a;
  const now = b === undefined ? 'none' : b;
  if (narrower) change('constraint-tightened', 'narrowed', `${key} ${was} -> ${now}`);
  else change('constraint-relaxed', 'widened', `${key} ${was} -> ${now}`);
}

function short(value) {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function compareItems(a, b, path) {
  const out = [];
  const ta = Array.isArray(a.items);
  const tb = Array.isArray(b.items);
  if (ta && tb) {
    // Tuples: positions compare one by one; a position only one side has is governed by the other's
    // additionalItems (absent: anything).
    for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
      const x = a.items[i] ?? a.additionalItems ?? true;
      const y = b.items[i] ?? b.additionalItems ?? true;
      out.push(...compareSchemas(x, y, `${path}[${i}]`));
    }
    if (canonical(a.additionalItems) !== canonical(b.additionalItems)) out.push(...compareSchemas(a.additionalItems ?? true, b.additionalItems ?? true, `${path}[${Math.max(a.items.length, b.items.length)}...]`));
  } else if (!ta && !tb) {
    if (canonical(a.items) !== canonical(b.items)) out.push(...compareSchemas(a.items ?? true, b.items ?? true, `${path}[]`));
  } else {
    out.push({ kind: 'retyped', path, relation: 'changed', message: ta ? 'a tuple became a list' : 'a list became a tuple' });
  }
  return out;
}

function compareObject(a, b, path) {
  const out = [];
  const propsA = a.properties ?? {};
  const propsB = b.properties ?? {};
  const reqA = new Set(a.required ?? []);
  const reqB = new Set(b.required ?? []);
  const closedA = a.additionalProperties === false;
  const closedB = b.additionalProperties === false;
  const names = [...new Set([...Object.keys(propsA), ...reqA, ...Object.keys(propsB), ...reqB])];
  for (const name of names) {
    const at = `${path}.${name}`;
    const inA = name in propsA || reqA.has(name);
    const inB = name in propsB || reqB.has(name);
    if (!inA) {
      if (reqB.has(name)) out.push({ kind: 'field-added', path: at, relation: 'narrowed', message: `field "${name}" added (required)` });
      // An open object already allowed any extra key, so a new optional field obliges no one.
      else out.push({ kind: 'field-added', path: at, relation: closedA ? 'widened' : 'compatible', message: `field "${name}" added (optional)` });
      continue;
    }
    if (!inB) {
      out.push({ kind: 'field-removed', path: at, relation: closedB ? 'narrowed' : 'widened', message: `field "${name}" removed${reqA.has(name) ? ' (was required)' : ''}` });
      continue;
    }
    if (reqA.has(name) && !reqB.has(name)) out.push({ kind: 'field-optional', path: at, relation: 'widened', message: `field "${name}" is now optional (may be missing)` });
    if (!reqA.has(name) && reqB.has(name)) out.push({ kind: 'field-required', path: at, relation: 'narrowed', message: `field "${name}" is now required` });
    out.push(...compareSchemas(propsA[name] ?? true, propsB[name] ?? true, at));
  }
  if (canonical(a.additionalProperties) !== canonical(b.additionalProperties)) {
    const x = a.additionalProperties ?? true;
    const y = b.additionalProperties ?? true;
    if (y === false) out.push({ kind: 'constraint-tightened', path, relation: 'narrowed', message: 'no longer accepts undeclared fields' });
    else if (x === false) out.push({ kind: 'constraint-relaxed', path, relation: 'widened', message: 'now accepts undeclared fields' });
    else out.push(...compareSchemas(x, y, `${path}.*`));
  }
  return out;
}
