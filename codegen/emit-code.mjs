// Stage 4c: the handlebars-rendered files (type maps, registry, client wrappers, handler interfaces).
// This file prepares plain data; the templates in templates/ only print it.
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { docComment } from './model.mjs';
import { PROTOCOL_TITLES, upperFirst } from './names.mjs';

const TEMPLATES = path.join(path.dirname(new URL(import.meta.url).pathname), 'templates');

function loadTemplates() {
  const hb = Handlebars.create();
  hb.registerHelper('json', (value) => JSON.stringify(value));
  hb.registerHelper('eq', (a, b) => a === b);
  hb.registerHelper('withoutKey', (object, key) => Object.fromEntries(Object.entries(object).filter(([k]) => k !== key)));
  hb.registerPartial('node', fs.readFileSync(path.join(TEMPLATES, 'node.hbs'), 'utf8'));
  hb.registerPartial('nodeIn', fs.readFileSync(path.join(TEMPLATES, 'node-in.hbs'), 'utf8'));
  hb.registerPartial('handlerNode', fs.readFileSync(path.join(TEMPLATES, 'handler-node.hbs'), 'utf8'));
  const t = (name) => hb.compile(fs.readFileSync(path.join(TEMPLATES, `${name}.hbs`), 'utf8'), { noEscape: true, strict: true });
  return { types: t('types'), table: t('table'), docs: t('docs'), methods: t('methods'), clientApi: t('client-api'), serverApi: t('server-api'), lite: t('lite') };
}

const ARTICLES = { electrum: 'an', mining: 'a' };

function versionLines(m) {
  const v = m.versions;
  const lines = [];
  if (v) {
    lines.push(`@since protocol ${v.since}`);
    if (v.deprecated) lines.push(`@deprecated Deprecated in protocol ${v.deprecated}${v.removed ? `, removed in ${v.removed}` : ''}.`);
    else if (v.removed) lines.push(`@remarks Removed in protocol ${v.removed}: a server negotiating ${v.removed} or later does not offer it.`);
  }
  if (m.status === 'draft') lines.push('@deprecated A draft that never came into use; kept to recognise it on the wire.');
  if (m.status !== 'standard') lines.push(`@remarks Status: ${m.status}${m.implementations ? ` (${m.implementations.join(', ')})` : ''}.`);
  return lines;
}

function paramLines(params) {
  return params.map((p) => {
    const extra = [];
    if (p.optional) extra.push(p.hasDefault ? `optional, default ${JSON.stringify(p.default)}` : 'optional');
    if (p.versions) extra.push(`protocol ${p.versions.since}${p.versions.removed ? ` to before ${p.versions.removed}` : '+'}`);
    return `- \`${p.name}\`${extra.length ? ` (${extra.join('; ')})` : ''}: ${p.description}`;
  });
}

/** Lines about the method's place in a session: replies that may not come, session state, subscription keys. */
function factLines(m) {
  const lines = [];
  if (m.optionalReply) {
    const when = m.optionalReply.when === 'repeated' ? 'A repeat on the same connection may be left unanswered' : 'May be left unanswered';
    lines.push(`${when}: ${m.optionalReply.reason}`);
  }
  if (m.sessionState) lines.push(`Session state: ${m.sessionState.sets} On a new connection: ${RECONNECT[m.sessionState.onReconnect](m.sessionState)}.`);
  if (m.subscriptionKey) lines.push(`Subscription key: ${keyText(m)}.`);
  if (m.endedBy) lines.push(`Ended by \`${m.endedBy}\`.`);
  if (m.ends) lines.push(`Ends the \`${m.ends}\` subscription with the same key.`);
  return lines.length ? ['', ...lines] : [];
}

const RECONNECT = {
  replay: () => 'sent again as last accepted',
  'replay-each': () => 'each accepted one sent again',
  resume: (s) => `sent again with \`${s.resumeParam}\` to resume the session, or without it if refused`,
};

function keyText(m) {
  const k = m.subscriptionKey;
  if (k.params === 0) return 'none (one subscription per connection)';
  const names = m.params.slice(0, k.params).map((p) => `\`${p.name}\``).join(', ');
  return k.inNotifications === 'script-hash' ? `${names}, named in notifications by its script hash` : names;
}

