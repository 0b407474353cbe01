#!/usr/bin/env node
// npm run changelog: docs/changelog.md, the protocol changelog, from the spec's own history. One entry per
// commit that changed spec/ on the first-parent history of HEAD, newest first: the spec diff
// (codegen/diff/) against the spec before it, with what was added, changed and removed, the breaking
// changes marked and the release each needs. `--check` writes nothing and fails when the file is out of
// date; it is skipped, with a message saying why, where the history cannot be read whole (no git, not a
// repository, a shallow clone), so `npm test` passes in a shallow CI clone and checks everywhere else.
//
// The newest entry names no commit: the file is written before the commit that changes spec/ exists.
// Uncommitted changes to spec/ are that entry ("Latest revision"); once committed, the same commit is the
// newest and renders the same way, so the file generated before the commit is the one the check expects
// after it. Only older entries show their commit, date and subject. Tags are not used: one made later
// could not be reflected in the commit it points to.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOLS } from './load.mjs';
import { PROTOCOL_TITLES } from './names.mjs';
import { diffSpecs } from './diff/diff.mjs';
import { changeText, releaseText } from './diff/format.mjs';
import { loadSpecSource } from './diff/source.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CHANGELOG_FILE = 'docs/changelog.md';

/** The history cannot be read whole here; the reason says why. */
export class HistoryUnavailable extends Error {
  constructor(reason) {
    super(reason);
    this.name = 'HistoryUnavailable';
  }
}

const git = (args, cwd) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 }).toString();

/**
 * Whether the whole history of `cwd`'s repository can be read.
 * @returns {{ ok: true, root: string } | { ok: false, reason: string }}
 */
export function historyStatus(cwd = ROOT) {
  let root;
  try {
    root = git(['rev-parse', '--show-toplevel'], cwd).trim();
  } catch (e) {
    const missing = e && typeof e === 'object' && 'code' in e && e.code === 'ENOENT';
    return { ok: false, reason: missing ? 'git is not installed' : `${cwd} is not in a git repository` };
  }
  try {
    git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], root);
  } catch {
    return { ok: false, reason: 'the repository has no commit yet' };
  }
  if (git(['rev-parse', '--is-shallow-repository'], root).trim() === 'true') {
    return { ok: false, reason: 'this is a shallow clone, whose history stops short (git fetch --unshallow gives the whole of it)' };
  }
  return { ok: true, root };
}

const EMPTY_SPEC = { label: 'nothing', definitions: { $defs: {} }, methods: Object.fromEntries(PROTOCOLS.map((p) => [p, new Map()])) };

/**
 * The revisions of the spec, oldest first: each commit that changed `specPath` on HEAD's first-parent
 * history, then the working tree's spec when it differs from HEAD's.
 * @returns {{ revisions: Array<{ commit: string | null, date?: string, subject?: string, report: object }> }}
 */
export function specHistory({ cwd = ROOT, specPath = 'spec' } = {}) {
  const status = historyStatus(cwd);
  if (!status.ok) throw new HistoryUnavailable(status.reason);
  const { root } = status;
  const log = git(['log', '--first-parent', '--reverse', '--format=%H%x09%cs%x09%s', 'HEAD', '--', `${specPath.replace(/\/+$/, '')}/`], root);
  const revisions = [];
  let previous = EMPTY_SPEC;
  for (const line of log.split('\n').filter(Boolean)) {
    const [commit, date, ...subject] = line.split('\t');
    const spec = loadSpecSource(commit, { cwd: root, specPath });
    revisions.push({ commit, date, subject: subject.join('\t'), report: diffSpecs(previous, spec) });
    previous = spec;
  }
  const folder = path.join(root, specPath);
  if (fs.existsSync(path.join(folder, 'definitions.json'))) {
    const report = diffSpecs(previous, loadSpecSource(folder, { cwd: root }));
    if (report.summary.changes > 0) revisions.push({ commit: null, report });
  }
  return { revisions: revisions.filter((r) => r.report.summary.changes > 0) };
}

const TAG = { breaking: 'BREAKING', strict: 'strict' };

/** "**BREAKING** clients, servers; strict servers", or "" when the change breaks no one. */
function marks(verdict) {
  const who = (v) => ['client', 'server'].filter((side) => verdict[side] === v).map((side) => `${side}s`).join(' and ');
  return ['breaking', 'strict']
    .filter((v) => who(v))
    .map((v) => (v === 'breaking' ? `**${TAG[v]} for ${who(v)}**` : `${TAG[v]} for ${who(v)}`))
    .join(', ');
}

const FLOW = { 'client-to-server': 'client -> server', 'server-to-client': 'server -> client', both: 'both ways' };

