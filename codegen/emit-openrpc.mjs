// Stage 4d: one OpenRPC document per protocol, for OpenRPC tooling (documentation sites, playgrounds,
// client generators in other languages). OpenRPC describes client-to-server requests with one result
// schema; what it cannot say (who sends a message, subscriptions and their notifications, protocol
// version gates, results chosen by version or param, known deviations) goes under `x-` keys on the
// info, methods, content descriptors and example pairings, each defined under the document's
// `x-extensions` in the form the OpenRPC tools read (see EXTENSIONS).
// Everything comes from the model (codegen/model.mjs); no method file is read here.
import { mapDefinitionRefs } from './refs.mjs';

// The newest OpenRPC version that @open-rpc/meta-schema 1.14 knows; @open-rpc/schema-utils-js reads it too.
export const OPENRPC_VERSION = '1.3.2';

// The version of the extension-definition format (@open-rpc/specification-extension-spec: its only one).
const EXTENSION_FORMAT = '0.0.0-development';
// The version of these extensions: raised when one of their schemas changes incompatibly.
const EXTENSIONS_VERSION = '1.0.0';

const VERSION = { type: 'string', minLength: 1 };
const VERSIONS = { type: 'object', additionalProperties: false, required: ['since'], properties: { since: VERSION, deprecated: VERSION, removed: VERSION } };
const STRINGS = { type: 'array', items: { type: 'string', minLength: 1 } };
const DIRECTION = { enum: ['client-to-server', 'server-to-client', 'both'] };
// A JSON Schema of the spec (with its $refs into components), or true for anything; a schema is data here.
const SCHEMA = { type: ['object', 'boolean'] };
const DESCRIPTOR = {
  type: 'object',
  required: ['name', 'schema'],
  properties: { name: { type: 'string' }, description: { type: 'string' }, required: { type: 'boolean' }, schema: SCHEMA, 'x-versions': VERSIONS },
};

/**
 * Every extension key used, as the OpenRPC tools want them under the document's `x-extensions`: a list of
 * Specification Extension objects (@open-rpc/specification-extension-spec), each with its name, what it
 * means, the objects it may appear on (`restricted`, names of the OpenRPC meta-schema's definitions) and
 * the JSON Schema of its value, which @open-rpc/schema-utils-js checks every use against.
 */