function methodData(m) {
  const head = [m.summary, '', m.description];
  const paramsDoc = docComment([`Params of \`${m.method}\`.`, ...(m.params.length ? ['', ...paramLines(m.params)] : [])]);
  const resultLines = m.hasResult
    ? ['', `Result: ${m.result.description}`, ...(m.multiVariant ? m.variants.map((v) => `- \`${v.name}\` (${describeWhen(v.when)}): ${v.description}`) : [])]
    : [];
  const notificationLines = m.notification && m.kind !== 'notification' ? ['', `Notifications (\`${m.method}\`): ${m.notification.description}`] : [];
  const wrapperDoc = docComment([...head, ...(m.params.length ? ['', 'Params:', ...paramLines(m.params)] : []), ...resultLines, ...notificationLines, ...factLines(m), '', ...versionLines(m)]);
  return {
    ...m,
    paramsDoc,
    wrapperDoc,
    handlerDoc: docComment([`\`${m.method}\`: ${m.summary}`, '', ...versionLines(m)], '  '),
    notificationDoc: docComment([
      `Params of the \`${m.method}\` notification${m.notification?.description ? `: ${m.notification.description}` : '.'}`,
      '',
      ...paramLines(m.notification?.params ?? []),
    ]),
    overloadTypes: m.overloads.map((o) => ({ ...o, name: `${m.paramsType}${upperFirst(o.variant)}` })),
    variants: m.variants.map((v) => ({
      ...v,
      conditionValidators: Object.keys(v.when?.params ?? {}).map((param) => ({ param, validator: `${m.key}__when_${v.name}_${param}` })),
    })),
    notificationValidator: m.kind === 'notification' ? `${m.key}__params` : `${m.key}__notification`,
    errorList: m.errors.map((e) => ({ code: e.code, message: e.message })),
    deprecated: m.versions?.deprecated ?? null,
    // The table's default: one result shape, named "result", at every version.
    oneResult: m.variants.length === 1 && m.variants[0].name === 'result' && !m.variants[0].when?.versions,
  };
}

function describeWhen(when) {
  const parts = [];
  if (when?.versions?.since) parts.push(`protocol ${when.versions.since}+`);
  if (when?.versions?.until) parts.push(`protocol before ${when.versions.until}`);
  for (const [p, s] of Object.entries(when?.params ?? {})) parts.push(`\`${p}\` ${'const' in s ? `= ${JSON.stringify(s.const)}` : `matches ${JSON.stringify(s)}`}`);
  return parts.join(', ') || 'always';
}

/** One method's eras as a TypeScript union of objects (see codegen/eras.mjs). */
function requestErasType(m) {
  // Every era of a method with overloads names them all (never where one does not exist), so a wrapper
  // reaches one by indexing, which the type checker resolves and prints as the union it is.
  const names = m.overloads.map((o) => o.variant);
  return m.eras.requests
    .map((e) => {
      const overload = (name) => e.overloads.find((o) => o.name === name);
      const overloads = names.length
        ? `; overloads: { ${names.map((name) => `${name}: ${overload(name) ? `{ params: ${overload(name).params}; result: ${overload(name).result} }` : 'never'}`).join('; ')} }`
        : '';
      return `{ at: ${atType(e.at)}; params: ${e.params}; named: ${e.named}; result: ${e.result}${overloads} }`;
    })
    .join(' | ');
}

function notificationErasType(eras) {
  return eras.map((e) => `{ at: ${atType(e.at)}; params: ${e.params} }`).join(' | ');
}

const atType = (versions) => versions.map((v) => `'${v}'`).join(' | ');

function buildTree(methods, protocol) {
  const root = {};
  for (const m of methods) {
    let node = root;
    m.accessor.forEach((seg, i) => {
      const last = i === m.accessor.length - 1;
      if (last) {
        if (node[seg] !== undefined) throw new Error(`spec/${protocol}/${m.method}.json: /method: the wrapper name collides with a namespace`);
        node[seg] = m;
      } else {
        if (node[seg]?.method) throw new Error(`spec/${protocol}/${m.method}.json: /method: the namespace collides with method ${node[seg].method}`);
        node = node[seg] ??= {};
      }
    });
  }
  const toView = (node) => ({
    children: Object.keys(node)
      .sort()
      .map((name) => (node[name].method ? { name, method: node[name] } : { name, ...toView(node[name]) })),
  });
  const toJson = (node) => Object.fromEntries(Object.keys(node).sort().map((k) => [k, node[k].method ? node[k].method : toJson(node[k])]));
  return { view: toView(root), json: toJson(root) };
}

/** The lite client's wrapper roots: the first segment of every request a client sends (validate.mjs checks the rest). */
function liteRoots(clientMethods) {
  return [...new Set(clientMethods.map((m) => m.accessor[0]))].sort();
}

/**
 * runtimeImport: the folder of src/runtime relative to <out>/<protocol>/; packageImport, instead: the
 * package's name, for code generated outside the package (`stratum-sdk generate`), which imports the
 * runtime through the package's public entry point only.
 */
