// The generator: broken spec files are refused with file, JSON pointer and reason; output is
// deterministic; a fixture spec renders to the committed snapshots; the committed output (code and
// docs) is current, and the command line finds drift in both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../../codegen/generate.mjs';
import { ROOT, SPEC_DIR } from '../helpers/spec-files.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'mini-spec');
const temps: string[] = [];

afterAll(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

/** A copy of the fixture spec with one file changed by `edit` (a parsed-JSON edit, or raw text). */
function brokenSpec(file: string, edit: ((doc: Record<string, unknown>) => void) | string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratum-spec-'));
  temps.push(dir);
  fs.cpSync(FIXTURE, dir, { recursive: true });
  const target = path.join(dir, file);
  if (typeof edit === 'string') fs.writeFileSync(target, edit);
  else {
    const doc = JSON.parse(fs.readFileSync(target, 'utf8')) as Record<string, unknown>;
    edit(doc);
    fs.writeFileSync(target, JSON.stringify(doc));
  }
  return dir;
}

const GET = 'electrum/demo.item.get.json';
const WATCH = 'electrum/demo.watch.json';
const UNWATCH = 'electrum/demo.unwatch.json';
const ASK = 'mining/demo.ask.json';
const params = (doc: Record<string, unknown>) => doc['params'] as Record<string, unknown>[];
const notificationParams = (doc: Record<string, unknown>) => (doc['notification'] as { params: Record<string, unknown>[] }).params;

describe('a broken spec is refused', () => {
  const cases: [string, string, ((doc: Record<string, unknown>) => void) | string, RegExp][] = [
    ['missing method', GET, (d) => delete d['method'], /demo\.item\.get\.json: \/: missing required property "method"/],
    ['unknown kind', GET, (d) => (d['kind'] = 'event'), /demo\.item\.get\.json: \/kind: must be equal to one of the allowed values: "request", "subscription", "notification"/],
    ['unknown property', GET, (d) => (d['colour'] = 'red'), /demo\.item\.get\.json: \/: unknown property "colour"/],
    ['bad version', GET, (d) => (d['versions'] = { since: 'one' }), /demo\.item\.get\.json: \/versions\/since: must match pattern/],
    ['removed before since', GET, (d) => (d['versions'] = { since: '1.4', removed: '1.2' }), /\/versions\/removed: must be after since/],
    ['required after optional', GET, (d) => (params(d)[2]!['required'] = true), /\/params\/2\/required: required param "extra" follows an optional one/],
    ['file name differs from method', GET, (d) => (d['method'] = 'demo.item.fetch'), /\/method: must equal the file name "demo\.item\.get"/],
    ['wrong protocol folder', GET, (d) => (d['protocol'] = 'mining'), /\/protocol: is "mining" but the file is in spec\/electrum\//],
    ['unresolvable $ref', GET, (d) => (params(d)[0]!['schema'] = { $ref: '../definitions.json#/$defs/nope' }), /\/params: schema does not compile: can't resolve reference/],
    ['unknown schema keyword', GET, (d) => (params(d)[0]!['schema'] = { type: 'string', patern: 'x' }), /\/params: schema does not compile: strict mode: unknown keyword: "patern"/],
    ['default not matching its schema', GET, (d) => (params(d)[1]!['default'] = 'no'), /\/params\/1\/default: does not match the param's schema/],
    ['variant names an unknown param', GET, (d) => {
      const r = d['result'] as { variants: { when: Record<string, unknown> }[] };
      r.variants[0]!.when = { params: { verbosity: { const: false } } };
    }, /\/result\/variants\/0\/when\/params\/verbosity: no param named "verbosity"/],
    ['notification without result-less kind', 'mining/demo.job.json', (d) => (d['result'] = { description: 'x', schema: {} }), /demo\.job\.json: \/: must NOT be valid/],
    ['subscription without notification', 'electrum/demo.watch.json', (d) => delete d['notification'], /demo\.watch\.json: \/: missing required property "notification"/],
    ['versions on a Stratum method', 'mining/demo.job.json', (d) => (d['versions'] = { since: '1.0' }), /demo\.job\.json: \/versions: Stratum V1 has no protocol versions/],
    ['invalid JSON', GET, '{ "method": ', /demo\.item\.get\.json: invalid JSON/],
    // Facts about a method's place in a session.
    ['subscription without a key', WATCH, (d) => delete d['subscriptionKey'], /demo\.watch\.json: \/: missing required property "subscriptionKey"/],
    ['key longer than the notification carries', WATCH, (d) => (d['subscriptionKey'] = { params: 2 }), /demo\.watch\.json: \/subscriptionKey\/params: is 2, but the request has 1 param\b/],
    ['key notifications name otherwise', WATCH, (d) => (notificationParams(d)[0]!['name'] = 'script'), /\/notification\/params\/0\/name: is "script", but key param 0 of the request is "scripthash"/],
    ['key on a request', GET, (d) => (d['subscriptionKey'] = { params: 1 }), /demo\.item\.get\.json: \/subscriptionKey: only a subscription has a key \(this is a request\)/],
    ['unsubscribe of an unknown method', UNWATCH, (d) => (d['ends'] = 'demo.nothing'), /demo\.unwatch\.json: \/ends: no electrum method "demo\.nothing"/],
    ['unsubscribe of a request', UNWATCH, (d) => (d['ends'] = 'demo.item.get'), /demo\.unwatch\.json: \/ends: "demo\.item\.get" is a request, not a subscription/],
    ['unsubscribe params that are not the key', UNWATCH, (d) => (params(d)[0]!['name'] = 'hash'), /demo\.unwatch\.json: \/params: must be the key params of demo\.watch, by the same names: \[scripthash\] \(has \[hash\]\)/],
    ['unsubscribe before its subscription', UNWATCH, (d) => (d['versions'] = { since: '1.2' }), /demo\.unwatch\.json: \/versions: must lie within the versions of demo\.watch \(1\.4\+\)/],
    ['optional reply of a notification', 'mining/demo.job.json', (d) => (d['optionalReply'] = { when: 'always', reason: 'r', source: 's' }), /demo\.job\.json: \/optionalReply: a notification is never answered/],
    ['resume without the param to resume with', ASK, (d) => (d['sessionState'] = { sets: 's', onReconnect: 'resume' }), /demo\.ask\.json: \/sessionState: missing required property "resumeParam"/],
    ['resume by a param the method does not have', ASK, (d) => (d['sessionState'] = { sets: 's', onReconnect: 'resume', resumeParam: 'session_id' }), /demo\.ask\.json: \/sessionState\/resumeParam: no param named "session_id"/],
    ['an unknown reply condition', ASK, (d) => (d['optionalReply'] = { when: 'sometimes', reason: 'r', source: 's' }), /demo\.ask\.json: \/optionalReply\/when: must be equal to one of the allowed values: "always", "repeated"/],
  ];

  // A request whose wrapper could not give its wire name back (the lite client finds wire names from accessors).
  const renamed = (method: string) => JSON.stringify({ ...JSON.parse(fs.readFileSync(path.join(FIXTURE, GET), 'utf8')), method });
  cases.push(
    ['a name its wrapper cannot give back', 'electrum/demo.item.get_2x.json', renamed('demo.item.get_2x'), /demo\.item\.get_2x\.json: \/method: its wrapper demo\.item\.get2x would send "demo\.item\.get2x"/],
    ['a segment every function has', 'electrum/demo.item.call.json', renamed('demo.item.call'), /demo\.item\.call\.json: \/method: "call" cannot be a wrapper's name/],
    ['a segment await looks up', 'electrum/demo.then.json', renamed('demo.then'), /demo\.then\.json: \/method: "then" cannot be a wrapper's name/],
  );

  it.each(cases)('%s', async (_name, file, edit, wanted) => {
    const { files, errors } = await generate(brokenSpec(file, edit));
    expect(files.size).toBe(0);
    expect(errors.join('\n')).toMatch(wanted);
  });

  it('exits non-zero and writes nothing from the command line', () => {
    const spec = brokenSpec(GET, (d) => delete d['summary']);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stratum-out-'));
    temps.push(out);
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'codegen', 'generate.mjs'), '--spec', spec, '--out', out], { stdio: 'pipe' });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = err.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/nothing was written/);
    expect(stderr).toMatch(/demo\.item\.get\.json: \/: missing required property "summary"/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('output', { timeout: 60_000 }, () => {
  // The first test to ask runs the generator on the real spec: seconds on a loaded machine.
  // One full run of the real spec, shared: each takes a good fraction of a second.
  let real: ReturnType<typeof generate> | undefined;
  const generateReal = () => (real ??= generate(SPEC_DIR));

  it('is deterministic: two runs give byte-identical files', async () => {
    const a = await generateReal();
    const b = await generate(SPEC_DIR);
    expect(a.errors).toEqual([]);
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [name, text] of a.files) expect(b.files.get(name), name).toBe(text);
    expect([...a.docs.keys()]).toEqual([...b.docs.keys()]);
    for (const [name, text] of a.docs) expect(b.docs.get(name), name).toBe(text);
  });

  it('matches what is committed in src/generated', async () => {
    const { files } = await generateReal();
    for (const [name, text] of files) {
      expect(fs.readFileSync(path.join(ROOT, 'src', 'generated', name), 'utf8'), name).toBe(text);
    }
  });

  it('writes an OpenRPC document and a reference page per protocol, as committed in docs/', async () => {
    const { docs } = await generateReal();
    expect([...docs.keys()].sort()).toEqual(['openrpc/electrum.openrpc.json', 'openrpc/mining.openrpc.json', 'reference/electrum.md', 'reference/mining.md']);
    for (const [name, text] of docs) expect(fs.readFileSync(path.join(ROOT, 'docs', name), 'utf8'), name).toBe(text);
  });

  it('imports the runtime from where it is told', async () => {
    const { files } = await generate(FIXTURE, { runtimeImport: '../../../somewhere/runtime' });
    expect(files.get('electrum/methods.ts')).toContain("from '../../../somewhere/runtime/registry.js'");
    expect(files.get('electrum/client-api.ts')).toContain("from '../../../somewhere/runtime/bind.js'");
    expect([...files.values()].join('\n')).not.toContain("'../../runtime/");
  });

  it('opens every file with the do-not-edit banner', async () => {
    const { files } = await generateReal();
    for (const [name, text] of files) expect(text.startsWith('// This file is generated by codegen/generate.mjs'), name).toBe(true);
  });

  it('has validators that need no ajv at run time', async () => {
    const { files } = await generateReal();
    let checked = 0;
    for (const [name, text] of files) {
      if (!name.includes('/validators/')) continue;
      checked++;
      expect(text, name).not.toMatch(/require\(|from ['"]ajv/);
      // What a method's module imports: the shared pattern engine, and the runtime's types.
      for (const [, from] of text.matchAll(/^import .* from '([^']+)';$/gm)) expect(from, name).toMatch(/^\.\/(shared|[a-z_.]+)\.js$|\/runtime\/validation\.js$/);
    }
    // One module a method, the shared engine and the index, for each protocol.
    expect(checked).toBeGreaterThan(60);
  });

  it('renders the fixture spec to the committed snapshots', async () => {
    const { files, docs, errors } = await generate(FIXTURE);
    expect(errors).toEqual([]);
    for (const [name, text] of files) {
      await expect(text).toMatchFileSnapshot(path.join(ROOT, 'test', 'codegen', '__snapshots__', 'mini-spec', `${name}.snap`));
    }
    for (const [name, text] of docs) {
      await expect(text).toMatchFileSnapshot(path.join(ROOT, 'test', 'codegen', '__snapshots__', 'mini-spec', 'docs', `${name}.snap`));
    }
  });
});

describe('the generated code type-checks', () => {
  it('compiles the mini-spec output, with the runtime it imports, under the strictest settings the package uses', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratum-tsc-'));
    temps.push(dir);
    const out = path.join(dir, 'generated');
    // Imported as src/generated imports it, by a relative path from <out>/<protocol>/.
    const runtimeImport = path.relative(path.join(out, 'electrum'), path.join(ROOT, 'src', 'runtime')).split(path.sep).join('/');
    const { files, errors } = await generate(FIXTURE, { runtimeImport });
    expect(errors).toEqual([]);
    for (const [name, text] of files) {
      fs.mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
      fs.writeFileSync(path.join(out, name), text);
    }
    // ES modules, as in the package; no Node types, as in the platform-free build.
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    // A use of every emitted map, so a type that names nothing real fails here and not in a user's build.
    fs.writeFileSync(
      path.join(dir, 'use.ts'),
      [
        "import { electrumProtocol, electrumMethods } from './generated/electrum/methods.js';",
        "import { bindElectrumClientApi } from './generated/electrum/client-api.js';",
        "import type { ElectrumServerHandlers } from './generated/electrum/server-api.js';",
        "import type { ElectrumMethods, ElectrumServerNotifications } from './generated/electrum/types.js';",
        "import { miningProtocol } from './generated/mining/methods.js';",
        "import type { MiningClientHandlers } from './generated/mining/server-api.js';",
        "const key: number | undefined = electrumMethods['demo.watch'].subscriptionKey;",
        "const ends: string | undefined = electrumMethods['demo.unwatch'].ends;",
        "const reply: 'always' | 'repeated' | undefined = miningProtocol.methods['demo.ask'].optionalReply?.when;",
        "const api = bindElectrumClientApi(async () => null);",
        "const watched: Promise<ElectrumMethods['demo.watch']['result']> = api.demo.watch('00');",
        "const handlers: ElectrumServerHandlers = { 'demo.unwatch': ([scripthash]) => scripthash.length > 0 };",
        "const answers: MiningClientHandlers = { 'demo.ask': () => 'x/1' };",
        "const event: ElectrumServerNotifications['demo.watch'] = ['00', null];",
        // The maps by version: what a client of 1.2 to 1.4 is typed with.
        "import type { ElectrumClientApiIn } from './generated/electrum/client-api.js';",
        "import type { ElectrumRequestsIn, ElectrumServerNotificationsIn, ElectrumVersionsIn } from './generated/electrum/types.js';",
        "type Old = ElectrumVersionsIn<readonly ['1.2', '1.4']>;",
        "declare const old: ElectrumClientApiIn<Old>;",
        "const detailed: Promise<{ txid: string }> = old.demo.item.get('00', true);",
        "const requests: (keyof ElectrumRequestsIn<'1.2'>)[] = ['demo.item.get'];",
        "const heard: ElectrumServerNotificationsIn<'1.4'>['demo.watch'] = ['00', 'ab'];",
        "import type { ElectrumServerHandlersIn } from './generated/electrum/server-api.js';",
        "const served: ElectrumServerHandlersIn<undefined, '1.4'> = { 'demo.watch': () => null };",
        'export const used = [key, ends, reply, watched, handlers, answers, event, detailed, requests, heard, served, electrumProtocol.names];',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: [],
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          verbatimModuleSyntax: true,
          isolatedModules: true,
          noImplicitOverride: true,
          skipLibCheck: true,
          noEmit: true,
        },
        files: ['use.ts', ...[...files.keys()].map((name) => `generated/${name}`)],
      }),
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    let status = 0;
    try {
      execFileSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { stdio: 'pipe' });
    } catch (e) {
      const err = e as { status: number; stdout: Buffer; stderr: Buffer };
      status = err.status;
      output = `${err.stdout.toString()}${err.stderr.toString()}`;
    }
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 60_000);
});

describe('the command line', () => {
  const run = (...args: string[]) => {
    try {
      return { status: 0, out: execFileSync(process.execPath, [path.join(ROOT, 'codegen', 'generate.mjs'), '--spec', FIXTURE, ...args], { stdio: 'pipe' }).toString(), err: '' };
    } catch (e) {
      const err = e as { status: number; stdout: Buffer; stderr: Buffer };
      return { status: err.status, out: err.stdout.toString(), err: err.stderr.toString() };
    }
  };

  it('writes code and docs to their own folders; --check finds drift in the docs and leaves other docs alone', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'stratum-out-'));
    const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'stratum-docs-'));
    temps.push(out, docs);
    expect(run('--out', out, '--docs', docs).status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['definitions.ts', 'electrum', 'mining']);
    expect(fs.readdirSync(path.join(docs, 'reference')).sort()).toEqual(['electrum.md', 'mining.md']);
    expect(fs.readdirSync(path.join(docs, 'openrpc')).sort()).toEqual(['electrum.openrpc.json', 'mining.openrpc.json']);

    fs.appendFileSync(path.join(docs, 'reference', 'electrum.md'), 'hand edit\n');
    fs.rmSync(path.join(docs, 'openrpc', 'mining.openrpc.json'));
    fs.writeFileSync(path.join(docs, 'reference', 'old.md'), 'from a method that is gone\n');
    fs.writeFileSync(path.join(docs, 'guide.md'), 'hand-written, not generated\n');
    const check = run('--out', out, '--docs', docs, '--check');
    expect(check.status).toBe(1);
    expect(check.out).toMatch(/is up to date \(23 files\)/);
    expect(check.err).toMatch(/changed reference\/electrum\.md/);
    expect(check.err).toMatch(/missing openrpc\/mining\.openrpc\.json/);
    expect(check.err).toMatch(/stale reference\/old\.md/);
    expect(check.err).not.toMatch(/guide\.md/);
    // --no-docs leaves the docs out of both writing and checking, as does another --out without --docs.
    expect(run('--out', out, '--no-docs', '--check').status).toBe(0);
    expect(run('--out', out, '--check').status).toBe(0);

    expect(run('--out', out, '--docs', docs).status).toBe(0);
    expect(fs.existsSync(path.join(docs, 'reference', 'old.md'))).toBe(false);
    expect(fs.readFileSync(path.join(docs, 'guide.md'), 'utf8')).toBe('hand-written, not generated\n');
    expect(run('--out', out, '--docs', docs, '--check').status).toBe(0);
    // Six runs of the generator, each its own process: more than the default 5 s on a busy machine.
  }, 30_000);
});
