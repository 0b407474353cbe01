// One model feeds every emitter: the spec is loaded, validated and modelled once (codegen/model.mjs), and
// types, wrappers, handler interfaces, event maps, the registry, validators, OpenRPC and the reference are
// all printed from that model, which they only read. The version comparison is the runtime's, run by the
// generator as it is, with no build step.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { emitAll, generate } from '../../codegen/generate.mjs';
import { loadModel, type SpecModel } from '../../codegen/model.mjs';
import { compareVersions as generatorCompare, inVersionRange as generatorRange, RUNTIME_VERSIONS_SOURCE, sortVersions } from '../../codegen/versions.mjs';
import { compareVersions, inVersionRange } from '../../src/runtime/versions.js';
import { ROOT, SPEC_DIR } from '../helpers/spec-files.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'mini-spec');
const CODEGEN = path.join(ROOT, 'codegen');

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function modelOf(dir: string): SpecModel {
  const { model, errors } = loadModel(dir);
  expect(errors).toEqual([]);
  return model!;
}

describe('the model', () => {
  it('is all the emitters need: a frozen model renders every file generate() renders', async () => {
    for (const dir of [FIXTURE, SPEC_DIR]) {
      const model = deepFreeze(modelOf(dir));
      const fromModel = await emitAll(model);
      const fromSpec = await generate(dir);
      expect([...fromModel.files.keys()]).toEqual([...fromSpec.files.keys()]);
      for (const [name, text] of fromSpec.files) expect(fromModel.files.get(name), name).toBe(text);
      expect([...fromModel.docs.keys()]).toEqual([...fromSpec.docs.keys()]);
      for (const [name, text] of fromSpec.docs) expect(fromModel.docs.get(name), name).toBe(text);
    }
  }, 30_000);

  it('holds no method file: every method is modelled fields, not the parsed JSON', () => {
    const model = modelOf(FIXTURE);
    for (const p of model.protocols) for (const m of p.methods) expect(Object.keys(m), m.method).not.toContain('doc');
  });

  it('is built once, and the emitters read no spec file and call nothing that would', () => {
    const generateSource = fs.readFileSync(path.join(CODEGEN, 'generate.mjs'), 'utf8');
    expect(generateSource.match(/loadModel\(/g)).toHaveLength(1);
    expect(generateSource).not.toMatch(/loadSpec|validateSpec|buildModel/);
    const emitters = fs.readdirSync(CODEGEN).filter((f) => f.startsWith('emit-') && f.endsWith('.mjs'));
    expect(emitters.sort()).toEqual(['emit-code.mjs', 'emit-deviations.mjs', 'emit-openrpc.mjs', 'emit-reference.mjs', 'emit-share-rejections.mjs', 'emit-types.mjs', 'emit-validators.mjs']);
    for (const file of emitters) {
      const source = fs.readFileSync(path.join(CODEGEN, file), 'utf8');
      // Reading method files, or deriving from them what the model already holds, is the model's job.
      expect(source, file).not.toMatch(/from '\.\/(load|validate|versions)\.mjs'/);
      expect(source, file).not.toMatch(/\b(loadSpec|validateSpec|methodSchemas|resultVariants|schemasOfMethod|usedDefinitionNames|namedVersions)\b/);
      expect(source, file).not.toMatch(/\bdocs?\.(method|params|result|notification|versions|status|examples)\b/);
      // The only files read are the emitters' own templates.
      for (const read of source.match(/readFileSync\([^)]*\)/g) ?? []) expect(read, file).toMatch(/TEMPLATE/);
    }
  });

  it('holds the facts about each method in a session, with the reverse of `ends`', () => {
    const model = modelOf(FIXTURE);
    const electrum = model.protocols.find((p) => p.protocol === 'electrum')!;
    const mining = model.protocols.find((p) => p.protocol === 'mining')!;
    const get = (name: string) => [...electrum.methods, ...mining.methods].find((m) => m.method === name)!;
    expect(get('demo.watch')).toMatchObject({ subscriptionKey: { params: 1, inNotifications: 'as-sent' }, endedBy: 'demo.unwatch', ends: null });
    expect(get('demo.unwatch')).toMatchObject({ ends: 'demo.watch', endedBy: null, subscriptionKey: null });
    expect(get('demo.ask')).toMatchObject({ optionalReply: { when: 'always' }, sessionState: { onReconnect: 'replay' } });
    expect(get('demo.item.get')).toMatchObject({ optionalReply: null, sessionState: null, subscriptionKey: null, ends: null, endedBy: null });
    expect(electrum.versions).toEqual(['1.2', '1.4', '1.5', '1.7']);
  });
});

