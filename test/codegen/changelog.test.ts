// The protocol changelog (codegen/changelog.mjs, npm run changelog): docs/changelog.md is checked against
// this repository's history where the whole history is here, and skipped with the reason where it is not
// (a shallow clone, no git). In throwaway repositories: one entry per commit that changed spec/, newest
// first, breaking changes marked and the release each needs; the file written before a spec change is
// committed is the one the check expects after; a shallow clone is skipped, not failed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/spec-files.js';

const CLI = path.join(ROOT, 'codegen', 'changelog.mjs');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'spec-diff');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

const changelog = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
};

// Commits with a fixed author and date, and nothing from the user's git configuration that could stop them.
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Spec Author',
  GIT_AUTHOR_EMAIL: 'author@example.invalid',
  GIT_COMMITTER_NAME: 'Spec Author',
  GIT_COMMITTER_EMAIL: 'author@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z',
  GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: os.devNull,
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], { cwd, env: GIT_ENV, stdio: 'pipe' }).toString().trim();

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'changelog-'));
  temps.push(dir);
  return dir;
}

/** Replaces the repository's spec/ with a fixture spec folder. */
function putSpec(repo: string, fixture: string) {
  fs.rmSync(path.join(repo, 'spec'), { recursive: true, force: true });
  fs.cpSync(fixture, path.join(repo, 'spec'), { recursive: true });
}

function commitAll(repo: string, subject: string) {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', subject);
  return git(repo, 'rev-parse', '--short=7', 'HEAD');
}

const read = (repo: string) => fs.readFileSync(path.join(repo, 'docs', 'changelog.md'), 'utf8');
/** The entries' headings, newest first. */
const headings = (text: string) => text.split('\n').filter((l) => l.startsWith('## '));

// This repository.
const history = (() => {
  try {
    execFileSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    return { ok: false, reason: 'no git history here' };
  }
  const shallow = execFileSync('git', ['rev-parse', '--is-shallow-repository'], { cwd: ROOT, stdio: 'pipe' }).toString().trim() === 'true';
  return shallow ? { ok: false, reason: 'a shallow clone, whose history stops short' } : { ok: true, reason: '' };
})();

