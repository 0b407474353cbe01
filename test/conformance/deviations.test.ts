// The deviations the checkers cite are spec data: every id cited in src/conformance is in the generated
// table, the table says what the spec files say, and the reports quote the spec's text.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { deviationText, documented, isSpecDeviationId, SPEC_DEVIATIONS } from '../../src/conformance/deviations.js';
import { TrafficChecker } from '../../src/conformance/traffic/checker.js';
import { judgeExtranonceSubscribe } from '../../src/conformance/pool/judges.js';

const SRC = new URL('../../src/conformance/', import.meta.url);
const SPEC = new URL('../../spec/', import.meta.url);

/** Every deviation id cited in src/conformance, in the forms the checkers cite them. */
async function citedIds(): Promise<Map<string, string>> {
  const cited = new Map<string, string>();
  const files = (await readdir(SRC, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const forms = [
    /documented\('([^']+)'/g, // the pool probe
    /deviation: '([^']+)'/g, // the Electrum method checks
    /#deviation\(ctx, '([^']+)'/g, // the traffic checker
  ];
  for (const file of files) {
    const text = await readFile(new URL(file, SRC), 'utf8');
    for (const form of forms) for (const m of text.matchAll(form)) cited.set(m[1] as string, file);
    // The traffic checker's tables by method: byMethod(['id', ...]).
    for (const list of text.matchAll(/byMethod\(\[([^\]]*)\]\)/g)) for (const m of (list[1] as string).matchAll(/'([^']+)'/g)) cited.set(m[1] as string, file);
  }
  return cited;
}

describe('the deviations the checkers cite', () => {
  it('are every one an id of the generated table (the spec)', async () => {
    const cited = await citedIds();
    expect(cited.size).toBeGreaterThanOrEqual(12);
    for (const [id, file] of cited) expect(isSpecDeviationId(id), `${id} cited in src/conformance/${file}`).toBe(true);
  });

  it('the table is what the spec files say: method, software, text and the methods named', async () => {
    for (const [id, d] of Object.entries(SPEC_DEVIATIONS)) {
      const doc = JSON.parse(await readFile(new URL(`${d.protocol}/${d.method}.json`, SPEC), 'utf8')) as { deviations: unknown[] };
      expect(doc.deviations, id).toContainEqual({ id, software: [...d.software], text: d.text, ...(d.methods ? { methods: [...d.methods] } : {}) });
    }
    expect(SPEC_DEVIATIONS['electrumx-fee-notifications'].methods).toEqual(['blockchain.relayfee', 'blockchain.estimatefee']);
  });

  it('reports quote the spec text: the pool probe, the traffic checker', async () => {
    const verdict = await judgeExtranonceSubscribe({ kind: 'timeout' }, 100);
    expect(verdict).toMatchObject({ status: 'deviation', deviationId: 'extranonce-subscribe-unanswered' });
    expect(verdict.documented).toContain(SPEC_DEVIATIONS['extranonce-subscribe-unanswered'].text);
    expect(documented('ping-fixed-id', 'r').documented).toBe(deviationText('ping-fixed-id'));

    const checker = new TrafficChecker();
    checker.feed({ conn: 'm', dir: 'c2s', line: '{"id":1,"method":"mining.authorize","params":["w","x"]}' });
    checker.feed({ conn: 'm', dir: 's2c', line: '{"id":1,"result":false,"error":"Invalid workername parameter"}' });
    checker.feed({ conn: 'm', dir: 'c2s', line: '{"id":2,"method":"mining.subscribe","params":[]}' });
    checker.feed({ conn: 'm', dir: 's2c', line: '{"id":2,"result":null,"error":"Failed"}' }); // undocumented for subscribe
    const [authorize, subscribe] = checker.summary().findings;
    expect(authorize).toMatchObject({ kind: 'deviation', deviation: 'authorize-error-strings', reference: expect.stringContaining(SPEC_DEVIATIONS['authorize-error-strings'].text) });
    expect(subscribe).toMatchObject({ kind: 'violation', path: 'error', message: expect.stringContaining('the spec documents no such error for mining.subscribe') });
  });
});

