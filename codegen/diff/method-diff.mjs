// What changed in one method between two specs. Each change names its rule (rules.mjs) and the roles of
// the message it is in: who sends that message and who receives it. diff.mjs turns rule and roles into
// the verdict for clients and for servers. Pure: method files and definitions in, changes out.
import { compareVersions, inVersions } from '../versions.mjs';
import { documentationChanges } from './doc-diff.mjs';
import { canonical, normalizeSchema } from './normalize.mjs';
import { compareResults } from './result-diff.mjs';
import { compareSchemas } from './schema-diff.mjs';

/**
 * @typedef {{ senders: string[], receivers: string[] }} Roles
 * @typedef {{ section: 'method'|'params'|'result'|'notification', where: string, kind: string, path?: string,
 *   message: string, rule: string, roles: Roles }} RawChange
 * @typedef {{ oldDefinitions: object, newDefinitions: object, knownVersions: string[], protocolIsNew: boolean }} DiffContext
 *   knownVersions: the versions the old spec names; protocolIsNew: the old spec had no method of this protocol.
 */

/** Who sends a message in this direction, and who receives it. */
export function rolesOf(direction) {
  if (direction === 'client-to-server') return { senders: ['client'], receivers: ['server'] };
  if (direction === 'server-to-client') return { senders: ['server'], receivers: ['client'] };
  return { senders: ['client', 'server'], receivers: ['client', 'server'] };
}

const reversed = ({ senders, receivers }) => ({ senders: receivers, receivers: senders });

/** Whether something newly offered lands on versions implementations already speak (or on a protocol without versions). */
function reachesKnownVersions(range, ctx) {
  if (ctx.protocolIsNew) return false;
  if (!range) return true;
  return ctx.knownVersions.some((v) => inVersions(v, range));
}

const describeVersions = (v) => (v ? `protocol ${v.since}+${v.removed ? `, removed in ${v.removed}` : ''}` : '');
const DIRECTIONS = { 'client-to-server': 'client -> server', 'server-to-client': 'server -> client', both: 'both ways' };
const pluralSides = (sides) => sides.map((s) => `${s}s`).join(' and ');

/** Roles of everything a method carries: its request (or notification) with its params, and the result. */
function rolesOfMethod(doc) {
  const request = rolesOf(doc.direction);
  return { request, result: reversed(request), notification: doc.notification ? rolesOf(doc.notification.direction) : null };
}

const raw = (section, where, kind, message, rule, roles, path) => ({ section, where, kind, ...(path ? { path } : {}), message, rule, roles });

export function methodAdded(doc, ctx) {
  const { request } = rolesOfMethod(doc);
  const obliged = doc.status === 'standard' && reachesKnownVersions(doc.versions, ctx);
  const what = [doc.kind, DIRECTIONS[doc.direction], doc.status, describeVersions(doc.versions)].filter(Boolean).join(', ');
  const duty = doc.kind === 'notification' ? 'handle it' : 'answer it';
  const note = obliged
    ? `; ${pluralSides(request.receivers)} must now ${duty}${doc.versions ? ' at versions they already speak' : ''}`
    : doc.status !== 'standard' || ctx.protocolIsNew
      ? ''
      : `; only versions the old spec did not name have it`;
  return [raw('method', 'method', 'method-added', `added (${what})${note}`, obliged ? 'method-added' : 'method-added-elsewhere', request)];
}

export function methodRemoved(doc) {
  const { request } = rolesOfMethod(doc);
  const verb = doc.kind === 'notification' ? 'send' : 'call';
  return [raw('method', 'method', 'method-removed', `removed; ${pluralSides(request.senders)} that ${verb} it must stop`, 'method-removed', request)];
}

/** A version gate (method, param or notification) that moved. */
function compareGate(a, b, section, where, roles, standard, ctx) {
  const out = [];
  if (!a && !b) return out;
  const push = (kind, message, rule) => out.push(raw(section, where, kind, message, rule, roles));
  const widened = (reaches) => (reaches && standard ? 'gate-widened' : 'gate-widened-elsewhere');
  if (!a || !b) {
    if (b) push('versions-moved', `now gated: ${describeVersions(b)}`, 'gate-narrowed');
    else push('versions-moved', `no longer gated by version (was ${describeVersions(a)})`, widened(!ctx.protocolIsNew));
    return out;
  }
  if (a.since !== b.since) {
    const later = compareVersions(b.since, a.since) > 0;
    push('versions-moved', `since ${a.since} -> ${b.since}`, later ? 'gate-narrowed' : widened(reachesKnownVersions({ since: b.since, removed: a.since }, ctx)));
  }
  if (a.removed !== b.removed) {
    const earlier = b.removed !== undefined && (a.removed === undefined || compareVersions(b.removed, a.removed) < 0);
    const message = b.removed === undefined ? `no longer removed (was removed in ${a.removed})` : a.removed === undefined ? `removed in protocol ${b.removed}` : `removed in ${a.removed} -> ${b.removed}`;
    push('versions-moved', message, earlier ? 'gate-narrowed' : widened(reachesKnownVersions({ since: a.removed, removed: b.removed }, ctx)));
  }
  if (a.deprecated !== b.deprecated) {
    push(b.deprecated ? 'deprecated' : 'undeprecated', b.deprecated ? `deprecated in protocol ${b.deprecated}${a.deprecated ? ` (was ${a.deprecated})` : ''}` : `no longer deprecated (was ${a.deprecated})`, 'deprecated');
  }
  return out;
}

