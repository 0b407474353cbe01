// Stage 4d: one OpenRPC document per protocol, for OpenRPC tooling (documentation sites, playgrounds,
// client generators in other languages). OpenRPC describes client-to-server requests with one result
// schema; what it cannot say (who sends a message, subscriptions and their notifications, protocol
// version gates, results chosen by version or param, known deviations) goes under `x-` keys, which
// the OpenRPC meta-schema allows on the document, its info, methods and content descriptors.
import { PROTOCOL_TITLES, namespaceOf } from './names.mjs';
import { mapDefinitionRefs, schemasOfMethod, usedDefinitionNames } from './refs.mjs';
import { namedVersions } from './versions.mjs';
import { resultVariants } from './schemas.mjs';

// The newest OpenRPC version that @open-rpc/meta-schema 1.14 knows.
export const OPENRPC_VERSION = '1.3.2';

/** Every extension key used, with its meaning; published in the document itself. */
export const EXTENSIONS = {
  'x-kind': 'request (the sender waits for the result), subscription (a request followed by notifications of the same name) or notification (one-way, never answered).',
  'x-direction': 'Who sends the message named by the method: client-to-server, server-to-client (a request the client answers, or a server notification) or both.',
  'x-status': 'standard, experimental, legacy, extension, draft or implementation-specific.',
  'x-implementations': 'For implementation-specific methods: the software known to offer it.',
  'x-versions': 'Protocol versions that have it: since (inclusive), removed (exclusive), deprecated (informative). On methods, params and notifications.',
  'x-additional-params': 'true when extra positional params after the declared ones must be accepted and ignored.',
  'x-variants': "On a result: each shape the result can take and the condition that selects it (when.versions: a range of the negotiated version, until exclusive; when.params: a JSON Schema each named param, default filled in, must match). The result's own schema is their anyOf.",
  'x-notification': 'On a subscription (or a request that may also be sent as a notification): the notification that follows, with its direction, versions and params.',
  'x-deviations': 'What real implementations do differently from the protocol documents, and how the schemas accept it.',
  'x-sources': 'Where the facts come from.',
  'x-protocol-version': 'On an example: the negotiated protocol version it was seen at.',
  'x-error': 'On an example: the error the request was answered with, instead of a result.',
  'x-notification-params': 'On an example of a subscription: the params of a notification that follows.',
  'x-protocol-versions': 'On info: every protocol version the spec names, oldest first.',
};

const DESCRIPTIONS = {
  electrum:
    'The Electrum protocol (wallets and explorers talking to ElectrumX, Fulcrum or electrs): JSON-RPC 2.0 over newline-delimited TCP, TLS or WebSocket, with version negotiation by server.version. Params are positional.',
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
    required: p.required !== false,
    schema: 'default' in p && schema && typeof schema === 'object' ? { ...schema, default: p.default } : schema,
    ...(p.versions ? { 'x-versions': p.versions } : {}),
  };
}

function resultDescriptor(doc) {
  const variants = resultVariants(doc);
  if (!variants.length) return undefined;
  const single = !doc.result.variants;
  return {
    name: 'result',
    description: doc.result.description,
    schema: single ? toComponents(doc.result.schema) : { anyOf: variants.map((v) => toComponents(v.schema)) },
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

function example(doc, ex) {
  const names = doc.params;
  return {
    name: ex.name,
    description: `Source: ${ex.source}`,
    params: ex.params.map((value, i) => ({ name: names[i]?.name ?? `extra_${i}`, value })),
    ...('result' in ex ? { result: { name: 'result', value: ex.result } } : {}),
    ...(ex.protocolVersion ? { 'x-protocol-version': ex.protocolVersion } : {}),
    ...(ex.error ? { 'x-error': ex.error } : {}),
    ...(ex.notification ? { 'x-notification-params': ex.notification } : {}),
  };
}

function method(doc) {
  const result = resultDescriptor(doc);
  const deprecated = Boolean(doc.versions?.deprecated) || doc.status === 'legacy' || doc.status === 'draft';
  const namespace = namespaceOf(doc.method);
  return {
    name: doc.method,
    summary: doc.summary,
    description: doc.description,
    ...(namespace ? { tags: [{ name: namespace }] } : {}),
    paramStructure: 'by-position',
    params: doc.params.map(contentDescriptor),
    ...(result ? { result } : {}),
    ...(doc.errors?.length ? { errors: doc.errors.map((e) => ({ code: e.code, message: e.message })) } : {}),
    examples: doc.examples.map((ex) => example(doc, ex)),
    ...(deprecated ? { deprecated: true } : {}),
    'x-kind': doc.kind,
    'x-direction': doc.direction,
    'x-status': doc.status,
    ...(doc.implementations ? { 'x-implementations': doc.implementations } : {}),
    ...(doc.versions ? { 'x-versions': doc.versions } : {}),
    ...(doc.additionalParams ? { 'x-additional-params': true } : {}),
    ...(doc.notification
      ? {
          'x-notification': {
            name: doc.method,
            description: doc.notification.description,
            direction: doc.notification.direction,
            ...(doc.notification.versions ? { versions: doc.notification.versions } : {}),
            params: doc.notification.params.map(contentDescriptor),
          },
        }
      : {}),
    ...(doc.deviations?.length ? { 'x-deviations': doc.deviations } : {}),
    'x-sources': doc.sources,
  };
}

/** The OpenRPC document for one protocol's method files, as a plain object with a stable key order. */
export function buildOpenRpc(protocol, docs, definitions) {
  const versions = namedVersions(docs);
  const used = usedDefinitionNames(docs.flatMap(schemasOfMethod), definitions);
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: `${PROTOCOL_TITLES[protocol]} protocol`,
      description: `${DESCRIPTIONS[protocol]} Generated from spec/${protocol}/ by stratum-sdk (codegen/generate.mjs); the x- keys are described under x-extensions.`,
      // The version of the described API: the newest protocol version the spec names (Stratum V1 has none).
      version: versions.length ? versions[versions.length - 1] : '1',
      ...(versions.length ? { 'x-protocol-versions': versions } : {}),
    },
    methods: docs.map(method),
    components: {
      schemas: Object.fromEntries(used.map((name) => [name, toComponents(definitions.$defs[name])])),
    },
    'x-extensions': EXTENSIONS,
  };
}

export function emitOpenRpc(protocol, docs, definitions) {
  return `${JSON.stringify(buildOpenRpc(protocol, docs, definitions), null, 2)}\n`;
}
