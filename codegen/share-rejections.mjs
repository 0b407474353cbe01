// spec/share-rejections.json, loaded, validated and modelled in one small step of its own (called from
// loadModel): the pool-neutral reasons a share is refused for, the standard codes, and the wording of
// real pools. A spec folder without the file (a test fixture) has none, and no file is emitted for it.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';

export const SHARE_REJECTIONS_FILE = 'share-rejections.json';
export const SHARE_REJECTIONS_SCHEMA = 'share-rejections.schema.json';

/**
 * @returns {{ shareRejections: ShareRejectionsModel | null, errors: string[] }}
 * @typedef {{
 *   method: string,
 *   reasons: Array<{ name: string, description: string }>,
 *   fallback: string,
 *   codes: Array<{ code: number, reason: string, meaning: string }>,
 *   exact: Array<{ message: string, reason: string }>,
 *   prefixes: Array<{ message: string, reason: string }>,
 * }} ShareRejectionsModel
 */
export function loadShareRejections(specDir, miningMethods = []) {
  const file = path.join(specDir, SHARE_REJECTIONS_FILE);
  if (!fs.existsSync(file)) return { shareRejections: null, errors: [] };
  const errors = [];
  const read = (f) => {
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch (e) {
      errors.push(`${f}: ${e.message}`);
      return undefined;
    }
  };
  const data = read(file);
  const schema = read(path.join(specDir, SHARE_REJECTIONS_SCHEMA));
  if (errors.length) return { shareRejections: null, errors };
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  if (!validate(data)) {
    for (const e of validate.errors ?? []) errors.push(`${file}: ${e.instancePath || '/'} ${e.message}`);
    return { shareRejections: null, errors };
  }
  return modelOf(file, data, miningMethods);
}

/** Compared as the runtime compares: without regard to case or surrounding spaces. */
export const normalize = (message) => message.trim().toLowerCase();

function modelOf(file, data, miningMethods) {
  const errors = [];
  if (!miningMethods.includes(data.method)) errors.push(`${file}: /method: "${data.method}" is not a method of spec/mining/`);
  const reasons = Object.keys(data.reasons);
  const known = (where, reason) => {
    if (!reasons.includes(reason)) errors.push(`${file}: ${where}: reason "${reason}" is not declared under "reasons"`);
  };
  known('/fallback', data.fallback);
  const codes = new Map();
  data.codes.forEach((c, i) => {
    known(`/codes/${i}`, c.reason);
    if (codes.has(c.code)) errors.push(`${file}: /codes/${i}: code ${c.code} is listed twice`);
    codes.set(c.code, c);
  });
  // One wording, one reason, whichever pools send it.
  const tables = { exact: new Map(), prefix: new Map() };
  data.pools.forEach((pool, p) =>
    pool.messages.forEach((m, i) => {
      const where = `/pools/${p}/messages/${i}`;
      known(where, m.reason);
      const key = normalize(m.message);
      if (key.length === 0) errors.push(`${file}: ${where}: empty message`);
      const seen = tables[m.match].get(key);
      if (seen && seen.reason !== m.reason) errors.push(`${file}: ${where}: "${m.message}" means "${m.reason}" here but "${seen.reason}" for ${seen.pool}`);
      if (!seen) tables[m.match].set(key, { reason: m.reason, pool: pool.pool });
      if (m.match === 'prefix' && m.example !== undefined && !normalize(m.example).startsWith(key)) {
        errors.push(`${file}: ${where}: the example does not start with the message`);
      }
    }),
  );
  if (errors.length) return { shareRejections: null, errors };
  const byMessage = (a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
  const entries = (table) => [...table].map(([message, { reason }]) => ({ message, reason }));
  return {
    shareRejections: {
      method: data.method,
      reasons: reasons.map((name) => ({ name, description: data.reasons[name] })),
      fallback: data.fallback,
      codes: [...codes.values()].sort((a, b) => a.code - b.code).map(({ code, reason, meaning }) => ({ code, reason, meaning })),
      exact: entries(tables.exact).sort(byMessage),
      // Longest first: the most specific start wins.
      prefixes: entries(tables.prefix).sort((a, b) => b.message.length - a.message.length || byMessage(a, b)),
    },
    errors: [],
  };
}
