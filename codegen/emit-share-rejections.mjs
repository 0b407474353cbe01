// Stage 4: src/generated/mining/share-rejections.ts from the model's share rejections (see
// codegen/share-rejections.mjs): the reasons as a union type, and the lookup tables the runtime's
// shareRejectionReason reads. Data only; the matching is hand-written in src/clients.

const str = (s) => JSON.stringify(s);

/** @param {import('./share-rejections.mjs').ShareRejectionsModel} model */
export function emitShareRejections(model, banner) {
  const lines = [banner, ''];
  lines.push('/** The request whose refusals are share rejections. */');
  lines.push(`export const SHARE_REJECTION_METHOD = ${str(model.method)};`);
  lines.push('');
  lines.push('/** Why a pool refused a share, in words no pool owns (spec/share-rejections.json). */');
  lines.push(`export const SHARE_REJECTION_REASONS = [${model.reasons.map((r) => str(r.name)).join(', ')}] as const;`);
  lines.push('');
  lines.push('/**');
  for (const r of model.reasons) lines.push(` * - \`${r.name}\`: ${r.description}`);
  lines.push(' */');
  lines.push('export type ShareRejectionReason = (typeof SHARE_REJECTION_REASONS)[number];');
  lines.push('');
  lines.push('/** The reason of a code and wording nothing here knows. */');
  lines.push(`export const SHARE_REJECTION_FALLBACK: ShareRejectionReason = ${str(model.fallback)};`);
  lines.push('');
  lines.push('/** Standard Stratum error codes and their reasons. */');
  lines.push('export const SHARE_REJECTION_CODES: ReadonlyMap<number, ShareRejectionReason> = new Map<number, ShareRejectionReason>([');
  for (const c of model.codes) lines.push(`  [${c.code}, ${str(c.reason)}], // ${c.meaning}`);
  lines.push(']);');
  lines.push('');
  lines.push('/** Known whole messages of real pools, lower-cased. */');
  lines.push('export const SHARE_REJECTION_MESSAGES: ReadonlyMap<string, ShareRejectionReason> = new Map<string, ShareRejectionReason>([');
  for (const m of model.exact) lines.push(`  [${str(m.message)}, ${str(m.reason)}],`);
  lines.push(']);');
  lines.push('');
  lines.push('/** Known starts of messages that carry a value after them, lower-cased, longest first. */');
  lines.push('export const SHARE_REJECTION_PREFIXES: readonly (readonly [string, ShareRejectionReason])[] = [');
  for (const m of model.prefixes) lines.push(`  [${str(m.message)}, ${str(m.reason)}],`);
  lines.push('];');
  return `${lines.join('\n')}\n`;
}