export function emitCode(model, { banner, jsttTypes, definitionImports, runtimeImport = '../../runtime', packageImport }) {
  const t = loadTemplates();
  const methods = model.methods.map(methodData);
  const Proto = upperFirst(model.protocol);
  const names = (pred) => methods.filter(pred).map((m) => `'${m.method}'`).join(' | ') || 'never';
  const registryImport = packageImport ?? `${runtimeImport}/registry.js`;
  const bindImport = packageImport ?? `${runtimeImport}/bind.js`;
  const common = { banner, registryImport, bindImport, protocol: model.protocol, proto: model.protocol, Proto, protocolTitle: PROTOCOL_TITLES[model.protocol], article: ARTICLES[model.protocol], methods };

  const clientMethods = methods.filter((m) => m.clientSends);
  const serverMethods = methods.filter((m) => m.serverSends);
  const tree = buildTree(clientMethods, model.protocol);
  // What a server sends a client of its own accord: its requests, and notifications that are methods of
  // their own (not a subscription's updates). A client dispatches them through this generated tree, so it
  // names no wire name by hand.
  const serverMessages = methods.filter((m) => m.serverSends || (m.kind === 'notification' && m.serverNotifies));
  const serverTree = serverMessages.length ? buildTree(serverMessages, model.protocol) : null;
  const first = clientMethods.find((m) => m.accessor.length > 2) ?? clientMethods[0];
  const sorted = (xs) => [...new Set(xs)].sort();
  // Electrum has versions: its types say what each method is at each of them, and its wrappers are typed
  // by the versions a client speaks. Stratum V1 has none.
  const versioned = model.versions.length > 0;
  const byVersion = versioned
    ? {
        namedVersionsTuple: `[${model.versions.map((v) => `'${v}'`).join(', ')}]`,
        requestEras: methods.filter((m) => m.eras.requests.length).map((m) => ({ method: m.method, eras: requestErasType(m) })),
        notificationEras: methods.filter((m) => m.eras.notifications.length).map((m) => ({ method: m.method, eras: notificationErasType(m.eras.notifications) })),
      }
    : {};

  // The smallest client's facts (stratum-sdk/electrum/lite): for a protocol whose subscriptions are keyed, as
  // Electrum's are; Stratum's clients keep a session instead.
  const keyed = clientMethods.filter((m) => m.kind === 'subscription' && m.subscriptionKey);
  const lite = keyed.length
    ? {
        'lite.ts': t.lite({
          ...common,
          example: first ? { wire: first.method, accessor: `client.${first.accessor.join('.')}` } : { wire: '', accessor: '' },
          clientRoots: liteRoots(clientMethods),
          subscriptionKeys: keyed.map((m) => ({ method: m.method, arity: m.subscriptionKey.inNotifications === 'script-hash' ? -1 : m.subscriptionKey.params })),
          unsubscribes: clientMethods.filter((m) => m.ends).map((m) => ({ method: m.method, ends: m.ends })),
        }),
      }
    : {};

  return {
    ...lite,
    'types.ts': t.types({
      ...common,
      versioned,
      ...byVersion,
      jsttTypes,
      definitionImports: definitionImports.join(', '),
      clientRequestNames: names((m) => m.clientSends),
      serverRequestNames: names((m) => m.serverSends),
    }),
    'table.ts': t.table(common),
    'docs.ts': t.docs(common),
    'methods.ts': t.methods(common),
    'client-api.ts': t.clientApi({
      ...common,
      versioned,
      serverTree: serverTree?.view ?? null,
      serverTreeJson: serverTree ? JSON.stringify(serverTree.json, null, 2) : '',
      tree: tree.view,
      treeJson: JSON.stringify(tree.json, null, 2),
      example: first ? { wire: first.method, accessor: `client.${first.accessor.join('.')}` } : { wire: '', accessor: '' },
      typeImports: sorted([
        ...(versioned
          ? [`${Proto}NamedVersion`, `${Proto}RequestsByVersion`]
          : clientMethods.flatMap((m) => [m.paramsType, m.resultType, ...m.overloadTypes.map((o) => o.name), ...m.overloads.flatMap((o) => o.resultTypes)])),
        ...serverMessages.flatMap((m) => (m.serverSends ? [m.paramsType, m.resultType] : [m.notificationType])),
      ]),
    }),
    'server-api.ts': t.serverApi({
      ...common,
      versioned,
      serverSendsAny: serverMethods.length > 0,
      typeImports: sorted([
        ...[...clientMethods, ...serverMethods].flatMap((m) => [m.paramsType, m.resultType]),
        ...(versioned ? [`${Proto}Methods`, `${Proto}RequestsByVersion`] : []),
      ]),
    }),
  };
}