export const EXTENSIONS = [
  ['x-kind', 'The kind of message', ['methodObject'], 'request (the sender waits for the result), subscription (a request followed by notifications of the same name) or notification (one-way, never answered).', { enum: ['request', 'subscription', 'notification'] }],
  ['x-direction', 'Who sends it', ['methodObject'], 'Who sends the message named by the method: client-to-server, server-to-client (a request the client answers, or a server notification) or both.', DIRECTION],
  ['x-status', 'Its standing in the protocol', ['methodObject'], 'standard, experimental, legacy, extension, draft or implementation-specific.', { enum: ['standard', 'experimental', 'legacy', 'extension', 'draft', 'implementation-specific'] }],
  ['x-implementations', 'Who implements it', ['methodObject'], 'For implementation-specific methods: the software known to offer it.', STRINGS],
  ['x-versions', 'The protocol versions that have it', ['methodObject', 'contentDescriptorObject'], 'Protocol versions that have it: since (inclusive), removed (exclusive), deprecated (informative). On methods and params (and on the params and the notification inside x-notification).', VERSIONS],
  ['x-additional-params', 'Extra params are ignored', ['methodObject'], 'true when extra positional params after the declared ones must be accepted and ignored.', { type: 'boolean' }],
  [
    'x-variants',
    'The shapes of a result',
    ['contentDescriptorObject'],
    "On a result: each shape the result can take and the condition that selects it (when.versions: a range of the negotiated version, until exclusive; when.params: a JSON Schema each named param, default filled in, must match). The result's own schema is their anyOf.",
    {
      type: 'array',
      minItems: 2,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'when', 'schema'],
        properties: {
          name: { type: 'string' },
          description: { type: 'string' },
          when: {
            type: 'object',
            additionalProperties: false,
            properties: {
              versions: { type: 'object', additionalProperties: false, properties: { since: VERSION, until: VERSION } },
              params: { type: 'object', additionalProperties: SCHEMA },
            },
          },
          schema: SCHEMA,
        },
      },
    },
  ],
  [
    'x-notification',
    'The notification that follows',
    ['methodObject'],
    'On a subscription (or a request that may also be sent as a notification): the notification that follows, with its direction, versions and params.',
    {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'direction', 'params'],
      properties: { name: { type: 'string' }, description: { type: 'string' }, direction: DIRECTION, versions: VERSIONS, params: { type: 'array', items: DESCRIPTOR } },
    },
  ],
  [
    'x-subscription-key',
    'What identifies one subscription',
    ['methodObject'],
    'On a subscription: params, how many leading request params identify one subscription (its notifications carry them first, then the value); inNotifications, how notifications carry them (as-sent, or script-hash: the script hash of the scriptPubKey sent).',
    { type: 'object', additionalProperties: false, required: ['params', 'inNotifications'], properties: { params: { type: 'integer', minimum: 0 }, inNotifications: { enum: ['as-sent', 'script-hash'] } } },
  ],
  ['x-ends', 'The subscription it ends', ['methodObject'], "On an unsubscribe request: the subscription it ends; its params are that subscription's key.", { type: 'string', minLength: 1 }],
  ['x-ended-by', 'The request that ends it', ['methodObject'], 'On a subscription: the request that ends it.', { type: 'string', minLength: 1 }],
  [
    'x-optional-reply',
    'It may go unanswered',
    ['methodObject'],
    'On a request that real peers may leave unanswered: when (always, or repeated: only a repeat on the same connection), reason and source. Senders should not wait long for it.',
    { type: 'object', additionalProperties: false, required: ['when', 'reason', 'source'], properties: { when: { enum: ['always', 'repeated'] }, reason: { type: 'string' }, source: { type: 'string' } } },
  ],
  [
    'x-session-state',
    'It changes the session',
    ['methodObject'],
    'On a request whose accepted answer changes the session: what it sets, and what a client sends on a new connection (onReconnect: replay, replay-each, or resume with resumeParam).',
    {
      type: 'object',
      additionalProperties: false,
      required: ['sets', 'onReconnect'],
      properties: { sets: { type: 'string' }, onReconnect: { enum: ['replay', 'replay-each', 'resume'] }, resumeParam: { type: 'string' } },
    },
  ],
  [
    'x-deviations',
    'What implementations do differently',
    ['methodObject'],
    'What real implementations do differently from the protocol documents, and how the schemas accept it: a string, or {id, software, text, methods?} for one a conformance checker cites by id (methods: the other methods whose messages show it).',
    {
      type: 'array',
      items: {
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'object', additionalProperties: false, required: ['id', 'software', 'text'], properties: { id: { type: 'string' }, software: STRINGS, text: { type: 'string' }, methods: STRINGS } },
        ],
      },
    },
  ],
  ['x-sources', 'Where the facts come from', ['methodObject'], 'Where the facts come from.', { ...STRINGS, minItems: 1 }],
  ['x-protocol-version', 'The version an example was seen at', ['examplePairingObject'], 'On an example: the negotiated protocol version it was seen at.', VERSION],
  [
    'x-error',
    "An example's error answer",
    ['examplePairingObject'],
    'On an example: the error the request was answered with, instead of a result.',
    { type: 'object', additionalProperties: false, required: ['code', 'message'], properties: { code: { type: 'integer' }, message: { type: 'string' } } },
  ],
  [
    'x-notification-params',
    "An example's notification",
    ['examplePairingObject'],
    'On an example of a subscription: the params of a notification that follows, as an Example Object whose value is the params list.',
    { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'array' } } },
  ],
  ['x-protocol-versions', 'The protocol versions', ['infoObject'], 'On info: every protocol version the spec names, oldest first.', { type: 'array', items: VERSION }],
].map(([name, summary, restricted, description, schema]) => ({
  openrpcExtension: EXTENSION_FORMAT,
  name,
  version: EXTENSIONS_VERSION,
  summary,
  description,
  restricted,
  schema,
}));

const DESCRIPTIONS = {
  electrum:
    'The Electrum protocol (wallets and explorers talking to ElectrumX, Fulcrum or electrs): JSON-RPC 2.0 over newline-delimited TCP, TLS or WebSocket, with version negotiation by server.version. Params are positional; JSON-RPC 2.0 params by name, with the names given here, are taken by ElectrumX (and the stratum-sdk servers), not by Fulcrum or electrs.',
  mining:
    'Stratum V1 (miners, proxies and pools): JSON-RPC 1.0-style messages over newline-delimited TCP, sent in both directions. Params are positional; notifications carry "id": null.',
};

const componentRef = (name) => ({ $ref: `#/components/schemas/${name}` });
const toComponents = (schema) => mapDefinitionRefs(schema, (name, node) => {
  // A $ref with sibling keywords (a description) keeps them; draft-07 ignores siblings, as in the spec.
  const { $ref: _replaced, ...siblings } = node;
  return { ...componentRef(name), ...siblings };
});

function contentDescriptor(p) {
  const schema = toComponents(p.schema === true ? {} : p.schema);
  return {
    name: p.name,
    description: p.description,
    required: p.required,
    schema: p.hasDefault && schema && typeof schema === 'object' ? { ...schema, default: p.default } : schema,
    ...(p.versions ? { 'x-versions': p.versions } : {}),
  };
}

