// Result changes, compared by meaning rather than by variant name: for each stretch of protocol
// versions and each param condition, the shapes the old spec allows are compared with the shapes the
// new one allows. So splitting one result into "before 1.8" and "from 1.8" variants reports exactly
// "at 1.8+ the result changed so", and renaming a variant reports nothing that matters.
import { compareVersions, inVersionRange } from '../versions.mjs';
import { resultVariants } from '../result-variants.mjs';
import { canonical, normalizeSchema } from './normalize.mjs';
import { compareSchemas } from './schema-diff.mjs';

const inRange = (v, since, until) => inVersionRange(v, { since, until });
const methodHas = (doc, v) => v === undefined || !doc.versions || inRange(v, doc.versions.since, doc.versions.removed);

/** Stretches of versions between every boundary either side names; `at` is a version inside each. */
function segments(oldDoc, newDoc) {
  const bounds = new Set();
  for (const doc of [oldDoc, newDoc]) {
    if (doc.versions?.since) bounds.add(doc.versions.since);
    if (doc.versions?.removed) bounds.add(doc.versions.removed);
    for (const v of doc.result?.variants ?? []) for (const b of [v.when?.versions?.since, v.when?.versions?.until]) if (b) bounds.add(b);
  }
  if (!bounds.size) return [{ at: undefined, from: undefined, to: undefined }];
  const sorted = [...bounds].sort(compareVersions);
  // "0" sorts before every real version, so it stands for "before the first boundary".
  return [{ at: '0', from: undefined, to: sorted[0] }, ...sorted.map((b, i) => ({ at: b, from: b, to: sorted[i + 1] }))];
}

/** The param conditions variants are chosen by; one empty context when none is. */
function contexts(variants, norm) {
  const seen = new Map();
  for (const { v, side } of variants) {
    const params = v.when?.params;
    if (!params || !Object.keys(params).length) continue;
    const entries = Object.keys(params).sort().map((p) => [p, norm[side](params[p])]);
    seen.set(canonical(entries), entries);
  }
  return seen.size ? [...seen.values()] : [[]];
}

function applies(v, seg, ctx, norm) {
  const r = v.when?.versions;
  if (r && seg.at !== undefined && !inRange(seg.at, r.since, r.until)) return false;
  return Object.entries(v.when?.params ?? {}).every(([p, s]) => ctx.some(([q, t]) => q === p && canonical(t) === canonical(norm(s))));
}

const union = (schemas) => (schemas.length === 1 ? schemas[0] : { anyOf: schemas });

function contextLabel(ctx) {
  return ctx.map(([p, s]) => (s && typeof s === 'object' && Array.isArray(s.enum) && s.enum.length === 1 ? `${p} = ${JSON.stringify(s.enum[0])}` : `${p} matches ${JSON.stringify(s)}`)).join(', ');
}

function rangeLabel(from, to) {
  if (from === undefined && to === undefined) return '';
  if (from === undefined) return `protocol before ${to}`;
  if (to === undefined) return `protocol ${from}+`;
  return `protocol ${from} to before ${to}`;
}

/**
 * @returns {Array<{ kind: string, path: string, rule: string, message: string, where: string }>}
 *   rules are about the result as the responder produces it.
 */
export function compareResults(oldDoc, newDoc, oldDefs, newDefs) {
  const oldVs = resultVariants(oldDoc);
  const newVs = resultVariants(newDoc);
  if (!oldVs.length && !newVs.length) return [];
  if (!oldVs.length) return [{ kind: 'result-added', path: '', rule: 'kind-changed', message: 'now has a result', where: 'result' }];
  if (!newVs.length) return [{ kind: 'result-removed', path: '', rule: 'kind-changed', message: 'no longer has a result', where: 'result' }];
  const norm = { old: (s) => normalizeSchema(s, oldDefs), new: (s) => normalizeSchema(s, newDefs) };
  const out = [];

  // Which named shapes came and went: not breaking by itself (the comparison below says what it means
  // for the values), but the generated type names follow the variant names.
  const names = (vs) => new Set(vs.map((v) => v.name));
  const oldNames = names(oldVs);
  const newNames = names(newVs);
  const when = (v) => [rangeLabel(v.when?.versions?.since, v.when?.versions?.until), contextLabel(Object.entries(v.when?.params ?? {}).map(([p, s]) => [p, normalizeSchema(s)]))].filter(Boolean).join(', ');
  const list = (vs) => vs.map((v) => `"${v.name}"${when(v) ? ` (${when(v)})` : ''}`).join(', ');
  if (!oldDoc.result.variants && newDoc.result.variants) {
    out.push({ kind: 'result-variants-changed', path: '', rule: 'result-shapes-renamed', message: `now has several shapes: ${list(newVs)}`, where: 'result' });
  } else if (oldDoc.result.variants && !newDoc.result.variants) {
    out.push({ kind: 'result-variants-changed', path: '', rule: 'result-shapes-renamed', message: `now has one shape (was ${list(oldVs)})`, where: 'result' });
  } else if (oldDoc.result.variants) {
    for (const v of newVs) if (!oldNames.has(v.name)) out.push({ kind: 'result-variants-changed', path: '', rule: 'result-shapes-renamed', message: `shape "${v.name}" added${when(v) ? ` (${when(v)})` : ''}`, where: 'result' });
    for (const v of oldVs) if (!newNames.has(v.name)) out.push({ kind: 'result-variants-changed', path: '', rule: 'result-shapes-renamed', message: `shape "${v.name}" removed${when(v) ? ` (was ${when(v)})` : ''}`, where: 'result' });
  }

  const segs = segments(oldDoc, newDoc);
  const tagged = [...oldVs.map((v) => ({ v, side: 'old' })), ...newVs.map((v) => ({ v, side: 'new' }))];
  for (const ctx of contexts(tagged, norm)) {
    // Per stretch of versions, the changes found; equal neighbours are merged into one range below.
    const found = segs.map((seg) => {
      if (!methodHas(oldDoc, seg.at) || !methodHas(newDoc, seg.at)) return null;
      const a = oldVs.filter((v) => applies(v, seg, ctx, norm.old));
      const b = newVs.filter((v) => applies(v, seg, ctx, norm.new));
      if (!a.length && !b.length) return null;
      if (!a.length) return [{ kind: 'result-shape-added', path: '', rule: 'value-widened', message: 'a result is now defined where none was' }];
      if (!b.length) return [{ kind: 'result-shape-removed', path: '', rule: 'value-narrowed', message: 'no result shape is defined any more' }];
      const changes = compareSchemas(normalizeSchema(union(a.map((v) => v.schema)), oldDefs), normalizeSchema(union(b.map((v) => v.schema)), newDefs));
      return changes.length ? changes : null;
    });
    const covered = segs.filter((seg) => methodHas(oldDoc, seg.at) && methodHas(newDoc, seg.at));
    for (let i = 0; i < segs.length; i++) {
      if (!found[i]) continue;
      let j = i;
      while (j + 1 < segs.length && found[j + 1] && canonical(found[j + 1]) === canonical(found[i])) j++;
      const everywhere = covered.length === j - i + 1;
      const label = [contextLabel(ctx), everywhere ? '' : rangeLabel(segs[i].from, segs[j].to)].filter(Boolean).join(', ');
      for (const c of found[i]) out.push({ ...c, where: label ? `result (${label})` : 'result' });
      i = j;
    }
  }
  return out;
}
