// Stage 4: src/generated/deviations.ts: every deviation the spec gives an id ({ id, software, text, methods? }
// in a method's `deviations`), as a table from id to the method, the software, the spec's text and the other
// methods it names. The conformance checkers cite these ids, quote the text and find a deviation by its
// methods; a test checks every id they cite is here.

const str = (s) => JSON.stringify(s);

/** @param {import('./model.d.mts').SpecModel} model */
export function emitDeviations(model, banner) {
  const rows = [];
  for (const p of model.protocols) {
    for (const m of p.methods) {
      for (const d of m.deviations) if (d.id) rows.push({ ...d, protocol: p.protocol, method: m.method });
    }
  }
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const lines = [banner, ''];
  lines.push('export interface SpecDeviation {');
  lines.push('  /** The spec file it is in: spec/<protocol>/<method>.json. */');
  lines.push("  readonly protocol: 'electrum' | 'mining';");
  lines.push('  readonly method: string;');
  lines.push('  /** The implementations that behave this way. */');
  lines.push('  readonly software: readonly string[];');
  lines.push("  /** The spec's text, as a report quotes it. */");
  lines.push('  readonly text: string;');
  lines.push("  /** The methods (same protocol) whose messages show it, where that is not (only) `method`: checkers find it by these. */");
  lines.push('  readonly methods?: readonly string[];');
  lines.push('}');
  lines.push('');
  lines.push("/** The ids of the spec's structured deviations. */");
  lines.push(`export type SpecDeviationId = ${rows.length ? rows.map((r) => str(r.id)).join(' | ') : 'never'};`);
  lines.push('');
  lines.push("/** The spec's structured deviations by id (spec/<protocol>/<method>.json, `deviations`). */");
  lines.push('export const SPEC_DEVIATIONS: Readonly<Record<SpecDeviationId, SpecDeviation>> = {');
  for (const r of rows) lines.push(`  ${str(r.id)}: { protocol: ${str(r.protocol)}, method: ${str(r.method)}, software: [${r.software.map(str).join(', ')}], text: ${str(r.text)}${r.methods ? `, methods: [${r.methods.map(str).join(', ')}]` : ''} },`);
  lines.push('};');
  return `${lines.join('\n')}\n`;
}