function resultDescriptor(m) {
  const variants = m.variants;
  if (!m.result) return undefined;
  const single = !m.multiVariant;
  return {
    name: 'result',
    description: m.result.description,
    schema: single ? toComponents(variants[0].schema) : { anyOf: variants.map((v) => toComponents(v.schema)) },
    ...(single
      ? {}
      : {
          'x-variants': variants.map((v) => ({
            name: v.name,
            description: v.description,
            when: {
              ...(v.when.versions ? { versions: v.when.versions } : {}),
              ...(v.when.params ? { params: Object.fromEntries(Object.entries(v.when.params).map(([k, s]) => [k, toComponents(s)])) } : {}),
            },
            schema: toComponents(v.schema),
          })),
        }),
  };
}

function example(m, ex) {
  const names = m.params;
  return {
    name: ex.name,
    description: `Source: ${ex.source}`,
    params: ex.params.map((value, i) => ({ name: names[i]?.name ?? `extra_${i}`, value })),
    ...('result' in ex ? { result: { name: 'result', value: ex.result } } : {}),
    ...(ex.protocolVersion ? { 'x-protocol-version': ex.protocolVersion } : {}),
    ...(ex.error ? { 'x-error': ex.error } : {}),
    // An Example Object rather than the bare list: the OpenRPC tools dereference each item of a list-valued
    // extension, and a null param (a status) would stop them.
    ...(ex.notification ? { 'x-notification-params': { name: 'notification', value: ex.notification } } : {}),
  };
}

function method(m) {
  const result = resultDescriptor(m);
  const deprecated = Boolean(m.versions?.deprecated) || m.status === 'legacy' || m.status === 'draft';
  const n = m.notification?.separate ? m.notification : null;
  return {
    name: m.method,
    summary: m.summary,
    description: m.description,
    ...(m.namespace ? { tags: [{ name: m.namespace }] } : {}),
    // Params go by position; JSON-RPC 2.0 servers that take them by name (ElectrumX) use these names.
    paramStructure: 'by-position',
    params: m.params.map(contentDescriptor),
    ...(result ? { result } : {}),
    ...(m.errors.length ? { errors: m.errors.map((e) => ({ code: e.code, message: e.message })) } : {}),
    examples: m.examples.map((ex) => example(m, ex)),
    ...(deprecated ? { deprecated: true } : {}),
    'x-kind': m.kind,
    'x-direction': m.direction,
    'x-status': m.status,
    ...(m.implementations ? { 'x-implementations': m.implementations } : {}),
    ...(m.versions ? { 'x-versions': m.versions } : {}),
    ...(m.additionalParams ? { 'x-additional-params': true } : {}),
    ...(n
      ? {
          'x-notification': {
            name: m.method,
            description: n.description,
            direction: n.direction,
            ...(n.versions ? { versions: n.versions } : {}),
            params: n.params.map(contentDescriptor),
          },
        }
      : {}),
    ...(m.subscriptionKey ? { 'x-subscription-key': m.subscriptionKey } : {}),
    ...(m.ends ? { 'x-ends': m.ends } : {}),
    ...(m.endedBy ? { 'x-ended-by': m.endedBy } : {}),
    ...(m.optionalReply ? { 'x-optional-reply': m.optionalReply } : {}),
    ...(m.sessionState ? { 'x-session-state': m.sessionState } : {}),
    ...(m.deviations.length ? { 'x-deviations': m.deviations.map((d) => (d.id ? { id: d.id, software: d.software, text: d.text, ...(d.methods ? { methods: d.methods } : {}) } : d.text)) } : {}),
    'x-sources': m.sources,
  };
}

/**
 * The OpenRPC document for one protocol's model, as a plain object with a stable key order.
 * @param {import('./model.mjs').ProtocolModel} model @param {object} definitions
 */
export function buildOpenRpc(model, definitions) {
  const { protocol, versions } = model;
  const used = model.referencedDefinitions;
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: `${model.title} protocol`,
      description: `${DESCRIPTIONS[protocol]} Generated from spec/${protocol}/ by stratum-sdk (codegen/generate.mjs); the x- keys are defined under x-extensions.`,
      // The version of the described API: the newest protocol version the spec names (Stratum V1 has none).
      version: versions.length ? versions[versions.length - 1] : '1',
      ...(versions.length ? { 'x-protocol-versions': versions } : {}),
    },
    methods: model.methods.map(method),
    components: {
      schemas: Object.fromEntries(used.map((name) => [name, toComponents(definitions.$defs[name])])),
    },
    'x-extensions': EXTENSIONS,
  };
}

export function emitOpenRpc(model, definitions) {
  return `${JSON.stringify(buildOpenRpc(model, definitions), null, 2)}\n`;
}
