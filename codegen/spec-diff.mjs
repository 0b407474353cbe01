#!/usr/bin/env node
// npm run spec:diff -- <old> <new>: what changed between two specs (folders or git revisions), per
// method, whom each change breaks and which release it needs. The work is in diff/ (its rules:
// diff/README.md); this file only reads arguments and prints.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffSpecs, fails, FAIL_ON } from './diff/diff.mjs';
import { formatReport } from './diff/format.mjs';
import { loadSpecSource, SpecSourceError } from './diff/source.mjs';
import { loadOverlaySource } from './diff/overlay-source.mjs';

export { diffSpecs, fails, FAIL_ON } from './diff/diff.mjs';
export { formatReport } from './diff/format.mjs';
export { RULES, rulesTable } from './diff/rules.mjs';
export { loadSpecSource, SpecSourceError } from './diff/source.mjs';
export { loadOverlaySource } from './diff/overlay-source.mjs';

/**
 * The diff of two specs by where they are: each a spec folder, or a git revision of the repository at
 * `cwd` (its `specPath` tree). What 'stratum-sdk/spec-diff' users call; throws SpecSourceError for a
 * spec that cannot be read. With `overlay`, each is an overlay folder (or its tree at a git revision),
 * merged over the package's spec before they are compared.
 * @param {string} oldRef @param {string} newRef
 * @param {{ cwd?: string, specPath?: string, overlay?: boolean }} [options]
 */
export function specDiff(oldRef, newRef, { overlay = false, ...options } = {}) {
  const load = overlay ? loadOverlaySource : loadSpecSource;
  return diffSpecs(load(oldRef, options), load(newRef, options));
}

const USAGE = `usage: node codegen/spec-diff.mjs <old> <new> [--json] [--fail-on ${FAIL_ON.join('|')}] [--spec-path DIR]

  <old>, <new>   a spec folder (holding definitions.json, electrum/, mining/) or a git revision
                 (commit, tag, branch), whose spec/ tree is read without checking anything out
  --json         print the report as JSON
  --fail-on X    exit 1 when the report has a change of that kind: breaking (for clients or servers),
                 client-breaking, server-breaking, strict (breaking, or breaking only a receiver that
                 refuses what the spec leaves open), any change; or when the release it needs is at
                 least X: major (something breaks), minor (something changes beyond words), patch
  --spec-path    where the spec folder is inside the repository, for git revisions (default spec)

Each change is judged for the code of the side that sends the message it is in and of the side that
receives it (the rules: codegen/diff/README.md); the report says which release it needs.

Exit status: 0 done, 1 a --fail-on condition was met, 2 bad arguments or an unreadable spec.`;

class UsageError extends Error {}

export function parseArgs(argv) {
  const opts = { json: false, failOn: null, specPath: 'spec', refs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--fail-on' || a === '--spec-path') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      if (a === '--fail-on' && !FAIL_ON.includes(v)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}, not ${JSON.stringify(v)}`);
      opts[a === '--fail-on' ? 'failOn' : 'specPath'] = v;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else opts.refs.push(a);
  }
  if (!opts.help && opts.refs.length !== 2) throw new UsageError(`expected two specs to compare, got ${opts.refs.length}`);
  return opts;
}

/** @returns {number} the exit status */
export function main(argv, { stdout = process.stdout, stderr = process.stderr, cwd = process.cwd() } = {}) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderr.write(`spec-diff: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) {
    stdout.write(`${USAGE}\n`);
    return 0;
  }
  let report;
  try {
    const [before, after] = opts.refs.map((ref) => loadSpecSource(ref, { cwd, specPath: opts.specPath }));
    report = diffSpecs(before, after);
  } catch (e) {
    if (!(e instanceof SpecSourceError)) throw e;
    stderr.write(`spec-diff: ${e.message}\n`);
    return 2;
  }
  stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return opts.failOn && fails(report, opts.failOn) ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`spec-diff: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  }
}
