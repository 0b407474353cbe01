// Facts about methods live in the spec, not in hand-written code: src/clients and src/runtime name no
// method by its wire name, except the handshake messages whose order the protocols fix, which a client
// has to send by name to open a session at all:
// - Electrum: server.version (first message of every connection, negotiates the version), server.features
//   (the genesis check right after it) and server.ping (the keep-alive);
// - Stratum V1: mining.configure (BIP310: first), mining.subscribe, mining.extranonce.subscribe (right after
//   the subscribe answer) and mining.authorize (after subscribe: ckpool refuses it before).
// Everything else a client needs to know about a method (replies pools may not send, session state and how
// it is sent again, subscription keys, which unsubscribe ends which subscription) is in the registry.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, specFiles } from '../helpers/spec-files.js';

const HANDSHAKE = ['server.version', 'server.features', 'server.ping', 'mining.configure', 'mining.subscribe', 'mining.extranonce.subscribe', 'mining.authorize'];

/**
 * The wire names src/clients and src/runtime spelled out for facts the registry now holds, until the clients
 * switched to the registry's fields (issue 14): none are left, and none may come back. A client that must
 * dispatch what a peer sends does it through the generated tree of what a server sends (miningServerTree),
 * and a request that is not a handshake message is named through the generated wrapper tree.
 */
const PENDING: Record<string, string> = {};

const SCANNED = ['src/clients', 'src/runtime'];

function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/**
 * The string literals of a TypeScript file (quoted and template, without `${}` parts), comments skipped.
 * A scanner, not a parser: enough for this code base, whose regular expressions hold no quotes.
 */
function stringLiterals(source: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let line = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\n') line++;
    else if (c === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      line++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 1;
      for (let j = i; j < stop; j++) if (source[j] === '\n') line++;
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      const start = line;
      let text = '';
      for (i++; i < source.length && source[i] !== c; i++) {
        if (source[i] === '\\') {
          text += source[i + 1];
          i++;
        } else if (c === '`' && source[i] === '$' && source[i + 1] === '{') {
          // A template's `${...}` part ends this piece of text; its expression is scanned on its own.
          out.push({ text, line: start });
          text = '';
          const open = i + 2;
          let depth = 0;
          for (; i < source.length; i++) {
            if (source[i] === '{') depth++;
            else if (source[i] === '}' && --depth === 0) break;
          }
          for (const inner of stringLiterals(source.slice(open, i))) out.push({ text: inner.text, line: line + inner.line - 1 });
        } else {
          if (source[i] === '\n') line++;
          text += source[i];
        }
      }
      out.push({ text, line: start });
    }
  }
  return out;
}

/** Every string literal in the scanned folders that is a method's wire name, with where it is. */
function wireNameLiterals(): Map<string, string[]> {
  const methods = new Set(specFiles().map((f) => f.method));
  const found = new Map<string, string[]>();
  for (const folder of SCANNED) {
    for (const file of tsFiles(path.join(ROOT, folder))) {
      for (const { text, line } of stringLiterals(fs.readFileSync(file, 'utf8'))) {
        if (!methods.has(text)) continue;
        const where = `${path.relative(ROOT, file)}:${line}`;
        found.set(text, [...(found.get(text) ?? []), where]);
      }
    }
  }
  return found;
}

describe('wire names in src/clients and src/runtime', () => {
  it('the scanner finds literals and skips comments', () => {
    const found = stringLiterals(`// 'a.b'\nconst x = 'mining.notify'; /* "c.d" */ f("server.ping", \`x \${'y'} mining.ping\`);\n`).map((l) => l.text);
    expect(found).toEqual(['mining.notify', 'server.ping', 'x ', 'y', ' mining.ping']);
  });

  it('the allowed names are methods of the spec', () => {
    const methods = new Set(specFiles().map((f) => f.method));
    for (const name of [...HANDSHAKE, ...Object.keys(PENDING)]) expect(methods.has(name), name).toBe(true);
  });

  it('are only the handshake messages and the ones still pending (the pending list may only shrink)', () => {
    const found = wireNameLiterals();
    const unexpected = [...found].filter(([name]) => !HANDSHAKE.includes(name) && !(name in PENDING)).map(([name, where]) => `${name} (${where.join(', ')})`);
    expect(unexpected).toEqual([]);
  });

  // The clients read the registry's facts: no sets of wire names kept by hand (they would hold handshake
  // names too, which the literal test allows), no subscription found from an unsubscribe (or back) by
  // renaming, and no key derived from the notification's length instead of MethodInfo.subscriptionKey.
  it('keep no facts about methods by hand: no sets of wire names, no renaming, no key arity from notifications', () => {
    const methods = new Set(specFiles().map((f) => f.method));
    const found: string[] = [];
    for (const folder of SCANNED) {
      for (const file of tsFiles(path.join(ROOT, folder))) {
        const source = fs.readFileSync(file, 'utf8');
        const rel = path.relative(ROOT, file);
        const lineOf = (index: number) => source.slice(0, index).split('\n').length;
        for (const m of source.matchAll(/new Set(?:<[^>]*>)?\(\[([^\]]*)\]/g)) {
          if (stringLiterals(m[1]!).some((l) => methods.has(l.text))) found.push(`${rel}:${lineOf(m.index)}: a set of wire names`);
        }
        for (const m of source.matchAll(/\.replace\(\/(?:un)?subscribe\$\//g)) found.push(`${rel}:${lineOf(m.index)}: a wire name made by renaming`);
        for (const m of source.matchAll(/\bkeyArity\(/g)) {
          if (!/export function keyArity/.test(source.slice(Math.max(0, m.index - 16), m.index + 9))) found.push(`${rel}:${lineOf(m.index)}: keyArity (use MethodInfo.subscriptionKey)`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  // What is left is printed with file and line.
  it('are only the handshake messages whose order the protocols fix', () => {
    const found = wireNameLiterals();
    const left = [...found].filter(([name]) => !HANDSHAKE.includes(name)).map(([name, where]) => `${name} (${where.join(', ')})`);
    expect(left).toEqual([]);
  });
});

// The traffic checker finds the spec's deviations by the methods the generated table names (SPEC_DEVIATIONS:
// the deviation's own method, or the `methods` it lists), not by wire names of its own. The one it spells is
// server.version, whose place in a session (first, once) and answer (the version) the protocol fixes.
describe('wire names in the traffic checker', () => {
  it('are only server.version', () => {
    const methods = new Set(specFiles().map((f) => f.method));
    const file = path.join(ROOT, 'src/conformance/traffic/checker.ts');
    const spelled = stringLiterals(fs.readFileSync(file, 'utf8')).filter((l) => methods.has(l.text) && l.text !== 'server.version');
    expect(spelled.map((l) => `${l.text} (checker.ts:${l.line})`)).toEqual([]);
  });
});