/**
 * Positional params (of a message or of its notification form), matched by name. `roles` are the
 * message's; openOld/openNew: whether the old and new lists take extra params (additionalParams).
 */
function compareParams(a, b, { section, prefix, roles, openOld, openNew, standard, ctx }) {
  const out = [];
  const label = (p, i) => `${prefix}params[${i}] ${p.name}`;
  const oldIndex = new Map(a.map((p, i) => [p.name, i]));
  const newIndex = new Map(b.map((p, i) => [p.name, i]));
  const push = (where, kind, message, rule, path) => out.push(raw(section, where, kind, message, rule, roles, path));
  const open = (isOpen) => (isOpen ? '-open' : '');

  b.forEach((p, i) => {
    if (oldIndex.has(p.name)) return;
    const required = p.required !== false;
    const message = `added (${required ? 'required' : 'optional'}${p.versions ? `, ${describeVersions(p.versions)}` : ''})`;
    // Only receivers that speak a version with this param can be sent it.
    if (p.versions && !reachesKnownVersions(p.versions, ctx)) push(label(p, i), 'param-added', message, 'param-added-elsewhere');
    else push(label(p, i), 'param-added', message, `param-added-${required ? 'required' : 'optional'}${open(openOld)}`);
  });
  a.forEach((p, i) => {
    if (newIndex.has(p.name)) return;
    const required = p.required !== false;
    push(label(p, i), 'param-removed', `removed (was ${required ? 'required' : 'optional'})`, `param-removed-${required ? 'required' : 'optional'}${open(openNew)}`);
  });

  // Positional params: a param at another position is a different message on the wire.
  for (const p of b) {
    const i = oldIndex.get(p.name);
    const j = newIndex.get(p.name);
    if (i !== undefined && i !== j) push(label(p, j), 'param-reordered', `moved from position ${i} to ${j}`, 'param-reordered');
  }

  for (const p of b) {
    const i = oldIndex.get(p.name);
    if (i === undefined) continue;
    const q = a[i];
    const where = label(p, newIndex.get(p.name));
    if (q.required !== false && p.required === false) push(where, 'param-optional', 'now optional', 'param-optional');
    if (q.required === false && p.required !== false) push(where, 'param-required', 'now required', 'param-required');
    // What an omitted param means changed: senders get other behaviour, receivers must apply the new default.
    if (canonical(q.default) !== canonical(p.default)) push(where, 'param-default-changed', `default ${JSON.stringify(q.default) ?? 'none'} -> ${JSON.stringify(p.default) ?? 'none'}`, 'param-default-changed');
    for (const c of compareSchemas(normalizeSchema(q.schema, ctx.oldDefinitions), normalizeSchema(p.schema, ctx.newDefinitions))) push(where, c.kind, c.message, c.rule, c.path);
    out.push(...compareGate(q.versions, p.versions, section, where, roles, standard, ctx));
  }
  if (Boolean(openOld) !== Boolean(openNew)) {
    push(`${prefix}params`, 'additional-params-changed', openNew ? 'extra params are now accepted and ignored' : 'extra params are no longer accepted', openNew ? 'extra-params-accepted' : 'extra-params-refused');
  }
  return out;
}

/** @returns {RawChange[]} */
export function diffMethod(a, b, ctx) {
  const out = [];
  const standard = b.status === 'standard';
  const roles = rolesOfMethod(b);
  const method = (kind, message, rule, where = 'method') => out.push(raw('method', where, kind, message, rule, roles.request));
  if (a.kind !== b.kind) method('kind-changed', `kind changed from ${a.kind} to ${b.kind}`, 'kind-changed');
  if (a.direction !== b.direction) method('direction-changed', `direction changed from ${DIRECTIONS[a.direction]} to ${DIRECTIONS[b.direction]}`, 'direction-changed');
  if (a.status !== b.status) method('status-changed', `status changed from ${a.status} to ${b.status}`, 'status-changed');
  out.push(...compareGate(a.versions, b.versions, 'method', 'method', roles.request, standard, ctx));

  out.push(
    ...compareParams(a.params ?? [], b.params ?? [], {
      section: 'params',
      prefix: '',
      roles: roles.request,
      openOld: a.additionalParams === true,
      openNew: b.additionalParams === true,
      standard,
      ctx,
    }),
  );

  for (const c of compareResults(a, b, ctx.oldDefinitions, ctx.newDefinitions)) out.push(raw('result', c.where, c.kind, c.message, c.rule, roles.result, c.path));

  out.push(...compareNotifications(a, b, standard, ctx));
  out.push(...compareSessionFacts(a, b, roles.request, roles.notification));

  // Error answers go from the side that answers the request to the side that sent it.
  const codes = (doc) => new Set((doc.errors ?? []).map((e) => e.code));
  const added = [...codes(b)].filter((c) => !codes(a).has(c));
  const removed = [...codes(a)].filter((c) => !codes(b).has(c));
  if (added.length) out.push(raw('method', 'errors', 'errors-changed', `codes added: ${added.join(', ')}`, 'error-code-added', roles.result));
  if (removed.length) out.push(raw('method', 'errors', 'errors-changed', `codes removed: ${removed.join(', ')}`, 'error-code-removed', roles.result));

  const words = documentationChanges(a, b);
  if (words.length) method('documentation-changed', `documentation changed: ${words.join(', ')}`, 'documentation-changed');
  return out;
}

