// What changed between two normalized schemas, as a list of changes each with the rule it falls under
// (rules.mjs), mostly one of:
//   value-narrowed - the new schema accepts less (some values valid before are now refused);
//   value-widened  - it accepts more (values refused before may now arrive);
//   value-changed  - both, or a change that cannot be ordered (a new pattern);
// and for objects, the field-* and extra-fields-* rules, which depend on whether the object is closed.
// Who that breaks depends on who produces the value, which the caller knows (see rules.mjs).
import { acceptsAnything, alternativeKey, alternatives, canonical } from './normalize.mjs';
import { RULE } from './rules.mjs';

const RELATION_RULE = { narrowed: 'value-narrowed', widened: 'value-widened', changed: 'value-changed' };

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
 * @returns {Array<{ kind: string, path: string, rule: string, message: string }>}
 */
export function compareSchemas(a, b, path = '') {
  if (canonical(a) === canonical(b)) return [];
  if (acceptsAnything(b)) return [{ kind: 'type-widened', path, rule: 'value-widened', message: 'now accepts anything' }];
  if (acceptsAnything(a)) return [{ kind: 'type-narrowed', path, rule: 'value-narrowed', message: `was anything, now ${describeAll(alternatives(b))}` }];

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
    return [{ kind: 'retyped', path, rule: 'value-changed', message: `retyped: ${describeAll(altsA)} -> ${describeAll(altsB)}` }];
  }
  const out = [];
  for (const [key, g] of groups) {
    if (!g.old.length) {
      out.push(
        key === 'null'
          ? { kind: 'made-nullable', path, rule: 'value-widened', message: 'made nullable: null is now accepted' }
          : { kind: 'type-widened', path, rule: 'value-widened', message: `now also accepts ${describeAll(g.new)}` },
      );
    } else if (!g.new.length) {
      out.push(
        key === 'null'
          ? { kind: 'made-non-nullable', path, rule: 'value-narrowed', message: 'no longer nullable' }
          : { kind: 'type-narrowed', path, rule: 'value-narrowed', message: `no longer accepts ${describeAll(g.old)}` },
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
  // As many changed shapes on each side, in the same order: each one compares with its counterpart.
  if (restOld.length === restNew.length && olds.length === news.length && restOld.every((x, i) => olds.indexOf(x) === news.indexOf(restNew[i]))) {
    const found = restOld.flatMap((x, i) => compareSingle(x, restNew[i], path));
    return found.filter((c, i) => found.findIndex((d) => canonical(d) === canonical(c)) === i);
  }
  if (!restOld.length) return [{ kind: 'type-widened', path, rule: 'value-widened', message: `now also accepts another ${describeAll(restNew)} shape` }];
  if (!restNew.length) return [{ kind: 'type-narrowed', path, rule: 'value-narrowed', message: `no longer accepts one of its ${describeAll(restOld)} shapes` }];
  return [{ kind: 'retyped', path, rule: 'value-changed', message: `the ${describeAlternative(restOld[0])} shapes changed` }];
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
// Present = narrower; their values cannot be ordered.
const RESTRICTIONS = ['pattern', 'format', 'multipleOf', 'propertyNames', 'contains', 'not', 'allOf', 'if', 'then', 'else', 'dependencies', 'patternProperties', 'anyOf', 'oneOf'];
const HANDLED = new Set(['type', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'additionalItems', 'uniqueItems', ...LOWER_BOUNDS, ...UPPER_BOUNDS, ...RESTRICTIONS]);

function compareSingle(a, b, path) {
  if (canonical(a) === canonical(b)) return [];
  const out = [];
  const change = (kind, relation, message) => out.push({ kind, path, rule: RELATION_RULE[relation], message });

  if (a.type !== b.type) {
    if (a.type === 'integer' && b.type === 'number') change('type-widened', 'widened', 'integer -> number: fractions are now accepted');
    else if (a.type === 'number' && b.type === 'integer') change('type-narrowed', 'narrowed', 'number -> integer: fractions are no longer accepted');
    else return [{ kind: 'retyped', path, rule: 'value-changed', message: `retyped: ${describeAlternative(a)} -> ${describeAlternative(b)}` }];
  }

  compareEnum(a.enum, b.enum, change);
  // A list of values says everything about what is accepted; the other keywords beside it add nothing.
  if (a.enum !== undefined || b.enum !== undefined) return out;

  for (const k of LOWER_BOUNDS) compareBound(k, a[k], b[k], 1, change);
  for (const k of UPPER_BOUNDS) compareBound(k, a[k], b[k], -1, change);
  for (const k of RESTRICTIONS) {
    if (canonical(a[k]) === canonical(b[k])) continue;
    if (k === 'pattern' && a[k] !== undefined && b[k] !== undefined && withoutLookahead(b[k]) === a[k]) change('constraint-tightened', 'narrowed', `pattern narrowed: ${short(a[k])} -> ${short(b[k])}`);
    else if (k === 'pattern' && a[k] !== undefined && b[k] !== undefined && withoutLookahead(a[k]) === b[k]) change('constraint-relaxed', 'widened', `pattern widened: ${short(a[k])} -> ${short(b[k])}`);
    else if (a[k] === undefined) change('constraint-tightened', 'narrowed', `${k} added: ${short(b[k])}`);
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

/**
 * A pattern without a lookahead right after its leading "^" ("^(?=.{3,32}$)[0-9]+" -> "^[0-9]+"), or null.
 * A lookahead only adds a condition, so a pattern that is another plus one accepts a subset of it.
 */
function withoutLookahead(pattern) {
  if (typeof pattern !== 'string' || !pattern.startsWith('^(?=')) return null;
  let depth = 0;
  for (let i = 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') {
      // A character class: its parens are literal.
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return `^${pattern.slice(i + 1)}`;
  }
  return null;
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
    out.push({ kind: 'retyped', path, rule: 'value-changed', message: ta ? 'a tuple became a list' : 'a list became a tuple' });
  }
  return out;
}

/**
 * Whether an object whose undeclared fields must match `extra` (its additionalProperties: absent or true
 * for anything, false for nothing) takes a field of schema `field` as an undeclared one: "open" when
 * every such value passes, "closed" when some would be refused.
 */
function takesAsExtra(extra, field) {
  if (extra === undefined || acceptsAnything(extra)) return 'open';
  if (extra === false) return 'closed';
  return compareSchemas(field, extra).some((c) => RULE[c.rule].sender === 'breaking') ? 'closed' : 'open';
}

function compareObject(a, b, path) {
  const out = [];
  const propsA = a.properties ?? {};
  const propsB = b.properties ?? {};
  const reqA = new Set(a.required ?? []);
  const reqB = new Set(b.required ?? []);
  const names = [...new Set([...Object.keys(propsA), ...reqA, ...Object.keys(propsB), ...reqB])];
  for (const name of names) {
    const at = `${path}.${name}`;
    const inA = name in propsA || reqA.has(name);
    const inB = name in propsB || reqB.has(name);
    if (!inA) {
      // Old receivers take the new field as an undeclared one: refused if the old object was closed to it,
      // ignored by the SDK (and refused only by a strict receiver) if it was open.
      const open = takesAsExtra(a.additionalProperties, propsB[name] ?? true) === 'open';
      const required = reqB.has(name);
      out.push({ kind: 'field-added', path: at, rule: `field-added-${required ? 'required' : 'optional'}${open ? '-open' : ''}`, message: `field "${name}" added (${required ? 'required' : 'optional'}${open ? '' : ', to a closed object'})` });
      continue;
    }
    if (!inB) {
      // New receivers take the old field, which old senders still send, as an undeclared one.
      const open = takesAsExtra(b.additionalProperties, propsA[name] ?? true) === 'open';
      const required = reqA.has(name);
      out.push({ kind: 'field-removed', path: at, rule: `field-removed-${required ? 'required' : 'optional'}${open ? '-open' : ''}`, message: `field "${name}" removed${required ? ' (was required)' : ''}${open ? '' : ' from a closed object'}` });
      continue;
    }
    if (reqA.has(name) && !reqB.has(name)) out.push({ kind: 'field-optional', path: at, rule: 'value-widened', message: `field "${name}" is now optional (may be missing)` });
    if (!reqA.has(name) && reqB.has(name)) out.push({ kind: 'field-required', path: at, rule: 'value-narrowed', message: `field "${name}" is now required` });
    out.push(...compareSchemas(propsA[name] ?? true, propsB[name] ?? true, at));
  }
  if (canonical(a.additionalProperties) !== canonical(b.additionalProperties)) {
    const x = a.additionalProperties ?? true;
    const y = b.additionalProperties ?? true;
    if (y === false) out.push({ kind: 'constraint-tightened', path, rule: 'extra-fields-refused', message: 'no longer accepts undeclared fields' });
    else if (x === false) out.push({ kind: 'constraint-relaxed', path, rule: 'extra-fields-accepted', message: 'now accepts undeclared fields' });
    else out.push(...compareSchemas(x, y, `${path}.*`));
  }
  return out;
}