describe('docs/changelog.md', () => {
  it.skipIf(!history.ok)(
    history.ok ? 'is up to date with the history of spec/ (npm run changelog -- --check)' : `is not checked here: ${history.reason} (npm run changelog -- --check skips too)`,
    () => {
      const r = changelog(ROOT, '--check');
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toMatch(/docs\/changelog\.md is up to date/);
    },
  );

  it.skipIf(!history.ok)('has an entry for each commit that changed spec/, newest first, the newest without a commit id', () => {
    const text = read(ROOT);
    const commits = execFileSync('git', ['log', '--first-parent', '--format=%h', 'HEAD', '--', 'spec/'], { cwd: ROOT, stdio: 'pipe' }).toString().trim().split('\n');
    const entries = headings(text);
    expect(entries[0]).toBe('## Latest revision');
    // Every older entry is a commit that changed spec/, in the order git lists them.
    const older = entries.slice(1).map((h) => /^## ([0-9a-f]{7}) \(\d{4}-\d{2}-\d{2}\)$/.exec(h)?.[1]);
    expect(older.every(Boolean)).toBe(true);
    // (The newest spec commit is the latest entry; a commit whose diff shows nothing has no entry.)
    expect(older).toEqual(commits.slice(1).map((c) => c.slice(0, 7)).filter((c) => older.includes(c)));
    expect(older.length).toBeGreaterThan(0);
    expect(text.match(/^Release: \*\*(major|minor|patch)\*\*/gm)?.length).toBe(entries.length);
  });
});

describe('npm run changelog, in a repository of its own', () => {
  it('writes one entry per spec commit; the file written before a commit is the one checked after it', () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    putSpec(repo, path.join(FIXTURES, 'param-added-required', 'old'));
    const first = commitAll(repo, 'Spec: the first methods');

    // A change to spec/, not committed yet: the file is missing, then written with it as the latest entry.
    putSpec(repo, path.join(FIXTURES, 'param-added-required', 'new'));
    expect(changelog(repo, '--check')).toMatchObject({ status: 1, err: expect.stringMatching(/docs\/changelog\.md is missing/) });
    expect(changelog(repo).status).toBe(0);
    const before = read(repo);
    expect(headings(before)).toEqual(['## Latest revision', `## ${first} (2026-01-02)`]);
    expect(before).toContain(`Changes since ${first}.`);
    expect(before).toMatch(/Release: \*\*major\*\* \(a change breaks clients or servers written for the old spec\)\. Electrum: 1 changed; Stratum V1: 1 changed\. Breaking: 2 for clients, 2 for servers\./);
    expect(before).toContain('- `demo.watch` (Electrum)\n  - **BREAKING for clients and servers**: params[1] mode: added (required) (client -> server)');
    expect(before).toContain('- `demo.job` (Stratum V1)\n  - **BREAKING for clients and servers**: params[3] height: added (required) (server -> client)');
    // The first spec: every method added, breaking no one.
    expect(before).toMatch(new RegExp(`## ${first} \\(2026-01-02\\)\\n\\nSpec: the first methods\\n\\nRelease: \\*\\*minor\\*\\*`));
    expect(changelog(repo, '--check').status).toBe(0);

    // Committed with the change: the same file, and the check passes after the commit and after others.
    const second = commitAll(repo, 'Spec: a required param');
    expect(changelog(repo, '--check')).toMatchObject({ status: 0, out: expect.stringMatching(/up to date/) });
    fs.writeFileSync(path.join(repo, 'README.md'), 'not the spec\n');
    commitAll(repo, 'Words elsewhere');
    expect(changelog(repo, '--check').status).toBe(0);
    expect(read(repo)).toBe(before);

    // The next spec change: the previous latest entry now shows its commit, date and subject.
    const spec = path.join(repo, 'spec', 'electrum', 'demo.watch.json');
    const doc = JSON.parse(fs.readFileSync(spec, 'utf8')) as { description: string };
    fs.writeFileSync(spec, JSON.stringify({ ...doc, description: 'Watches an item, reworded.' }, null, 2));
    expect(changelog(repo, '--check')).toMatchObject({ status: 1, err: expect.stringMatching(/out of date/) });
    expect(changelog(repo).status).toBe(0);
    const after = read(repo);
    expect(headings(after)).toEqual(['## Latest revision', `## ${second} (2026-01-02)`, `## ${first} (2026-01-02)`]);
    expect(after).toMatch(/## Latest revision\n\nChanges since [0-9a-f]{7}\.\n\nRelease: \*\*patch\*\* \(documentation only\)/);
    expect(after).toContain('- `demo.watch` (Electrum)\n  - documentation changed: description');
    expect(after).toMatch(new RegExp(`## ${second} \\(2026-01-02\\)\\n\\nSpec: a required param\\n\\nRelease: \\*\\*major\\*\\*`));
    commitAll(repo, 'Spec: reworded');
    expect(changelog(repo, '--check').status).toBe(0);
  });

  it('skips the check in a shallow clone and outside a repository, and refuses to write there', () => {
    const repo = tempDir();
    git(repo, 'init', '-q');
    putSpec(repo, path.join(FIXTURES, 'param-added-required', 'old'));
    commitAll(repo, 'Spec: one');
    putSpec(repo, path.join(FIXTURES, 'param-added-required', 'new'));
    commitAll(repo, 'Spec: two');
    const clone = path.join(tempDir(), 'clone');
    git(path.dirname(clone), 'clone', '-q', '--depth', '1', `file://${repo}`, clone);
    const check = changelog(clone, '--check');
    expect(check).toMatchObject({ status: 0, err: '' });
    expect(check.out).toMatch(/^changelog check skipped: this is a shallow clone, whose history stops short/);
    expect(changelog(clone)).toMatchObject({ status: 1, err: expect.stringMatching(/cannot write docs\/changelog\.md: this is a shallow clone/) });
    expect(fs.existsSync(path.join(clone, 'docs', 'changelog.md'))).toBe(false);

    const plain = tempDir();
    putSpec(plain, path.join(FIXTURES, 'param-added-required', 'old'));
    expect(changelog(plain, '--check')).toMatchObject({ status: 0, out: expect.stringMatching(/^changelog check skipped: .* is not in a git repository/) });
  });

  it('refuses unknown arguments and prints its usage', () => {
    expect(changelog(ROOT, '--colour')).toMatchObject({ status: 2, err: expect.stringMatching(/unknown argument "--colour"/) });
    expect(changelog(ROOT, '--help')).toMatchObject({ status: 0, out: expect.stringMatching(/^usage: node codegen\/changelog\.mjs/) });
  });
});
