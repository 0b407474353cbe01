// The spec diff. Every rule of codegen/diff/README.md has a fixture (test/fixtures/spec-diff/rules/<rule>.json)
// holding the change in a message sent client-to-server and in one sent server-to-client, for Electrum and
// Stratum V1, and each must be judged as the rule says for the sender's and the receiver's code; for the
// Params and Values rules, the verdicts are checked against what the SDK's validators (and a strict copy
// of them) actually do with the messages old and new senders send. Pairs of realistic fixture specs
// (test/fixtures/spec-diff/<case>/{old,new}) must give exactly the changes listed, each classified for
// clients and servers; the command line prints, exits by --fail-on and refuses bad input with status 2;
// and it reads this repository's own history through git.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addDefinitions, methodSchemas, newAjv } from '../../codegen/schemas.mjs';
import {
  diffSpecs,
  fails,
  formatReport,
  loadSpecSource,
  main,
  RULES,
  rulesTable,
  SpecSourceError,
  type Change,
  type LoadedSpec,
  type Rule,
  type SpecDiffReport,
  type Verdict,
} from '../../codegen/spec-diff.mjs';
import { ROOT } from '../helpers/spec-files.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'spec-diff');
const CLI = path.join(ROOT, 'codegen', 'spec-diff.mjs');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

const diffCase = (name: string) => diffSpecs(loadSpecSource(path.join(FIXTURES, name, 'old')), loadSpecSource(path.join(FIXTURES, name, 'new')));

/**
 * [method, where (with the path inside the schema), kind, verdicts]: "C" and "S" breaking for clients and
 * servers, "c" and "s" strict for them (fails only against a receiver that refuses what the spec leaves
 * open), "-" for neither.
 */
type Row = [string, string, string, string];
const letters = (v: Change['verdict']) => `${{ breaking: 'C', strict: 'c', ok: '' }[v.client]}${{ breaking: 'S', strict: 's', ok: '' }[v.server]}` || '-';
const rows = (report: SpecDiffReport): Row[] =>
  report.methods.flatMap((m) => m.changes.map((c): Row => [m.method, c.where + (c.path ? ` ${c.path}` : ''), c.kind, letters(c.verdict)]));