describe('structured deviations in the spec (meta-schema, validation, the emitted table)', () => {
  it('a copy of the fixture spec: an object deviation is emitted with its id and methods; a repeated id, a malformed one and a method its protocol lacks are refused', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { loadModel } = await import('../../codegen/model.mjs');
    const { emitAll } = await import('../../codegen/generate.mjs');
    const fixture = new URL('../fixtures/mini-spec/', import.meta.url).pathname;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratum-sdk-deviations-'));
    try {
      fs.cpSync(fixture, dir, { recursive: true });
      // The package's meta-schema, not the fixture's older copy of it.
      fs.copyFileSync(new URL('../../spec/method.schema.json', import.meta.url), path.join(dir, 'method.schema.json'));
      const files = fs.readdirSync(path.join(dir, 'mining')).filter((f) => f.endsWith('.json'));
      const edit = (file: string, deviations: unknown[]) => {
        const p = path.join(dir, 'mining', file);
        const doc = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, unknown>;
        fs.writeFileSync(p, JSON.stringify({ ...doc, deviations }));
      };
      const [a, b] = files as [string, string];
      edit(a, ['plain text', { id: 'made-up-thing', software: ['pool-x'], text: 'pool-x does a thing' }]);
      const { model, errors } = loadModel(dir);
      expect(errors).toEqual([]);
      const out = await emitAll(model!);
      const table = out.files.get('deviations.ts') ?? '';
      expect(table).toContain(`'made-up-thing': {`);
      expect(table).toContain("software: ['pool-x'], text: 'pool-x does a thing'");
      expect(out.docs.get('reference/mining.md')).toContain('pool-x does a thing (`made-up-thing`: pool-x)');
      expect(out.docs.get('openrpc/mining.openrpc.json')).toContain('"id": "made-up-thing"');

      // The methods a deviation names are emitted with it, and must be methods of its protocol.
      const other = (files[1] as string).replace(/\.json$/, '');
      edit(a, [{ id: 'made-up-thing', software: ['pool-x'], text: 'pool-x does a thing', methods: [other] }]);
      const named = loadModel(dir);
      expect(named.errors).toEqual([]);
      const withMethods = (await emitAll(named.model!)).files.get('deviations.ts') ?? '';
      expect(withMethods).toContain(`methods: ['${other}']`);
      edit(a, [{ id: 'made-up-thing', software: ['pool-x'], text: 'pool-x does a thing', methods: [other, 'mining.nothing'] }]);
      const unknown = loadModel(dir);
      expect(unknown.model).toBeNull();
      expect(unknown.errors).toEqual([expect.stringMatching(/\/deviations\/0\/methods\/1: no mining method "mining\.nothing"/)]);
      // A method of the other protocol is not one of its own.
      const electrumMethod = (fs.readdirSync(path.join(dir, 'electrum')).find((f) => f.endsWith('.json')) as string).replace(/\.json$/, '');
      edit(a, [{ id: 'made-up-thing', software: ['pool-x'], text: 'pool-x does a thing', methods: [electrumMethod] }]);
      expect(loadModel(dir).errors).toEqual([expect.stringMatching(new RegExp(`/deviations/0/methods/0: no mining method "${electrumMethod.replace(/\./g, '\\.')}"`))]);
      edit(a, [{ id: 'made-up-thing', software: ['pool-x'], text: 'pool-x does a thing', methods: [] }]);
      expect(loadModel(dir).errors.join('\n')).toMatch(/\/deviations\/0\/methods: must NOT have fewer than 1 items/);
      edit(a, [{ id: 'made-up-thing', software: ['pool-x'], text: 'pool-x does a thing' }]);

      edit(b, [{ id: 'made-up-thing', software: ['pool-y'], text: 'again' }]);
      const repeated = loadModel(dir);
      expect(repeated.model).toBeNull();
      expect(repeated.errors).toEqual([expect.stringMatching(/deviations\/0\/id: "made-up-thing" is also the id of a deviation of mining\//)]);
      edit(b, [{ id: 'Bad Id', software: [], text: '' }]);
      const malformed = loadModel(dir);
      expect(malformed.errors.join('\n')).toMatch(/\/deviations\/0\/id: must match pattern/);
      expect(malformed.errors.join('\n')).toMatch(/\/deviations\/0\/software: must NOT have fewer than 1 items/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