/**
 * The facts about a method's place in a session (subscriptionKey, ends, optionalReply, sessionState). They
 * describe how peers behave rather than what a message may hold, so only a changed subscription key breaks
 * anyone: clients match notifications by it and servers key subscriptions by it. A fact recorded for the
 * first time is reported as such (older specs did not record them). The reasons and sources given with a
 * fact are documentation (doc-diff.mjs).
 */
function compareSessionFacts(a, b, roles, notificationRoles) {
  const out = [];
  const push = (where, message, rule = 'session-facts-changed', by = roles) => out.push(raw('method', where, 'session-facts-changed', message, rule, by));
  const keyText = (k) => `${k.params} param${k.params === 1 ? '' : 's'}${k.inNotifications === 'script-hash' ? ', notified by script hash' : ''}`;
  const key = (doc) => (doc.subscriptionKey ? { params: doc.subscriptionKey.params, inNotifications: doc.subscriptionKey.inNotifications ?? 'as-sent' } : undefined);
  const [ka, kb] = [key(a), key(b)];
  if (!ka && kb) push('subscriptionKey', `recorded: ${keyText(kb)}`);
  else if (ka && !kb) push('subscriptionKey', `removed (was ${keyText(ka)})`);
  else if (ka && kb && canonical(ka) !== canonical(kb)) {
    // Only how notifications carry the key changed: that is in the notifications.
    const inNotificationsOnly = ka.params === kb.params && notificationRoles;
    push('subscriptionKey', `${keyText(ka)} -> ${keyText(kb)}`, 'subscription-key-changed', inNotificationsOnly ? notificationRoles : roles);
  }
  if (a.ends !== b.ends) push('ends', b.ends ? `${a.ends ? `${a.ends} -> ` : 'recorded: '}${b.ends}` : `removed (was ${a.ends})`);
  const reply = (doc) => (doc.optionalReply ? { when: doc.optionalReply.when } : null);
  if (canonical(reply(a)) !== canonical(reply(b))) {
    const text = (r) => (r.when === 'repeated' ? 'a repeat may be left unanswered' : 'may be left unanswered');
    push('optionalReply', b.optionalReply ? `${text(b.optionalReply)}${a.optionalReply ? ` (was: ${text(a.optionalReply)})` : ''}` : 'always answered now, by the spec');
  }
  const state = (doc) => (doc.sessionState ? { onReconnect: doc.sessionState.onReconnect, resumeParam: doc.sessionState.resumeParam ?? null } : null);
  if (canonical(state(a)) !== canonical(state(b))) {
    push('sessionState', b.sessionState ? `sets session state; on a new connection: ${b.sessionState.onReconnect}${a.sessionState ? ` (was ${a.sessionState.onReconnect})` : ''}` : 'no longer sets session state');
  }
  return out;
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
    return [raw(section, where, 'notification-added', `now also sent as a notification (${DIRECTIONS[b.notification.direction]})`, obliged ? 'notification-added' : 'notification-added-elsewhere', roles)];
  }
  if (!b.notification) return [raw(section, where, 'notification-removed', 'no notification any more', 'notification-removed', rolesOf(a.notification.direction))];
  const out = [];
  const roles = rolesOf(b.notification.direction);
  if (a.notification.direction !== b.notification.direction) {
    out.push(raw(section, where, 'direction-changed', `direction changed from ${DIRECTIONS[a.notification.direction]} to ${DIRECTIONS[b.notification.direction]}`, 'direction-changed', roles));
  }
  out.push(...compareGate(a.notification.versions, b.notification.versions, section, where, roles, standard, ctx));
  // A subscription's notifications are checked as a closed list: extra params are refused.
  out.push(...compareParams(a.notification.params, b.notification.params, { section, prefix: 'notification ', roles, openOld: false, openNew: false, standard, ctx }));
  return out;
}
