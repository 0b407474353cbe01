// What changed in one method between two specs, each change classified for clients and for servers
// (see impact.mjs for what "breaking" means). Pure: method files and definitions in, changes out.
import { compareVersions, inVersions } from '../versions.mjs';
import { NOT_BREAKING, breaks, impactOf, rolesOf } from './impact.mjs';
import { canonical, normalizeSchema } from './normalize.mjs';
import { compareResults } from './result-diff.mjs';
import { compareSchemas } from './schema-diff.mjs';

/**
 * @typedef {{ section: 'method'|'params'|'result'|'notification', where: string, kind: string, path?: string,
 *   message: string, breaking: { client: boolean, server: boolean } }} Change
 * @typedef {{ oldDefinitions: object, newDefinitions: object, knownVersions: string[], protocolIsNew: boolean }} DiffContext
 *   knownVersions: the versions the old spec names; protocolIsNew: the old spec had no method of this protocol.
 */

const inRange = inVersions;

/** Whether something newly offered lands on versions implementations already speak (or on a protocol without versions). */
function reachesKnownVersions(range, ctx) {
  if (ctx.protocolIsNew) return false;
  if (!range) return true;
  return ctx.knownVersions.some((v) => inRange(v, range));
}

const describeVersions = (v) => (v ? `protocol ${v.since}+${v.removed ? `, removed in ${v.removed}` : ''}` : '');
const DIRECTIONS = { 'client-to-server': 'client -> server', 'server-to-client': 'server -> client', both: 'both ways' };
const pluralSides = (sides) => sides.map((s) => `${s}s`).join(' and ');

/** Roles of everything a method carries: params (sent), result (answered), notification. */
function rolesOfMethod(doc) {
  const request = rolesOf(doc.direction);
  return {
    params: { producers: request.senders, consumers: request.receivers },
    result: { producers: request.receivers, consumers: request.senders },
    notification: doc.notification ? rolesOf(doc.notification.direction) : null,
    request,
  };
}

export function methodAdded(doc, ctx) {
  const { request } = rolesOfMethod(doc);
  const obliged = doc.status === 'standard' && reachesKnownVersions(doc.versions, ctx);
  const what = [doc.kind, DIRECTIONS[doc.direction], doc.status, describeVersions(doc.versions)].filter(Boolean).join(', ');
  const duty = doc.kind === 'notification' ? 'handle it' : 'answer it';
  const note = obliged
    ? `; ${pluralSides(request.receivers)} must now ${duty}${doc.versions ? ' at versions they already speak' : ''}`
    : doc.status !== 'standard'
      ? ''
      : ctx.protocolIsNew
        ? ''
        : `; only versions the old spec did not name have it`;
  return [{ section: 'method', where: 'method', kind: 'method-added', message: `added (${what})${note}`, breaking: obliged ? breaks(request.receivers) : NOT_BREAKING }];
}

export function methodRemoved(doc) {
  const { request } = rolesOfMethod(doc);
  const verb = doc.kind === 'notification' ? 'send' : 'call';
  return [{ section: 'method', where: 'method', kind: 'method-removed', message: `removed; ${pluralSides(request.senders)} that ${verb} it must stop`, breaking: breaks(request.senders) }];
}

/** A version gate (method, param or notification) that moved. */
function compareGate(a, b, section, where, roles, standard, ctx) {
  const out = [];
  if (!a && !b) return out;
  const push = (kind, message, breaking) => out.push({ section, where, kind, message, breaking });
  if (!a || !b) {
    push('versions-moved', a ? `no longer gated by version (was ${describeVersions(a)})` : `now gated: ${describeVersions(b)}`, b ? breaks(roles.senders) : standard && !ctx.protocolIsNew ? breaks(roles.receivers) : NOT_BREAKING);
    return out;
  }
  if (a.since !== b.since) {
    const later = compareVersions(b.since, a.since) > 0;
    const grows = !later && reachesKnownVersions({ since: b.since, removed: a.since }, ctx);
    push('versions-moved', `since ${a.since} -> ${b.since}`, later ? breaks(roles.senders) : grows && standard ? breaks(roles.receivers) : NOT_BREAKING);
  }
  if (a.removed !== b.removed) {
    const earlier = b.removed !== undefined && (a.removed === undefined || compareVersions(b.removed, a.removed) < 0);
    const grows = !earlier && reachesKnownVersions({ since: a.removed, removed: b.removed }, ctx);
    const message = b.removed === undefined ? `no longer removed (was removed in ${a.removed})` : a.removed === undefined ? `removed in protocol ${b.removed}` : `removed in ${a.removed} -> ${b.removed}`;
    push('versions-moved', message, earlier ? breaks(roles.senders) : grows && standard ? breaks(roles.receivers) : NOT_BREAKING);
  }
  if (a.deprecated !== b.deprecated) {
    push(b.deprecated ? 'deprecated' : 'undeprecated', b.deprecated ? `deprecated in protocol ${b.deprecated}${a.deprecated ? ` (was ${a.deprecated})` : ''}` : `no longer deprecated (was ${a.deprecated})`, NOT_BREAKING);
  }
  return out;
}

