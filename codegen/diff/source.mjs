// Where the two specs of a diff come from: a folder on disk, or the spec/ tree of a git revision, read
// with `git ls-tree` and `git cat-file` (read-only; nothing is checked out).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROTOCOLS } from '../load.mjs';
import { jsonDepth } from '../overlay-merge.mjs';

/** A spec that cannot be read: a bad argument, a missing folder, invalid JSON. The CLI exits 2. */
export class SpecSourceError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SpecSourceError';
    this.code = 'SPEC_SOURCE';
  }
}

/**
 * @param {string} ref a spec folder, or a git revision (commit, tag, branch, "HEAD~3")
 * @param {{ cwd?: string, specPath?: string }} [options] cwd: where git runs (inside the repository);
 *   specPath: the spec folder inside the repository at that revision (default "spec").
 * @returns {import('./diff.mjs').LoadedSpec}
 */
export function loadSpecSource(ref, { cwd = process.cwd(), specPath = 'spec' } = {}) {
  const { label, files } = readSpecFiles(ref, { cwd, specPath });
  return fromFiles(label, files, ref);
}

/**
 * The texts of a spec's files by path inside it ("definitions.json", "electrum/<method>.json"), from a folder
 * or a git revision; `requireDefinitions: false` for an overlay, whose definitions.json is optional.
 * @returns {{ label: string, files: Map<string, string> }}
 */
export function readSpecFiles(ref, { cwd = process.cwd(), specPath = 'spec', requireDefinitions = true } = {}) {
  if (typeof ref !== 'string' || ref === '') throw new SpecSourceError('an empty spec argument');
  const asFolder = path.resolve(cwd, ref);
  if (fs.existsSync(asFolder)) {
    if (!fs.statSync(asFolder).isDirectory()) throw new SpecSourceError(`${ref}: not a folder (expected a spec folder or a git revision)`);
    return { label: ref, files: readFolder(asFolder, requireDefinitions) };
  }
  const { commit, files } = readRevision(ref, cwd, specPath, requireDefinitions);
  return { label: commit.startsWith(ref) ? ref : `${ref} (${commit.slice(0, 7)})`, files };
}

function readFolder(dir, requireDefinitions = true) {
  const files = new Map();
  const read = (rel) => {
    try {
      files.set(rel, fs.readFileSync(path.join(dir, rel), 'utf8'));
    } catch (e) {
      throw new SpecSourceError(`${path.join(dir, rel)}: cannot read: ${e.message}`);
    }
  };
  if (fs.existsSync(path.join(dir, 'definitions.json'))) read('definitions.json');
  else if (requireDefinitions) throw new SpecSourceError(`${dir}: not a spec folder (no definitions.json)`);
  for (const protocol of PROTOCOLS) {
    const sub = path.join(dir, protocol);
    if (!fs.existsSync(sub)) continue;
    for (const name of fs.readdirSync(sub).sort()) if (name.endsWith('.json')) read(`${protocol}/${name}`);
  }
  return files;
}

function git(args, cwd, input) {
  return execFileSync('git', args, { cwd, input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
}

function readRevision(ref, cwd, specPath, requireDefinitions = true) {
  let commit;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd).toString().trim();
  } catch {
    throw new SpecSourceError(`${ref}: neither a folder nor a git revision${isRepository(cwd) ? '' : ` (and ${cwd} is not in a git repository)`}`);
  }
  const prefix = specPath.replace(/\/+$/, '');
  const names = git(['ls-tree', '-r', '-z', '--name-only', commit, '--', `${prefix}/`], cwd)
    .toString()
    .split('\0')
    .filter((n) => n.endsWith('.json'));
  if (requireDefinitions && !names.includes(`${prefix}/definitions.json`)) throw new SpecSourceError(`${ref}: no ${prefix}/definitions.json at that revision`);
  if (!names.length) throw new SpecSourceError(`${ref}: no ${prefix}/ files at that revision`);
  // One cat-file process reads every blob: "<sha> blob <size>\n<bytes>\n" per requested path.
  const out = git(['cat-file', '--batch'], cwd, names.map((n) => `${commit}:${n}\n`).join(''));
  const files = new Map();
  let at = 0;
  for (const name of names) {
    const eol = out.indexOf(0x0a, at);
    const header = out.subarray(at, eol).toString();
    const size = Number(header.split(' ')[2]);
    if (!/ blob \d+$/.test(header)) throw new SpecSourceError(`${ref}: cannot read ${name} (${header})`);
    files.set(name.slice(prefix.length + 1), out.subarray(eol + 1, eol + 1 + size).toString('utf8'));
    at = eol + 1 + size + 1;
  }
  return { commit, files };
}

function isRepository(cwd) {
  try {
    git(['rev-parse', '--git-dir'], cwd);
    return true;
  } catch {
    return false;
  }
}

// Nesting of arrays and objects in one spec file: the package's deepest is under 20. Checked before the
// diff walks a schema (recursively), so a file from anywhere cannot exhaust the stack.
export const MAX_SPEC_DEPTH = 64;

/** Parses the texts into the shape diffSpecs takes. Only what the diff needs is checked. */
function fromFiles(label, files, ref) {
  const parse = (rel) => {
    const depth = jsonDepth(files.get(rel));
    if (depth > MAX_SPEC_DEPTH) throw new SpecSourceError(`${ref}: ${rel}: nested ${depth} deep, more than the ${MAX_SPEC_DEPTH} a spec file may be`);
    try {
      return JSON.parse(files.get(rel));
    } catch (e) {
      throw new SpecSourceError(`${ref}: ${rel}: invalid JSON: ${e.message}`);
    }
  };
  const definitions = parse('definitions.json');
  const methods = Object.fromEntries(PROTOCOLS.map((p) => [p, new Map()]));
  for (const rel of [...files.keys()].sort()) {
    const [protocol, name] = rel.split('/');
    if (!name || !methods[protocol]) continue;
    const doc = parse(rel);
    if (!doc || typeof doc !== 'object' || typeof doc.method !== 'string' || !Array.isArray(doc.params ?? [])) {
      throw new SpecSourceError(`${ref}: ${rel}: not a method file (no "method")`);
    }
    methods[protocol].set(doc.method, { ...doc, params: doc.params ?? [] });
  }
  return { label, definitions, methods };
}