const CASES: Record<string, Row[]> = {
  'no-change': [],
  // A standard method at a version servers already speak obliges them; one only at a version the old
  // spec did not name, or a non-standard one, does not; a whole new protocol obliges no one.
  'method-added': [
    ['demo.balance.get', 'method', 'method-added', 'S'],
    ['demo.extra', 'method', 'method-added', '-'],
    ['demo.tip', 'method', 'method-added', '-'],
    ['demo.job', 'method', 'method-added', '-'],
  ],
  // The sender of a removed message breaks: clients for a client request, servers for a server request.
  'method-removed': [
    ['demo.watch', 'method', 'method-removed', 'C'],
    ['demo.ask', 'method', 'method-removed', 'S'],
  ],
  'method-deprecated': [['demo.balance.get', 'method', 'deprecated', '-']],
  // A gate that shrinks breaks callers; one that grows onto a known version obliges servers.
  'version-gates': [
    ['demo.balance.get', 'method', 'versions-moved', 'C'],
    ['demo.item.get', 'method', 'versions-moved', 'C'],
    ['demo.watch', 'method', 'versions-moved', 'S'],
  ],
  // Required: the sender must now send it, and a receiver written for the old spec refuses the longer
  // list (arity is checked): both sides, for a client request and for a mining notification alike.
  'param-added-required': [
    ['demo.watch', 'params[1] mode', 'param-added', 'CS'],
    ['demo.job', 'params[3] height', 'param-added', 'CS'],
  ],
  // Optional: the receiver must now take it, unless only a new version has it.
  'param-added-optional': [
    ['demo.balance.get', 'params[2] mempool', 'param-added', '-'],
    ['demo.item.get', 'params[3] format', 'param-added', 'S'],
  ],
  'param-removed': [
    ['demo.item.get', 'params[2] extra', 'param-removed', 'C'],
    ['demo.job', 'params[2] clean', 'param-removed', 'CS'],
  ],
  'param-retyped': [
    ['demo.item.get', 'params[0] tx_hash', 'made-nullable', 'S'],
    ['demo.item.get', 'params[2] extra', 'retyped', 'CS'],
    ['demo.watch', 'params[0] scripthash', 'constraint-changed', 'CS'],
  ],
  'param-reordered': [
    ['demo.job', 'params[1] clean', 'param-reordered', 'CS'],
    ['demo.job', 'params[2] bits', 'param-reordered', 'CS'],
  ],
  // Results flow from the server: more possible values break clients, fewer oblige servers. The result is
  // an open object: a field a client written for the old spec does not know is ignored by the SDK, and
  // refused only by a strict client (c); a field the old server does not send breaks new clients (S).
  'result-fields': [
    ['demo.balance.get', 'result .confirmed', 'retyped', 'CS'],
    ['demo.balance.get', 'result .state', 'made-nullable', 'C'],
    ['demo.balance.get', 'result .unconfirmed', 'field-removed', 'Cs'],
    ['demo.balance.get', 'result .height', 'field-added', 'cS'],
    ['demo.balance.get', 'result .note', 'field-added', 'c'],
  ],
  // demo.ask is a server request: the client produces its result, so narrowing it breaks clients.
  enums: [
    ['demo.balance.get', 'params[1] kind', 'enum-narrowed', 'C'],
    ['demo.balance.get', 'result .state', 'enum-widened', 'C'],
    ['demo.ask', 'result', 'enum-narrowed', 'C'],
  ],
  // A notification's params are a closed list: a new required one breaks the servers that do not send it
  // and the clients that refuse four params.
  'notification-changed': [
    ['demo.watch', 'notification params[2] height', 'param-added', 'CS'],
    ['demo.watch', 'notification params[1] status', 'constraint-relaxed', 'C'],
    ['demo.watch', 'notification params[1] status', 'made-non-nullable', 'S'],
  ],
  // Compared per version, not per variant name: only where the shape really differs is reported.
  'result-version-variants': [
    ['demo.balance.get', 'result', 'result-variants-changed', '-'],
    ['demo.balance.get', 'result (protocol 1.8+)', 'retyped', 'CS'],
    ['demo.balance.get', 'method', 'documentation-changed', '-'],
    ['demo.item.get', 'result (verbose = true, protocol 1.4 to before 1.5) .height', 'field-removed', 'Cs'],
    ['demo.item.get', 'result (verbose = true, protocol 1.4 to before 1.5) .inputs', 'field-removed', 's'],
  ],
  // $refs are resolved: an inline copy of a definition equals the reference, and a changed definition
  // changes every method that uses it.
  definitions: [
    ['demo.item.get', 'result (verbose = true, protocol 1.4 to before 1.7) .height', 'constraint-tightened', 'S'],
    ['demo.watch', 'result', 'made-non-nullable', 'S'],
    ['demo.watch', 'notification params[1] status', 'made-non-nullable', 'S'],
  ],
  misc: [
    ['demo.item.get', 'params[1] verbose', 'param-default-changed', 'CS'],
    ['demo.item.get', 'params', 'additional-params-changed', 'S'],
    ['demo.item.get', 'errors', 'errors-changed', 'c'],
    ['demo.watch', 'method', 'status-changed', '-'],
    ['demo.ask', 'method', 'direction-changed', 'CS'],
  ],
};