describe('the eras: what each method is at each named version', () => {
  const real = () => modelOf(SPEC_DIR);
  const method = (name: string) => real().protocols.find((p) => p.protocol === 'electrum')!.methods.find((m) => m.method === name)!;

  it('cover exactly the named versions a request exists at, each once, in order', () => {
    const electrum = real().protocols.find((p) => p.protocol === 'electrum')!;
    for (const m of electrum.methods) {
      const versions = m['versions'] as { since: string; removed?: string } | null;
      const at = m.eras.requests.flatMap((e) => e.at);
      const expected = m.kind === 'notification' ? [] : electrum.versions.filter((v) => generatorRange(v, versions ? { since: versions.since, until: versions.removed } : undefined));
      expect(at, m.method).toEqual(expected);
    }
    // Stratum V1 has no versions, so no eras.
    for (const m of real().protocols.find((p) => p.protocol === 'mining')!.methods) expect(m.eras, m.method).toEqual({ requests: [], notifications: [] });
  });

  it('change where a result shape, a param or the method does, and merge where nothing changes', () => {
    const headers = method('blockchain.headers.subscribe').eras;
    expect(headers.requests.map((e) => [e.at, e.params, e.result])).toEqual([
      [['1.0', '1.1'], '[]', 'BlockchainHeadersSubscribeResultDeserialized'],
      [['1.2', '1.3'], '[raw?: boolean]', 'BlockchainHeadersSubscribeResultDeserialized | BlockchainHeadersSubscribeResultRaw'],
      [['1.4', '1.4.2', '1.4.3', '1.6', '1.7'], '[]', 'BlockchainHeadersSubscribeResultRaw'],
    ]);
    // The notification carries the value in the result's shape of its versions.
    expect(headers.notifications.map((e) => e.params)).toEqual([
      '[header: BlockchainHeadersSubscribeResultDeserialized]',
      '[header: BlockchainHeadersSubscribeResultDeserialized | BlockchainHeadersSubscribeResultRaw]',
      '[header: BlockchainHeadersSubscribeResultRaw]',
    ]);
    // Before cp_height existed (1.3) only its default, 0, can be sent: the raw header, never a proof.
    const header = method('blockchain.block.header').eras.requests;
    expect(header[0]).toMatchObject({ at: ['1.3'], params: '[height: Height]', named: '{ height: Height }', result: 'BlockchainBlockHeaderResultRaw', overloads: [] });
    expect(header[1]?.overloads).toEqual([{ name: 'raw', params: '[height: Height, cp_height?: 0]', result: 'BlockchainBlockHeaderResultRaw' }]);
    // A verbose transaction needs the verbose param, which 1.0 and 1.1 do not have.
    const get = method('blockchain.transaction.get').eras.requests;
    expect(get[0]).toMatchObject({ at: ['1.0', '1.1'], params: '[tx_hash: Txid]', result: 'BlockchainTransactionGetResultRaw', overloads: [] });
    expect(get[1]?.overloads.map((o) => o.name)).toEqual(['raw', 'verbose']);
    // Params by name; server.version ignores names it does not know.
    expect(method('server.banner').eras.requests[0]?.named).toBe('Record<string, never>');
    expect(method('server.version').eras.requests.at(-1)?.named).toMatch(/\[extra: string\]: unknown/);
  });

  it('name the versions from which result shapes end for good (the floors of the <method>_from_<version> validators)', () => {
    const electrum = real().protocols.find((p) => p.protocol === 'electrum')!;
    const floors = Object.fromEntries(electrum.methods.filter((m) => m.floors.length).map((m) => [m.method, m.floors]));
    expect(floors).toEqual({
      'blockchain.block.headers': [{ version: '1.6', variants: ['list'], dropped: ['concatenated'] }],
      'blockchain.headers.subscribe': [{ version: '1.4', variants: ['raw'], dropped: ['deserialized'] }],
      'blockchain.transaction.broadcast': [{ version: '1.1', variants: ['txid'], dropped: ['legacyResultString'] }],
      'server.ping': [{ version: '1.7', variants: ['pong'], dropped: ['null'] }],
      'server.version': [{ version: '1.1', variants: ['negotiated'], dropped: ['serverSoftware'] }],
    });
    // Shapes chosen by params never end: blockchain.transaction.get has none.
    expect(method('blockchain.transaction.get').floors).toEqual([]);
  });
});

describe('the version comparison', () => {
  const pairs: [string, string][] = [
    ['1.4', '1.4'],
    ['1.6.0', '1.6'],
    ['1.4.2', '1.4'],
    ['1.4', '1.4.2'],
    ['1.10', '1.9'],
    ['2.0', '1.99.99'],
    ['1.0', '1.0.0.0'],
  ];

  it("is the runtime's own: the generator runs src/runtime/versions.ts, so the two give the same answers", () => {
    for (const [a, b] of pairs) expect(generatorCompare(a, b), `${a} vs ${b}`).toBe(compareVersions(a, b));
    expect(generatorRange('1.4.2', { since: '1.4.2', until: '1.7' })).toBe(inVersionRange('1.4.2', { since: '1.4.2', until: '1.7' }));
    expect(generatorRange('1.7', { since: '1.4.2', until: '1.7' })).toBe(false);
    expect(sortVersions(['1.10', '1.6.0', '1.9', '1.6', '1.4.2'])).toEqual(['1.4.2', '1.6.0', '1.9', '1.10']);
    expect(new URL(RUNTIME_VERSIONS_SOURCE).pathname).toBe(path.join(ROOT, 'src', 'runtime', 'versions.ts'));
  });

  it('exists once: nothing in codegen/ splits a version itself', () => {
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.mjs') ? [path.join(dir, e.name)] : []));
    for (const file of files(CODEGEN)) {
      const source = fs.readFileSync(file, 'utf8');
      expect(source, path.relative(ROOT, file)).not.toMatch(/split\('\.'\)\.map\(Number\)/);
    }
  });

  it('works under plain node with no build step (what `npm run generate` runs)', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "import { compareVersions, sortVersions } from './codegen/versions.mjs'; console.log(JSON.stringify([compareVersions('1.6.0', '1.6'), compareVersions('1.10', '1.9'), sortVersions(['1.7', '1.4.2', '1.4'])]));"],
      { cwd: ROOT, stdio: 'pipe' },
    ).toString();
    expect(JSON.parse(out)).toEqual([0, 1, ['1.4', '1.4.2', '1.7']]);
  });
});