/** Positional params (of a message or of its notification form), matched by name. */
function compareParams(a, b, { section, prefix, producers, consumers, additionalOld, additionalNew, standard, ctx }) {
  const out = [];
  const label = (p, i) => `${prefix}params[${i}] ${p.name}`;
  const oldIndex = new Map(a.map((p, i) => [p.name, i]));
  const newIndex = new Map(b.map((p, i) => [p.name, i]));
  const roles = { senders: producers, receivers: consumers };

  b.forEach((p, i) => {
    if (oldIndex.has(p.name)) return;
    const where = label(p, i);
    if (p.required !== false) out.push({ section, where, kind: 'param-added', message: 'added (required)', breaking: impactOf('narrowed', producers, consumers) });
    else {
      // Only receivers that speak a version with this param must now understand it.
      const obliged = reachesKnownVersions(p.versions, ctx) && !additionalOld;
      out.push({ section, where, kind: 'param-added', message: `added (optional${p.versions ? `, ${describeVersions(p.versions)}` : ''})`, breaking: obliged ? impactOf('widened', producers, consumers) : NOT_BREAKING });
    }
  });
  a.forEach((p, i) => {
    if (newIndex.has(p.name)) return;
    const where = label(p, i);
    if (p.required !== false) out.push({ section, where, kind: 'param-removed', message: 'removed (was required)', breaking: impactOf('changed', producers, consumers) });
    else out.push({ section, where, kind: 'param-removed', message: 'removed (was optional)', breaking: additionalNew ? NOT_BREAKING : impactOf('narrowed', producers, consumers) });
  });

  // Positional params: a param at another position is a different message on the wire.
  for (const p of b) {
    const i = oldIndex.get(p.name);
    const j = newIndex.get(p.name);
    if (i !== undefined && i !== j) out.push({ section, where: label(p, j), kind: 'param-reordered', message: `moved from position ${i} to ${j}`, breaking: impactOf('changed', producers, consumers) });
  }

  for (const p of b) {
    const i = oldIndex.get(p.name);
    if (i === undefined) continue;
    const q = a[i];
    const where = label(p, newIndex.get(p.name));
    if (q.required !== false && p.required === false) out.push({ section, where, kind: 'param-optional', message: 'now optional', breaking: impactOf('widened', producers, consumers) });
    if (q.required === false && p.required !== false) out.push({ section, where, kind: 'param-required', message: 'now required', breaking: impactOf('narrowed', producers, consumers) });
    if (canonical(q.default) !== canonical(p.default)) {
      // What an omitted param means changed: senders get other behaviour, receivers must apply the new default.
      out.push({ section, where, kind: 'param-default-changed', message: `default ${JSON.stringify(q.default) ?? 'none'} -> ${JSON.stringify(p.default) ?? 'none'}`, breaking: impactOf('changed', producers, consumers) });
    }
    for (const c of compareSchemas(normalizeSchema(q.schema, ctx.oldDefinitions), normalizeSchema(p.schema, ctx.newDefinitions))) {
      out.push({ section, where, kind: c.kind, path: c.path, message: c.message, breaking: impactOf(c.relation, producers, consumers) });
    }
    out.push(...compareGate(q.versions, p.versions, section, where, roles, standard, ctx));
  }
  if (Boolean(additionalOld) !== Boolean(additionalNew)) {
    out.push({
      section,
      where: `${prefix}params`,
      kind: 'additional-params-changed',
      message: additionalNew ? 'extra params are now accepted and ignored' : 'extra params are no longer accepted',
      breaking: impactOf(additionalNew ? 'widened' : 'narrowed', producers, consumers),
    });
  }
  return out;
}

/** @returns {Change[]} */
export function diffMethod(a, b, ctx) {
  const out = [];
  const standard = b.status === 'standard';
  const roles = rolesOfMethod(b);
  const both = { client: true, server: true };
  if (a.kind !== b.kind) out.push({ section: 'method', where: 'method', kind: 'kind-changed', message: `kind changed from ${a.kind} to ${b.kind}`, breaking: both });
  if (a.direction !== b.direction) out.push({ section: 'method', where: 'method', kind: 'direction-changed', message: `direction changed from ${DIRECTIONS[a.direction]} to ${DIRECTIONS[b.direction]}`, breaking: both });
  if (a.status !== b.status) out.push({ section: 'method', where: 'method', kind: 'status-changed', message: `status changed from ${a.status} to ${b.status}`, breaking: NOT_BREAKING });
  out.push(...compareGate(a.versions, b.versions, 'method', 'method', roles.request, standard, ctx));

  out.push(
    ...compareParams(a.params ?? [], b.params ?? [], {
      section: 'params',
      prefix: '',
      ...roles.params,
      additionalOld: a.additionalParams,
      additionalNew: b.additionalParams,
      standard,
      ctx,
    }),
  );

  for (const c of compareResults(a, b, ctx.oldDefinitions, ctx.newDefinitions)) {
    out.push({ section: 'result', where: c.where, kind: c.kind, ...(c.path ? { path: c.path } : {}), message: c.message, breaking: impactOf(c.relation, roles.result.producers, roles.result.consumers) });
  }

  out.push(...compareNotifications(a, b, standard, ctx));
  out.push(...compareSessionFacts(a, b));

  const codes = (doc) => new Set((doc.errors ?? []).map((e) => e.code));
  const added = [...codes(b)].filter((c) => !codes(a).has(c));
  const removed = [...codes(a)].filter((c) => !codes(b).has(c));
  if (added.length || removed.length) {
    const parts = [added.length ? `codes added: ${added.join(', ')}` : '', removed.length ? `codes removed: ${removed.join(', ')}` : ''].filter(Boolean);
    out.push({ section: 'method', where: 'errors', kind: 'errors-changed', message: parts.join('; '), breaking: NOT_BREAKING });
  }
  return out.map((c) => (c.path === '' ? withoutPath(c) : c));
}