/** Text as Markdown shows it: backslashes, asterisks, backticks and angle brackets (patterns have them) escaped. */
const markdown = (text) => text.replace(/[\\*`<]/g, (c) => `\\${c}`);

function changeLine(c) {
  const mark = marks(c.verdict);
  const flow = c.flow && c.section !== 'method' ? ` (${FLOW[c.flow]})` : '';
  return `${mark ? `${mark}: ` : ''}${markdown(changeText(c))}${flow}`;
}

function entry(revision, index, revisions) {
  const { report } = revision;
  const s = report.summary;
  const newest = index === revisions.length - 1;
  const before = revisions[index - 1];
  const lines = [];
  if (newest) {
    lines.push(`## Latest revision`, '', before ? `Changes since ${before.commit?.slice(0, 7) ?? 'the previous revision'}.` : 'The first spec.');
  } else {
    lines.push(`## ${revision.commit.slice(0, 7)} (${revision.date})`, '', revision.subject);
  }
  const counts = PROTOCOLS.map((p) => {
    const of = (status) => report.methods.filter((m) => m.protocol === p && m.status === status).length;
    const parts = ['added', 'changed', 'removed'].map((st) => [st, of(st)]).filter(([, n]) => n).map(([st, n]) => `${n} ${st}`);
    return parts.length ? `${PROTOCOL_TITLES[p]}: ${parts.join(', ')}` : '';
  }).filter(Boolean);
  const breaking = s.breakingForClients + s.breakingForServers;
  lines.push(
    '',
    `Release: **${s.release}** (${releaseText(s.release).replace(/^\w+ \((.*)\)$/, '$1')}). ${counts.join('; ')}${counts.length ? '.' : ''}` +
      (breaking ? ` Breaking: ${s.breakingForClients} for clients, ${s.breakingForServers} for servers.` : ''),
  );
  for (const [status, title] of [
    ['added', 'Added'],
    ['changed', 'Changed'],
    ['removed', 'Removed'],
  ]) {
    const methods = report.methods.filter((m) => m.status === status);
    if (!methods.length) continue;
    lines.push('', `### ${title}`, '');
    for (const m of methods) {
      const name = `\`${m.method}\` (${PROTOCOL_TITLES[m.protocol]})`;
      if (status !== 'changed' && m.changes.length === 1) lines.push(`- ${name}: ${changeLine(m.changes[0])}`);
      else {
        lines.push(`- ${name}`);
        for (const c of m.changes) lines.push(`  - ${changeLine(c)}`);
      }
    }
  }
  if (report.definitions?.length) {
    lines.push('', '### Shared definitions', '');
    for (const d of report.definitions) for (const c of d.changes) lines.push(`- \`${d.name}\`: ${markdown(c.message)}`);
  }
  return lines.join('\n');
}

const HEADER = `# Protocol changelog

Generated by \`npm run changelog\` (codegen/changelog.mjs) from the history of spec/: one entry per commit that
changed the spec (first-parent history), newest first, each the spec diff against the spec before it
(\`npm run spec:diff\`; its rules are in codegen/diff/README.md). A change marked **BREAKING** may make code written
for the spec before it fail against a peer that follows the spec after it, on the side named; "strict" ones fail only
against receivers that refuse what the spec leaves open. Each entry says the release it needs (semver: major when
something breaks, minor for additions, patch for documentation only). The newest entry names no commit, since it is
written before its commit exists. Do not edit by hand: run \`npm run changelog\` after changing spec/;
\`npm run changelog -- --check\` (also run by the tests) fails when this file is out of date.`;

/** The changelog's text. @throws {HistoryUnavailable} */
export function buildChangelog(options = {}) {
  const { revisions } = specHistory(options);
  const entries = revisions.map((r, i) => entry(r, i, revisions)).reverse();
  return `${[HEADER, ...entries].join('\n\n')}\n`;
}

const USAGE = `usage: node codegen/changelog.mjs [--check] [--out FILE] [--spec-path DIR]

  writes ${CHANGELOG_FILE} from the history of spec/ (every commit on HEAD's first-parent history that changed
  it, and uncommitted changes to it)
  --check       write nothing; exit 1 when the file differs from what would be written. Skipped (exit 0,
                with the reason) where the history cannot be read whole: no git, no repository, a shallow clone
  --out FILE    another file to write or check (default ${CHANGELOG_FILE})
  --spec-path   where the spec folder is inside the repository (default spec)`;

/** @returns {number} the exit status */
export function main(argv, { stdout = process.stdout, stderr = process.stderr, cwd = ROOT } = {}) {
  const opts = { check: false, out: null, specPath: 'spec' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--help' || a === '-h') {
      stdout.write(`${USAGE}\n`);
      return 0;
    } else if ((a === '--out' || a === '--spec-path') && argv[i + 1] !== undefined) opts[a === '--out' ? 'out' : 'specPath'] = argv[++i];
    else {
      stderr.write(`changelog: unknown argument ${JSON.stringify(a)}\n${USAGE}\n`);
      return 2;
    }
  }
  const status = historyStatus(cwd);
  if (!status.ok) {
    if (opts.check) {
      stdout.write(`changelog check skipped: ${status.reason}, so ${CHANGELOG_FILE} cannot be compared with the spec's history.\n`);
      return 0;
    }
    stderr.write(`changelog: cannot write ${CHANGELOG_FILE}: ${status.reason}.\n`);
    return 1;
  }
  const file = path.resolve(status.root, opts.out ?? CHANGELOG_FILE);
  const text = buildChangelog({ cwd: status.root, specPath: opts.specPath });
  const rel = path.relative(status.root, file);
  if (opts.check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current === text) {
      stdout.write(`${rel} is up to date with the history of ${opts.specPath}/.\n`);
      return 0;
    }
    stderr.write(`${rel} is ${current === null ? 'missing' : 'out of date with the history of spec/'} (run \`npm run changelog\` and commit it).\n`);
    return 1;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  stdout.write(`Wrote ${rel}.\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    process.exitCode = main(process.argv.slice(2), { cwd: process.cwd() });
  } catch (e) {
    process.stderr.write(`changelog: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
