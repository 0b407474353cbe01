// The spec diff: two loaded specs in, one report out, per protocol and method. Pure; reading specs
// from folders and git revisions is source.mjs's job, printing is format.mjs's. What each kind of
// change means for clients and servers is in rules.mjs (and codegen/diff/README.md).
import { PROTOCOLS } from '../load.mjs';
import { namedVersions } from '../versions.mjs';
import { schemaWordsDiffer } from './doc-diff.mjs';
import { diffMethod, methodAdded, methodRemoved } from './method-diff.mjs';
import { highestRelease, RELEASES, releaseOf, verdictOf } from './rules.mjs';

/**
 * @typedef {{ label: string, definitions: object, methods: Record<string, Map<string, object>> }} LoadedSpec
 *   methods: per protocol, method files by wire name.
 * @typedef {'breaking'|'strict'|'ok'} Verdict
 * @typedef {{ section: string, where: string, kind: string, path?: string, message: string,
 *   breaking: { client: boolean, server: boolean }, verdict: { client: Verdict, server: Verdict },
 *   rule: string, flow?: string, release: string }} Change
 *   flow: which way the message holding the change goes (client-to-server, server-to-client, both);
 *   absent for a shared definition's own changes.
 * @typedef {{ protocol: string, method: string, status: 'added'|'removed'|'changed', changes: Change[] }} MethodDiff
 * @typedef {{ name: string, status: 'added'|'removed'|'changed', changes: Change[] }} DefinitionDiff
 */

const flowOf = ({ senders }) => (senders.length > 1 ? 'both' : senders[0] === 'client' ? 'client-to-server' : senders[0] === 'server' ? 'server-to-client' : undefined);

/** A change as reported: its rule and roles turned into verdicts, the old yes/no view and the release it needs. */
function judged({ roles, rule, ...change }) {
  const verdict = verdictOf(rule, roles);
  return {
    ...change,
    breaking: { client: verdict.client === 'breaking', server: verdict.server === 'breaking' },
    verdict,
    rule,
    ...(flowOf(roles) ? { flow: flowOf(roles) } : {}),
    release: releaseOf(rule, verdict),
  };
}

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
      if (!x) methods.push({ protocol, method: name, status: 'added', changes: methodAdded(y, ctx).map(judged) });
      else if (!y) methods.push({ protocol, method: name, status: 'removed', changes: methodRemoved(x).map(judged) });
      else {
        const changes = diffMethod(x, y, ctx).map(judged);
        if (changes.length) methods.push({ protocol, method: name, status: 'changed', changes });
      }
    }
  }
  const definitions = diffDefinitions(before.definitions, after.definitions);
  return { old: before.label, new: after.label, summary: summarize(methods, definitions), methods, definitions };
}

/**
 * Shared definitions that came, went or were reworded. What a changed definition means for the wire is
 * reported at each method that uses it; here are only the definitions themselves.
 * @returns {DefinitionDiff[]}
 */
function diffDefinitions(oldDefs, newDefs) {
  const a = oldDefs?.$defs ?? {};
  const b = newDefs?.$defs ?? {};
  const none = { senders: [], receivers: [] };
  const out = [];
  for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const change = (kind, message, rule) => judged({ section: 'definition', where: 'definition', kind, message, rule, roles: none });
    if (!(name in a)) out.push({ name, status: 'added', changes: [change('definition-added', 'added', 'definition-listed')] });
    else if (!(name in b)) out.push({ name, status: 'removed', changes: [change('definition-removed', 'removed', 'definition-listed')] });
    else if (schemaWordsDiffer(a[name], b[name])) out.push({ name, status: 'changed', changes: [change('documentation-changed', 'documentation changed', 'documentation-changed')] });
  }
  return out;
}

function summarize(methods, definitions) {
  const all = [...methods, ...definitions].flatMap((m) => m.changes);
  const count = (status) => methods.filter((m) => m.status === status).length;
  const has = (c, verdict) => c.verdict.client === verdict || c.verdict.server === verdict;
  return {
    methodsAdded: count('added'),
    methodsRemoved: count('removed'),
    methodsChanged: count('changed'),
    definitionsChanged: definitions.length,
    changes: all.length,
    breakingForClients: all.filter((c) => c.verdict.client === 'breaking').length,
    breakingForServers: all.filter((c) => c.verdict.server === 'breaking').length,
    nonBreaking: all.filter((c) => !has(c, 'breaking')).length,
    strictForClients: all.filter((c) => c.verdict.client === 'strict').length,
    strictForServers: all.filter((c) => c.verdict.server === 'strict').length,
    // Breaking only a receiver that refuses what the spec leaves open; nothing that runs the SDK.
    strictOnly: all.filter((c) => has(c, 'strict') && !has(c, 'breaking')).length,
    documentationOnly: all.filter((c) => c.release === 'patch').length,
    release: highestRelease(all.map((c) => c.release)),
  };
}

/**
 * Whether `report` has a change that `failOn` counts: 'breaking' (for clients or servers), 'client-breaking',
 * 'server-breaking', 'strict' (breaking or strict for either), 'any' change, or a release level: 'major',
 * 'minor' (minor or major), 'patch' (any release at all).
 */
export function fails(report, failOn) {
  const s = report.summary;
  switch (failOn) {
    case 'breaking':
      return s.breakingForClients + s.breakingForServers > 0;
    case 'client-breaking':
      return s.breakingForClients > 0;
    case 'server-breaking':
      return s.breakingForServers > 0;
    case 'strict':
      return s.breakingForClients + s.breakingForServers + s.strictForClients + s.strictForServers > 0;
    case 'any':
      return s.changes > 0;
    case 'major':
    case 'minor':
    case 'patch':
      return RELEASES.indexOf(s.release) >= RELEASES.indexOf(failOn);
    default:
      throw new RangeError(`unknown --fail-on value ${JSON.stringify(failOn)}`);
  }
}

export const FAIL_ON = ['breaking', 'client-breaking', 'server-breaking', 'strict', 'any', 'major', 'minor', 'patch'];