/**
 * The facts about a method's place in a session (subscriptionKey, ends, optionalReply, sessionState). They
 * describe how peers behave rather than what a message may hold, so only a changed subscription key breaks
 * anyone: clients match notifications by it and servers key subscriptions by it. A fact recorded for the
 * first time is reported as such (older specs did not record them).
 */
function compareSessionFacts(a, b) {
  const out = [];
  const push = (where, message, breaking = NOT_BREAKING) => out.push({ section: 'method', where, kind: 'session-facts-changed', message, breaking });
  const keyText = (k) => `${k.params} param${k.params === 1 ? '' : 's'}${k.inNotifications === 'script-hash' ? ', notified by script hash' : ''}`;
  const key = (doc) => (doc.subscriptionKey ? { params: doc.subscriptionKey.params, inNotifications: doc.subscriptionKey.inNotifications ?? 'as-sent' } : undefined);
  const [ka, kb] = [key(a), key(b)];
  if (!ka && kb) push('subscriptionKey', `recorded: ${keyText(kb)}`);
  else if (ka && !kb) push('subscriptionKey', `removed (was ${keyText(ka)})`);
  else if (ka && kb && canonical(ka) !== canonical(kb)) push('subscriptionKey', `${keyText(ka)} -> ${keyText(kb)}`, { client: true, server: true });
  if (a.ends !== b.ends) push('ends', b.ends ? `${a.ends ? `${a.ends} -> ` : 'recorded: '}${b.ends}` : `removed (was ${a.ends})`);
  if (canonical(a.optionalReply ?? null) !== canonical(b.optionalReply ?? null)) {
    const text = (r) => (r.when === 'repeated' ? 'a repeat may be left unanswered' : 'may be left unanswered');
    push('optionalReply', b.optionalReply ? `${text(b.optionalReply)}${a.optionalReply ? ` (was: ${text(a.optionalReply)})` : ''}` : 'always answered now, by the spec');
  }
  if (canonical(a.sessionState ?? null) !== canonical(b.sessionState ?? null)) {
    push('sessionState', b.sessionState ? `sets session state; on a new connection: ${b.sessionState.onReconnect}${a.sessionState ? ` (was ${a.sessionState.onReconnect})` : ''}` : 'no longer sets session state');
  }
  return out;
}

function withoutPath({ path: _path, ...rest }) {
  return rest;
}

function compareNotifications(a, b, standard, ctx) {
  const section = 'notification';
  const where = 'notification';
  // A notification method's params are its notification; they were compared as params above.
  if (b.kind === 'notification' || a.kind === 'notification') return [];
  if (!a.notification && !b.notification) return [];
  if (!a.notification) {
    const roles = rolesOf(b.notification.direction);
    const obliged = standard && reachesKnownVersions(b.notification.versions ?? b.versions, ctx);
    return [{ section, where, kind: 'notification-added', message: `now also sent as a notification (${DIRECTIONS[b.notification.direction]})`, breaking: obliged ? breaks(roles.receivers) : NOT_BREAKING }];
  }
  if (!b.notification) return [{ section, where, kind: 'notification-removed', message: 'no notification any more', breaking: { client: true, server: true } }];
  const out = [];
  const roles = rolesOf(b.notification.direction);
  if (a.notification.direction !== b.notification.direction) {
    out.push({ section, where, kind: 'direction-changed', message: `direction changed from ${DIRECTIONS[a.notification.direction]} to ${DIRECTIONS[b.notification.direction]}`, breaking: { client: true, server: true } });
  }
  out.push(...compareGate(a.notification.versions, b.notification.versions, section, where, roles, standard, ctx));
  out.push(
    ...compareParams(a.notification.params, b.notification.params, {
      section,
      prefix: 'notification ',
      producers: roles.senders,
      consumers: roles.receivers,
      additionalOld: false,
      additionalNew: false,
      standard,
      ctx,
    }),
  );
  return out;
}
