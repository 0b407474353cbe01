// The spec diff: pairs of fixture specs (test/fixtures/spec-diff/<case>/{old,new}), one kind of change
// each, must give exactly the changes listed, each classified for clients (C) and servers (S); the
// command line prints, exits by --fail-on and refuses bad input with status 2; and it reads this
// repository's own history through git.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffSpecs, fails, formatReport, loadSpecSource, main, SpecSourceError, type SpecDiffReport } from '../../codegen/spec-diff.mjs';
import { ROOT } from '../helpers/spec-files.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'spec-diff');
const CLI = path.join(ROOT, 'codegen', 'spec-diff.mjs');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

const diffCase = (name: string) => diffSpecs(loadSpecSource(path.join(FIXTURES, name, 'old')), loadSpecSource(path.join(FIXTURES, name, 'new')));

/** [method, where (with the path inside the schema), kind, who it breaks: "C", "S", "CS" or "-"] */
type Row = [string, string, string, string];
const rows = (report: SpecDiffReport): Row[] =>
  report.methods.flatMap((m) =>
    m.changes.map((c): Row => [m.method, c.where + (c.path ? ` ${c.path}` : ''), c.kind, `${c.breaking.client ? 'C' : ''}${c.breaking.server ? 'S' : ''}` || '-']),
  );

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
  // Required: the sender must now send it (the server, for a mining notification).
  'param-added-required': [
    ['demo.watch', 'params[1] mode', 'param-added', 'C'],
    ['demo.job', 'params[3] height', 'param-added', 'S'],
  ],
  // Optional: the receiver must now understand it, unless only a new version has it.
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
  // Results flow from the server: more possible values break clients, fewer oblige servers.
  'result-fields': [
    ['demo.balance.get', 'result .confirmed', 'retyped', 'CS'],
    ['demo.balance.get', 'result .state', 'made-nullable', 'C'],
    ['demo.balance.get', 'result .unconfirmed', 'field-removed', 'C'],
    ['demo.balance.get', 'result .height', 'field-added', 'S'],
    ['demo.balance.get', 'result .note', 'field-added', '-'],
  ],
  // demo.ask is a server request: the client produces its result, so narrowing it breaks clients.
  enums: [
    ['demo.balance.get', 'params[1] kind', 'enum-narrowed', 'C'],
    ['demo.balance.get', 'result .state', 'enum-widened', 'C'],
    ['demo.ask', 'result', 'enum-narrowed', 'C'],
  ],
  'notification-changed': [
    ['demo.watch', 'notification params[2] height', 'param-added', 'S'],
    ['demo.watch', 'notification params[1] status', 'constraint-relaxed', 'C'],
    ['demo.watch', 'notification params[1] status', 'made-non-nullable', 'S'],
  ],
  // Compared per version, not per variant name: only where the shape really differs is reported.
  'result-version-variants': [
    ['demo.balance.get', 'result', 'result-variants-changed', '-'],
    ['demo.balance.get', 'result (protocol 1.8+)', 'retyped', 'CS'],
    ['demo.item.get', 'result (verbose = true, protocol 1.4 to before 1.5) .height', 'field-removed', 'C'],
    ['demo.item.get', 'result (verbose = true, protocol 1.4 to before 1.5) .inputs', 'field-removed', 'C'],
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
    ['demo.item.get', 'errors', 'errors-changed', '-'],
    ['demo.watch', 'method', 'status-changed', '-'],
    ['demo.ask', 'method', 'direction-changed', 'CS'],
  ],
};

describe('fixture pairs', () => {
  it('cover every case folder', () => {
    expect(fs.readdirSync(FIXTURES).sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.entries(CASES))('%s', (name, wanted) => {
    const report = diffCase(name);
    expect(rows(report)).toEqual(wanted);
    const s = report.summary;
    expect(s.changes).toBe(wanted.length);
    expect(s.breakingForClients).toBe(wanted.filter((r) => r[3].includes('C')).length);
    expect(s.breakingForServers).toBe(wanted.filter((r) => r[3].includes('S')).length);
    expect(s.nonBreaking).toBe(wanted.filter((r) => r[3] === '-').length);
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
    expect(text).toMatch(/^Changes: 5 \(3 breaking for clients, 2 breaking for servers, 1 not breaking\)$/m);
    expect(text).toMatch(/^ {2}~ demo\.balance\.get$/m);
    expect(text).toMatch(/^ {6}BREAKING servers +result height: field "height" added \(required\)$/m);
    expect(text).toMatch(/^ {6}ok +result note: field "note" added \(optional\)$/m);
    expect(formatReport(diffCase('no-change'))).toMatch(/No method changed\./);
  });

  it('tells which --fail-on conditions a report meets', () => {
    const serverOnly = diffCase('param-added-optional');
    expect(fails(serverOnly, 'breaking')).toBe(true);
    expect(fails(serverOnly, 'server-breaking')).toBe(true);
    expect(fails(serverOnly, 'client-breaking')).toBe(false);
    expect(fails(diffCase('method-deprecated'), 'breaking')).toBe(false);
    expect(fails(diffCase('method-deprecated'), 'any')).toBe(true);
    expect(fails(diffCase('no-change'), 'any')).toBe(false);
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
    const json = run(...pair('param-removed'), '--json');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.out) as SpecDiffReport;
    expect(report.summary).toMatchObject({ methodsChanged: 2, breakingForClients: 2, breakingForServers: 1 });
  });

  it('exits 1 with --fail-on when the report has such a change, 0 otherwise', () => {
    expect(run(...pair('param-added-optional'), '--fail-on', 'breaking').status).toBe(1);
    expect(run(...pair('param-added-optional'), '--fail-on', 'server-breaking').status).toBe(1);
    expect(run(...pair('param-added-optional'), '--fail-on', 'client-breaking').status).toBe(0);
    expect(run(...pair('method-deprecated'), '--fail-on', 'breaking').status).toBe(0);
    expect(run(...pair('no-change'), '--fail-on', 'any').status).toBe(0);
  });

  it('exits 2 with a message for bad arguments and unreadable specs', () => {
    const cases: [string[], RegExp][] = [
      [[], /expected two specs to compare, got 0/],
      [[pair('no-change')[0]!], /expected two specs to compare, got 1/],
      [[...pair('no-change'), '--fail-on', 'sometimes'], /--fail-on must be one of breaking, client-breaking, server-breaking, any/],
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
    expect(report.summary).toMatchObject({ methodsAdded: 21, methodsRemoved: 0, methodsChanged: 0, breakingForClients: 0, breakingForServers: 0 });
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
