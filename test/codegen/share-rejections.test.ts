// spec/share-rejections.json is checked before anything is generated from it: its schema, and the facts a
// schema cannot say (declared reasons, a real method, one reason per wording).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module of the generator, without declarations
import { loadShareRejections } from '../../codegen/share-rejections.mjs';
import { SPEC_DIR } from '../helpers/spec-files.js';

type Load = (dir: string, methods?: string[]) => { shareRejections: { method: string; prefixes: { message: string }[] } | null; errors: string[] };
const load = loadShareRejections as Load;
const data = JSON.parse(fs.readFileSync(path.join(SPEC_DIR, 'share-rejections.json'), 'utf8')) as Record<string, unknown> & { pools: { messages: Record<string, unknown>[] }[] };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function broken(edit: (copy: typeof data) => void): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'share-rejections-'));
  dirs.push(dir);
  const copy = structuredClone(data);
  edit(copy);
  fs.writeFileSync(path.join(dir, 'share-rejections.json'), JSON.stringify(copy));
  fs.copyFileSync(path.join(SPEC_DIR, 'share-rejections.schema.json'), path.join(dir, 'share-rejections.schema.json'));
  const { shareRejections, errors } = load(dir, ['mining.submit']);
  expect(shareRejections).toBeNull();
  return errors;
}

describe('loading spec/share-rejections.json', () => {
  it('models the real file: its method, and prefixes longest first', () => {
    const { shareRejections, errors } = load(SPEC_DIR, ['mining.submit']);
    expect(errors).toEqual([]);
    expect(shareRejections?.method).toBe('mining.submit');
    const lengths = shareRejections!.prefixes.map((p) => p.message.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));
  });

  it('is optional: a spec folder without it has none', () => {
    expect(load(path.join(SPEC_DIR, 'mining'))).toEqual({ shareRejections: null, errors: [] });
  });

  it.each<[string, (d: typeof data) => void, RegExp]>([
    ['a field the schema does not know', (d) => void (d['extra'] = 1), /additional properties/],
    ['a message without a source', (d) => void delete d.pools[0]!.messages[0]!['source'], /source/],
    ['a reason nobody declared', (d) => void (d.pools[0]!.messages[0]!['reason'] = 'bad-luck'), /reason "bad-luck" is not declared/],
    ['a method that is not in spec/mining/', (d) => void (d['method'] = 'mining.nope'), /not a method of spec\/mining/],
    ['one wording with two reasons', (d) => void d.pools[1]!.messages.push({ message: 'STALE', match: 'exact', reason: 'duplicate', source: 'x' }), /"STALE" means "duplicate" here but "stale"/],
    ['an example that does not start with its prefix', (d) => void d.pools[1]!.messages.push({ message: 'abc', match: 'prefix', reason: 'other', source: 'x', example: 'xyz' }), /example does not start/],
  ])('refuses %s', (_name, edit, error) => {
    expect(broken(edit).join('\n')).toMatch(error);
  });
});