describe('fixture pairs', () => {
  it('cover every case folder', () => {
    expect(fs.readdirSync(FIXTURES).filter((n) => n !== 'rules').sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.entries(CASES))('%s', (name, wanted) => {
    const report = diffCase(name);
    expect(rows(report)).toEqual(wanted);
    const s = report.summary;
    expect(s.changes).toBe(wanted.length);
    expect(s.breakingForClients).toBe(wanted.filter((r) => r[3].includes('C')).length);
    expect(s.breakingForServers).toBe(wanted.filter((r) => r[3].includes('S')).length);
    expect(s.strictForClients).toBe(wanted.filter((r) => r[3].includes('c')).length);
    expect(s.strictForServers).toBe(wanted.filter((r) => r[3].includes('s')).length);
    expect(s.nonBreaking).toBe(wanted.filter((r) => !/[CS]/.test(r[3])).length);
    expect(s.release).toBe(wanted.some((r) => /[CS]/.test(r[3])) ? 'major' : wanted.length ? 'minor' : 'none');
    // The yes/no view of earlier reports is the verdict "breaking".
    for (const c of report.methods.flatMap((m) => m.changes)) {
      expect(c.breaking).toEqual({ client: c.verdict.client === 'breaking', server: c.verdict.server === 'breaking' });
    }
  });

  it('is symmetric where it should be: reversing a diff swaps added and removed', () => {
    const back = diffSpecs(loadSpecSource(path.join(FIXTURES, 'method-removed', 'new')), loadSpecSource(path.join(FIXTURES, 'method-removed', 'old')));
    expect(back.methods.map((m) => [m.method, m.status])).toEqual([
      ['demo.watch', 'added'],
      ['demo.ask', 'added'],
    ]);
  });

  it('prints a readable report', () => {
    const text = formatReport(diffCase('result-fields'));
    expect(text).toMatch(/^Spec diff: .*old -> .*new$/m);
    expect(text).toMatch(/^Changes: 5 \(3 breaking for clients, 2 breaking for servers, 1 not breaking; 1 of them only for strict receivers\)$/m);
    expect(text).toMatch(/^Release: major \(a change breaks clients or servers written for the old spec\)$/m);
    expect(text).toMatch(/^ {2}~ demo\.balance\.get$/m);
    expect(text).toMatch(/^ {6}BREAKING servers, strict clients +result height: field "height" added \(required\)$/m);
    expect(text).toMatch(/^ {6}strict clients +result note: field "note" added \(optional\)$/m);
    expect(formatReport(diffCase('no-change'))).toMatch(/No method changed\./);
    expect(formatReport(diffCase('method-deprecated'))).toMatch(/^ {6}ok +deprecated in protocol 1\.4$/m);
  });

  it('tells which --fail-on conditions a report meets', () => {
    const serverOnly = diffCase('param-added-optional');
    expect(fails(serverOnly, 'breaking')).toBe(true);
    expect(fails(serverOnly, 'server-breaking')).toBe(true);
    expect(fails(serverOnly, 'client-breaking')).toBe(false);
    expect(fails(serverOnly, 'major')).toBe(true);
    expect(fails(diffCase('method-deprecated'), 'breaking')).toBe(false);
    expect(fails(diffCase('method-deprecated'), 'any')).toBe(true);
    expect(fails(diffCase('method-deprecated'), 'major')).toBe(false);
    expect(fails(diffCase('method-deprecated'), 'minor')).toBe(true);
    expect(fails(diffCase('method-deprecated'), 'strict')).toBe(false);
    expect(fails(diffCase('no-change'), 'any')).toBe(false);
    expect(fails(diffCase('no-change'), 'patch')).toBe(false);
    const strictOnly = ruleDiff('field-added-optional-open');
    expect([fails(strictOnly, 'breaking'), fails(strictOnly, 'strict'), fails(strictOnly, 'major'), fails(strictOnly, 'minor')]).toEqual([false, true, false, true]);
    const words = ruleDiff('documentation-changed');
    expect(words.summary.release).toBe('patch');
    expect([fails(words, 'minor'), fails(words, 'patch'), fails(words, 'any')]).toEqual([false, true, true]);
  });
});

// The rules: each rule's fixture holds the change, per protocol, in a message sent client-to-server and in
// one sent server-to-client (method demo.up and demo.down), beside an unchanged demo.base.
interface RuleCase {
  old: Record<string, unknown> | null;
  new: Record<string, unknown> | null;
  /** Which message of the method holds the change, and what old and new senders send in it. */
  message?: 'params' | 'result' | 'notification';
  samples?: { old: unknown[]; new: unknown[] } | null;
}
type Direction = 'client-to-server' | 'server-to-client';
interface RuleFixture {
  rule: string;
  note: string;
  definitions?: { old: Record<string, unknown>; new: Record<string, unknown> };
  electrum?: Record<Direction, RuleCase>;
  mining?: Record<Direction, RuleCase>;
}
const RULE_FIXTURES = path.join(FIXTURES, 'rules');
const PROTOCOLS = ['electrum', 'mining'] as const;
const DIRECTIONS: Direction[] = ['client-to-server', 'server-to-client'];
const readRule = (id: string) => JSON.parse(fs.readFileSync(path.join(RULE_FIXTURES, `${id}.json`), 'utf8')) as RuleFixture;

// Electrum's base method names 1.4 and 1.6, the versions old peers speak in these fixtures.
const base = (protocol: string) => ({
  method: 'demo.base',
  protocol,
  kind: 'request',
  direction: 'client-to-server',
  status: 'standard',
  ...(protocol === 'electrum' ? { versions: { since: '1.4', deprecated: '1.6' } } : {}),
  params: [],
  result: { description: 'Yes.', schema: { type: 'boolean' } },
});
const BASE_DEFINITIONS = { hex: { title: 'Hex', type: 'string', pattern: '^(?:[0-9a-fA-F]{2})*$' } };

function ruleSpec(f: RuleFixture, side: 'old' | 'new'): LoadedSpec & { definitions: { $defs: Record<string, unknown> } } {
  const methods: Record<string, Map<string, unknown>> = {};
  for (const p of PROTOCOLS) {
    methods[p] = new Map([['demo.base', base(p)]]);
    for (const d of DIRECTIONS) {
      const doc = f[p]?.[d]?.[side];
      if (doc) methods[p]!.set(doc['method'] as string, doc);
    }
  }
  return { label: `${f.rule} (${side})`, definitions: { $defs: { ...BASE_DEFINITIONS, ...f.definitions?.[side] } }, methods };
}
const ruleDiff = (id: string) => {
  const f = readRule(id);
  return diffSpecs(ruleSpec(f, 'old'), ruleSpec(f, 'new'));
};

/** The sides of a message: who sends it and who receives it. */
const sidesOf = (d: Direction) => (d === 'client-to-server' ? ({ sender: 'client', receiver: 'server' } as const) : ({ sender: 'server', receiver: 'client' } as const));

describe('the rules (codegen/diff/README.md)', () => {
  it('are the table in codegen/diff/README.md', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'codegen', 'diff', 'README.md'), 'utf8');
    const table = /<!-- rules:start -->\n([\s\S]*?)\n<!-- rules:end -->/.exec(readme)?.[1];
    expect(table).toBe(rulesTable());
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it('each have one fixture, and each fixture a rule', () => {
    const files = fs.readdirSync(RULE_FIXTURES).map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(RULES.filter((r) => r.id !== 'definition-listed').map((r) => [r.id, r] as const))(
    '%s: judged for the sender and the receiver, both ways, in Electrum and Stratum V1',
    (id, rule: Rule) => {
      const f = readRule(id);
      expect(f.rule).toBe(id);
      const report = diffSpecs(ruleSpec(f, 'old'), ruleSpec(f, 'new'));
      expect(report.methods.some((m) => m.method === 'demo.base')).toBe(false);
      const protocols: readonly (typeof PROTOCOLS)[number][] = rule.electrumOnly ? ['electrum'] : PROTOCOLS;
      expect(PROTOCOLS.filter((p) => f[p]), 'protocols with a fixture').toEqual(protocols);
      for (const p of protocols) {
        for (const d of DIRECTIONS) {
          const c = f[p]![d];
          const name = (c.new ?? c.old)!['method'] as string;
          const found = report.methods.find((m) => m.protocol === p && m.method === name);
          const at = `${p} ${d} ${name}`;
          expect(found, at).toBeDefined();
          const { sender, receiver } = sidesOf(d);
          for (const change of found!.changes) {
            expect(change.rule, `${at}: ${change.message}`).toBe(id);
            expect(rule.kinds, at).toContain(change.kind);
            // A method now sent both ways is judged as both sides' (each is sender and receiver); a rule that
            // judges both alike may be met in another message of the method (the result a kind change drops).
            if (change.flow === 'both' || rule.sender === rule.receiver) expect(change.verdict, at).toEqual({ client: worst(rule), server: worst(rule) });
            else {
              expect(change.flow, at).toBe(d);
              expect({ [sender]: change.verdict[sender], [receiver]: change.verdict[receiver] }, `${at}: ${change.message}`).toEqual({ [sender]: rule.sender, [receiver]: rule.receiver });
            }
            expect(change.release).toBe(change.verdict.client === 'breaking' || change.verdict.server === 'breaking' ? 'major' : (rule.release ?? 'minor'));
          }
        }
      }
      expect(report.definitions.filter((x) => x.status !== 'changed' || x.changes.some((c) => c.rule !== 'documentation-changed'))).toEqual([]);
    },
  );

  it('definition-listed: a shared definition added or removed is listed, and needs only a patch release', () => {
    const report = ruleDiff('definition-listed');
    expect(report.methods).toEqual([]);
    expect(report.definitions.map((d) => [d.name, d.status, d.changes.map((c) => [c.rule, c.release])])).toEqual([
      ['fresh', 'added', [['definition-listed', 'patch']]],
      ['gone', 'removed', [['definition-listed', 'patch']]],
    ]);
    expect(report.summary).toMatchObject({ changes: 2, definitionsChanged: 2, release: 'patch' });
  });

  it('a definition reworded is listed once, as documentation', () => {
    const f = readRule('documentation-changed');
    const old = ruleSpec(f, 'old');
    const reworded = ruleSpec(f, 'new');
    reworded.definitions.$defs['hex'] = { ...(BASE_DEFINITIONS.hex as object), description: 'Bytes as hex.' };
    const report = diffSpecs(old, reworded);
    expect(report.definitions).toEqual([{ name: 'hex', status: 'changed', changes: [expect.objectContaining({ kind: 'documentation-changed', rule: 'documentation-changed', release: 'patch' })] }]);
  });
});

const SEVERITY: Record<Verdict, number> = { ok: 0, strict: 1, breaking: 2 };
const worst = (rule: Rule): Verdict => (SEVERITY[rule.sender] >= SEVERITY[rule.receiver] ? rule.sender : rule.receiver);

/**
 * What the SDK does with a message: the validators the generator compiles (codegen/schemas.mjs: the same
 * schemas, definitions inlined, and the same ajv settings as src/generated/), built from one fixture spec.
 * The strict copy closes every object and every params list, as a receiver that refuses what the spec
 * leaves open would.
 */
function sdkValidators(spec: ReturnType<typeof ruleSpec>, method: Record<string, unknown>, message: 'params' | 'result' | 'notification') {
  const role = message;
  const schema = methodSchemas(method, spec.definitions).find((s) => s.role === role)!.schema;
  const compile = (s: unknown) => {
    const ajv = newAjv();
    addDefinitions(ajv, spec.definitions);
    return ajv.compile(s as object);
  };
  const sdk = compile(schema);
  const strict = compile(closed(schema));
  return { sdk: (v: unknown) => sdk(v), strict: (v: unknown) => strict(v) };
}

/** A schema that refuses anything it does not declare: objects closed, params lists no longer than declared. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' || k === 'required' ? v : closed(v);
  const types = ([] as unknown[]).concat(out['type'] ?? []);
  if (types.includes('object') && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  if (types.includes('array') && Array.isArray(out['items']) && out['maxItems'] === undefined) out['maxItems'] = (out['items'] as unknown[]).length;
  return out;
}

describe("the rules against the SDK's own validators", () => {
  const withSamples = RULES.flatMap((rule) => {
    const f = readRule(rule.id);
    return PROTOCOLS.flatMap((p) => DIRECTIONS.filter((d) => f[p]?.[d]?.samples).map((d) => [`${rule.id}: ${p} ${d}`, rule, f, p, d] as const));
  });

  it('cover every Params and Values rule but the default change (a meaning, which no validator sees)', () => {
    const covered = new Set(withSamples.map(([, rule]) => rule.id));
    const wanted = RULES.filter((r) => (r.group === 'Params' || r.group === 'Values') && r.id !== 'param-default-changed' && r.id !== 'result-shapes-renamed');
    expect(wanted.filter((r) => !covered.has(r.id)).map((r) => r.id)).toEqual([]);
    expect(wanted.length).toBeGreaterThan(25);
  });

  it.each(withSamples)('%s', (_name, rule, f, p, d) => {
    const c = f[p]![d];
    const [oldSpec, newSpec] = [ruleSpec(f, 'old'), ruleSpec(f, 'new')];
    const oldSide = sdkValidators(oldSpec, c.old!, c.message!);
    const newSide = sdkValidators(newSpec, c.new!, c.message!);
    const samples = c.samples!;
    // Each sender's messages are valid for its own spec.
    for (const v of samples.old) expect(oldSide.sdk(v), `old sample ${JSON.stringify(v)}`).toBe(true);
    for (const v of samples.new) expect(newSide.sdk(v), `new sample ${JSON.stringify(v)}`).toBe(true);
    // An old sender's messages at a new receiver; a new sender's at an old receiver.
    const outcome = (sent: unknown[], at: typeof oldSide): Verdict =>
      sent.some((v) => !at.sdk(v)) ? 'breaking' : sent.some((v) => !at.strict(v)) ? 'strict' : 'ok';
    expect({ sender: outcome(samples.old, newSide), receiver: outcome(samples.new, oldSide) }).toEqual({ sender: rule.sender, receiver: rule.receiver });
  });
});

describe('reading specs', () => {
  const copy = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-diff-'));
    temps.push(dir);
    fs.cpSync(path.join(FIXTURES, 'no-change', 'old'), dir, { recursive: true });
    return dir;
  };

  it('refuses a folder that is not a spec, invalid JSON and an unknown revision', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-diff-'));
    temps.push(empty);
    expect(() => loadSpecSource(empty)).toThrow(/not a spec folder \(no definitions\.json\)/);
    const broken = copy();
    fs.writeFileSync(path.join(broken, 'electrum', 'demo.item.get.json'), '{ "method": ');
    expect(() => loadSpecSource(broken)).toThrow(SpecSourceError);
    expect(() => loadSpecSource(broken)).toThrow(/electrum\/demo\.item\.get\.json: invalid JSON/);
    expect(() => loadSpecSource('no-such-revision-or-folder', { cwd: ROOT })).toThrow(/neither a folder nor a git revision/);
  });
});

describe('the command line', () => {
  const run = (...args: string[]) => {
    try {
      return { status: 0, out: execFileSync(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: 'pipe' }).toString(), err: '' };
    } catch (e) {
      const err = e as { status: number; stdout: Buffer; stderr: Buffer };
      return { status: err.status, out: err.stdout.toString(), err: err.stderr.toString() };
    }
  };
  const pair = (name: string) => [path.join(FIXTURES, name, 'old'), path.join(FIXTURES, name, 'new')];

  it('prints the report, or JSON with --json', () => {
    const text = run(...pair('param-removed'));
    expect(text.status).toBe(0);
    expect(text.out).toMatch(/BREAKING clients\+servers +params\[2\] clean: removed \(was required\)/);
    expect(text.out).toMatch(/^Release: major/m);
    const json = run(...pair('param-removed'), '--json');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.out) as SpecDiffReport;
    expect(report.summary).toMatchObject({ methodsChanged: 2, breakingForClients: 2, breakingForServers: 1, release: 'major' });
    // Fields earlier reports had keep their meaning; the verdicts, rule, flow and release are added.
    expect(report.methods[0]!.changes[0]).toMatchObject({
      section: 'params',
      where: 'params[2] extra',
      kind: 'param-removed',
      breaking: { client: true, server: false },
      verdict: { client: 'breaking', server: 'ok' },
      rule: 'param-removed-optional',
      flow: 'client-to-server',
      release: 'major',
    });
  });

  it('exits 1 with --fail-on when the report has such a change, 0 otherwise', () => {
    expect(run(...pair('param-added-optional'), '--fail-on', 'breaking').status).toBe(1);
    expect(run(...pair('param-added-optional'), '--fail-on', 'server-breaking').status).toBe(1);
    expect(run(...pair('param-added-optional'), '--fail-on', 'client-breaking').status).toBe(0);
    expect(run(...pair('param-added-optional'), '--fail-on', 'major').status).toBe(1);
    expect(run(...pair('method-deprecated'), '--fail-on', 'breaking').status).toBe(0);
    expect(run(...pair('method-deprecated'), '--fail-on', 'major').status).toBe(0);
    expect(run(...pair('method-deprecated'), '--fail-on', 'minor').status).toBe(1);
    expect(run(...pair('no-change'), '--fail-on', 'any').status).toBe(0);
    expect(run(...pair('no-change'), '--fail-on', 'patch').status).toBe(0);
  });

  it('exits 2 with a message for bad arguments and unreadable specs', () => {
    const cases: [string[], RegExp][] = [
      [[], /expected two specs to compare, got 0/],
      [[pair('no-change')[0]!], /expected two specs to compare, got 1/],
      [[...pair('no-change'), '--fail-on', 'sometimes'], /--fail-on must be one of breaking, client-breaking, server-breaking, strict, any, major, minor, patch/],
      [[...pair('no-change'), '--colour'], /unknown option --colour/],
      [[pair('no-change')[0]!, 'no-such-revision-or-folder'], /no-such-revision-or-folder: neither a folder nor a git revision/],
      [[pair('no-change')[0]!, path.join(FIXTURES, 'no-change', 'old', 'definitions.json')], /not a folder/],
    ];
    for (const [args, wanted] of cases) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(wanted);
    }
    expect(run('--help').out).toMatch(/^usage: node codegen\/spec-diff\.mjs <old> <new>/);
  });

  it('runs in-process with the same statuses', () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, cwd: ROOT };
    expect(main([...pair('enums'), '--fail-on', 'client-breaking'], io)).toBe(1);
    expect(out).toMatch(/enum widened: "frozen" added/);
    expect(main(['only-one'], io)).toBe(2);
  });
});

// This repository's own history, read through git: the report CI prints.
const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, stdio: 'pipe' }).toString().trim();
const hasGit = (() => {
  try {
    git('rev-parse', '--verify', 'HEAD');
    return true;
  } catch {
    return false;
  }
})();
const hasCommit = (sha: string) => {
  try {
    git('cat-file', '-e', `${sha}^{commit}`);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!hasGit)("this repository's history", () => {
  it('reports what changed from the first commit to HEAD', () => {
    const first = git('rev-list', '--max-parents=0', 'HEAD').split('\n')[0]!;
    const report = diffSpecs(loadSpecSource(first, { cwd: ROOT }), loadSpecSource('HEAD', { cwd: ROOT }));
    expect(report.old).toMatch(/^[0-9a-f]{7}/);
    expect(report.new).toMatch(/^HEAD \([0-9a-f]{7}\)$/);
    // The methods reported added and removed are exactly the method files that came and went.
    const methodsAt = (rev: string) =>
      new Set(git('ls-tree', '-r', '--name-only', rev, '--', 'spec/electrum/', 'spec/mining/').split('\n').filter(Boolean).map((f) => path.basename(f, '.json')));
    const before = methodsAt(first);
    const after = methodsAt('HEAD');
    const of = (status: string) => report.methods.filter((m) => m.status === status).map((m) => m.method).sort();
    expect(of('added')).toEqual([...after].filter((m) => !before.has(m)).sort());
    expect(of('removed')).toEqual([...before].filter((m) => !after.has(m)).sort());
    expect(report.summary.methodsAdded).toBeGreaterThan(0);
    expect(formatReport(report)).toMatch(/^Electrum: \d+ added/m);
  });

  it.skipIf(!hasCommit('4bea5c5') || !hasCommit('65e28da'))('reports the Electrum 1.7 additions of 65e28da as new methods that break no one', () => {
    const report = diffSpecs(loadSpecSource('4bea5c5', { cwd: ROOT }), loadSpecSource('65e28da', { cwd: ROOT }));
    expect(report.summary).toMatchObject({ methodsAdded: 21, methodsRemoved: 0, methodsChanged: 0, breakingForClients: 0, breakingForServers: 0, release: 'minor' });
    expect(report.methods.map((m) => m.method)).toContain('blockchain.outpoint.subscribe');
    expect(report.methods.find((m) => m.method === 'blockchain.outpoint.subscribe')!.changes[0]!.message).toMatch(/experimental, protocol 1\.7\+/);
  });

  it('reads a revision and a folder alike: HEAD against the working tree', () => {
    let out = '';
    const status = main(['HEAD', 'spec', '--json'], { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, cwd: ROOT });
    expect(status).toBe(0);
    const report = JSON.parse(out) as SpecDiffReport;
    expect([report.old, report.new]).toEqual([expect.stringMatching(/^HEAD \(/), 'spec']);
  });
});

describe('facts about a session', () => {
  // Two in-memory specs that differ only in one method file's facts.
  const spec = (label: string, doc: Record<string, unknown>) => ({
    label,
    definitions: { $defs: {} },
    methods: { electrum: new Map([[doc['method'] as string, doc]]), mining: new Map() },
  });
  const base = {
    method: 'demo.watch',
    protocol: 'electrum',
    kind: 'subscription',
    direction: 'client-to-server',
    status: 'standard',
    versions: { since: '1.4' },
    params: [{ name: 'scripthash', description: 'x', schema: { type: 'string' } }],
    result: { description: 'x', schema: { type: 'string' } },
    notification: { description: 'x', direction: 'server-to-client', params: [{ name: 'scripthash', description: 'x', schema: { type: 'string' } }, { name: 'status', description: 'x', schema: { type: 'string' } }] },
  };
  const diff = (a: Record<string, unknown>, b: Record<string, unknown>) => rows(diffSpecs(spec('old', { ...base, ...a }), spec('new', { ...base, ...b })));

  it('are reported when first recorded, and break no one', () => {
    expect(diff({}, { subscriptionKey: { params: 1 }, optionalReply: { when: 'always', reason: 'r', source: 's' } })).toEqual([
      ['demo.watch', 'subscriptionKey', 'session-facts-changed', '-'],
      ['demo.watch', 'optionalReply', 'session-facts-changed', '-'],
    ]);
    expect(diff({ subscriptionKey: { params: 1 } }, { subscriptionKey: { params: 1, inNotifications: 'as-sent' } })).toEqual([]);
  });

  it('break clients and servers when a subscription key changes', () => {
    expect(diff({ subscriptionKey: { params: 1 } }, { subscriptionKey: { params: 1, inNotifications: 'script-hash' } })).toEqual([['demo.watch', 'subscriptionKey', 'session-facts-changed', 'CS']]);
  });
});
