// The spec diff: two loaded specs in, one report out, per protocol and method. Pure; reading specs
// from folders and git revisions is source.mjs's job, printing is format.mjs's.
import { PROTOCOLS } from '../load.mjs';
import { namedVersions } from '../versions.mjs';
import { diffMethod, methodAdded, methodRemoved } from './method-diff.mjs';

/**
 * @typedef {{ label: string, definitions: object, methods: Record<string, Map<string, object>> }} LoadedSpec
 *   methods: per protocol, method files by wire name.
 * @typedef {import('./method-diff.mjs').Change} Change
 * @typedef {{ protocol: string, method: string, status: 'added'|'removed'|'changed', changes: Change[] }} MethodDiff
 */

/** @param {LoadedSpec} before @param {LoadedSpec} after */
export function diffSpecs(before, after) {
  const methods = [];
  for (const protocol of PROTOCOLS) {
    const a = before.methods[protocol] ?? new Map();
    const b = after.methods[protocol] ?? new Map();
    const ctx = {
      oldDefinitions: before.definitions,
      newDefinitions: after.definitions,
      knownVersions: namedVersions([...a.values()]),
      protocolIsNew: a.size === 0,
    };
    for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const x = a.get(name);
      const y = b.get(name);
      if (!x) methods.push({ protocol, method: name, status: 'added', changes: methodAdded(y, ctx) });
      else if (!y) methods.push({ protocol, method: name, status: 'removed', changes: methodRemoved(x) });
      else {
        const changes = diffMethod(x, y, ctx);
        if (changes.length) methods.push({ protocol, method: name, status: 'changed', changes });
      }
    }
  }
  return { old: before.label, new: after.label, summary: summarize(methods), methods };
}

function summarize(methods) {
  const all = methods.flatMap((m) => m.changes);
  const count = (status) => methods.filter((m) => m.status === status).length;
  return {
    methodsAdded: count('added'),
    methodsRemoved: count('removed'),
    methodsChanged: count('changed'),
    changes: all.length,
    breakingForClients: all.filter((c) => c.breaking.client).length,
    breakingForServers: all.filter((c) => c.breaking.server).length,
    nonBreaking: all.filter((c) => !c.breaking.client && !c.breaking.server).length,
  };
}

/** Whether `report` has a change that `failOn` ('breaking', 'client-breaking', 'server-breaking', 'any') counts. */
export function fails(report, failOn) {
  const s = report.summary;
  switch (failOn) {
    case 'breaking':
      return s.breakingForClients + s.breakingForServers > 0;
    case 'client-breaking':
      return s.breakingForClients > 0;
    case 'server-breaking':
      return s.breakingForServers > 0;
    case 'any':
      return s.changes > 0;
    default:
      throw new RangeError(`unknown --fail-on value ${JSON.stringify(failOn)}`);
  }
}

export const FAIL_ON = ['breaking', 'client-breaking', 'server-breaking', 'any'];
