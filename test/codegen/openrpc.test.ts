// The OpenRPC export: each document is valid against the OpenRPC meta-schema (@open-rpc/meta-schema),
// is self-contained (every $ref resolves inside it), agrees with its own examples, and carries what
// OpenRPC cannot say under documented x- keys.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../codegen/generate.mjs';
import { ROOT } from '../helpers/spec-files.js';

interface Descriptor {
  name: string;
  required?: boolean;
  schema: unknown;
  [ext: `x-${string}`]: unknown;
}
interface Example {
  name: string;
  params: { name: string; value: unknown }[];
  result?: { name: string; value: unknown };
  [ext: `x-${string}`]: unknown;
}
interface Method {
  name: string;
  params: Descriptor[];
  result?: Descriptor & { 'x-variants'?: { name: string; when: Record<string, unknown>; schema: unknown }[] };
  examples: Example[];
  deprecated?: boolean;
  [ext: `x-${string}`]: unknown;
}
interface OpenRpcDoc {
  openrpc: string;
  info: { title: string; version: string; [ext: `x-${string}`]: unknown };
  methods: Method[];
  components: { schemas: Record<string, unknown> };
  'x-extensions': Record<string, string>;
}

// The package's typings declare its types only; the schema is the CommonJS export `openrpcDocument`.
const require = createRequire(import.meta.url);
const { openrpcDocument } = require('@open-rpc/meta-schema') as { openrpcDocument: Record<string, unknown> };
const draft07 = require('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown> & { definitions: Record<string, unknown> };

const readDoc = (protocol: string): OpenRpcDoc =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'openrpc', `${protocol}.openrpc.json`), 'utf8')) as OpenRpcDoc;

/**
 * The OpenRPC meta-schema validates embedded schemas against https://meta.json-schema.tools, which the
 * package does not ship; that is a draft-07 meta-schema, so ajv's own draft-07 one stands in for it
 * (with the one definition the OpenRPC schema points into). It also spells that id with and without a
 * trailing slash, which ajv treats as two documents; the copy uses one spelling.
 */
function openRpcValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const { $id: _id, $schema: _schema, ...draft } = draft07;
  ajv.addSchema({
    ...draft,
    $id: 'https://meta.json-schema.tools/',
    definitions: { ...draft.definitions, JSONSchemaObject: { properties: { $ref: { type: 'string', format: 'uri-reference' } } } },
  });
  const { $schema: _s, ...meta } = openrpcDocument;
  return ajv.compile(JSON.parse(JSON.stringify(meta).replaceAll('"https://meta.json-schema.tools"', '"https://meta.json-schema.tools/"')));
}

const validate = openRpcValidator();
const errorsOf = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe.each(['electrum', 'mining'])('docs/openrpc/%s.openrpc.json', (protocol) => {
  const doc = readDoc(protocol);

  it('is valid against the OpenRPC meta-schema', () => {
    expect(errorsOf(doc)).toEqual([]);
    expect(doc.openrpc).toMatch(/^1\.3\./);
  });

  it('lists every method file of the protocol', () => {
    const files = fs.readdirSync(path.join(ROOT, 'spec', protocol)).map((f) => f.replace(/\.json$/, '')).sort();
    expect(doc.methods.map((m) => m.name)).toEqual(files);
  });

  it('is self-contained and agrees with its own examples', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    // Each schema is compiled with the document's components beside it, so "#/components/..." resolves.
    const compile = (schema: unknown) => ajv.compile({ ...(schema as object), components: doc.components });
    let checked = 0;
    for (const m of doc.methods) {
      const params = m.params.map((p) => compile(p.schema));
      const result = m.result ? compile(m.result.schema) : undefined;
      for (const ex of m.examples) {
        ex.params.forEach((p, i) => {
          const check = params[i];
          if (check) expect(check(p.value), `${m.name} example "${ex.name}" param ${p.name}: ${JSON.stringify(check.errors)}`).toBe(true);
        });
        if (ex.result && result) expect(result(ex.result.value), `${m.name} example "${ex.name}" result`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(doc.methods.length);
  });

  it('documents every x- key it uses', () => {
    const used = new Set<string>();
    const walk = (node: unknown, inSchema: boolean) => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, inSchema));
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'x-extensions') continue;
        if (k.startsWith('x-') && !inSchema) used.add(k);
        // Schemas and example values are data; a key spelled "x-..." there would not be an extension.
        walk(v, inSchema || k === 'schema' || k === 'schemas' || k === 'value');
      }
    };
    walk(doc, false);
    expect(used.size).toBeGreaterThan(3);
    for (const k of used) expect(doc['x-extensions'], k).toHaveProperty([k]);
  });

  it('refuses a broken copy (the validator is not vacuous)', () => {
    const noSchema = structuredClone(doc);
    (noSchema.methods[0]!.params as unknown[]).push({ name: 'no_schema' });
    expect(errorsOf(noSchema).length).toBeGreaterThan(0);
    const unknownKey = { ...structuredClone(doc), kind: 'not an extension' };
    expect(errorsOf(unknownKey).length).toBeGreaterThan(0);
    const badSchema = structuredClone(doc);
    badSchema.components.schemas['broken'] = { type: 'no-such-type' };
    expect(errorsOf(badSchema).length).toBeGreaterThan(0);
  });
});

describe('extensions carry what OpenRPC cannot say', () => {
  const electrum = readDoc('electrum');
  const mining = readDoc('mining');
  const method = (doc: OpenRpcDoc, name: string) => {
    const m = doc.methods.find((x) => x.name === name);
    if (!m) throw new Error(`no ${name}`);
    return m;
  };

  it('version gates on methods and params, and the versions the spec names', () => {
    expect(method(electrum, 'blockchain.scripthash.subscribe')['x-versions']).toEqual({ since: '1.1', removed: '1.7' });
    expect(method(electrum, 'blockchain.transaction.get').params[1]!['x-versions']).toEqual({ since: '1.2' });
    expect(electrum.info['x-protocol-versions']).toEqual(expect.arrayContaining(['1.0', '1.4', '1.6', '1.7']));
    expect(electrum.info.version).toBe('1.7');
  });

  it('subscriptions and their notifications', () => {
    const sub = method(electrum, 'blockchain.scripthash.subscribe');
    expect(sub['x-kind']).toBe('subscription');
    expect(sub['x-notification']).toMatchObject({ name: 'blockchain.scripthash.subscribe', direction: 'server-to-client' });
    const notification = sub['x-notification'] as { params: Descriptor[] };
    expect(notification.params.map((p) => p.name)).toEqual(['scripthash', 'status']);
    expect(notification.params[0]!.schema).toEqual({ $ref: '#/components/schemas/scripthash' });
  });

  it('direction: server-to-client requests and notifications', () => {
    expect(method(mining, 'client.get_version')).toMatchObject({ 'x-kind': 'request', 'x-direction': 'server-to-client' });
    expect(method(mining, 'mining.notify')).toMatchObject({ 'x-kind': 'notification', 'x-direction': 'server-to-client' });
    expect(method(mining, 'mining.notify').result).toBeUndefined();
  });

  it('result variants with their conditions, the result schema being their union', () => {
    const get = method(electrum, 'blockchain.transaction.get');
    expect(get.result!['x-variants']!.map((v) => [v.name, v.when])).toEqual([
      ['raw', { params: { verbose: { const: false } } }],
      ['verbose', { params: { verbose: { const: true } } }],
    ]);
    expect((get.result!.schema as { anyOf: unknown[] }).anyOf).toHaveLength(2);
  });

  it('status, deprecation and sources', () => {
    expect(method(electrum, 'blockchain.address.get_balance')).toMatchObject({ 'x-status': 'legacy', deprecated: true });
    expect(method(electrum, 'blockchain.transaction.get').deprecated).toBeUndefined();
    expect(method(electrum, 'server.version')['x-additional-params']).toBe(true);
    expect((method(electrum, 'server.version')['x-sources'] as string[]).length).toBeGreaterThan(0);
  });
});

describe('the fixture spec', () => {
  let docs: Map<string, string>;
  beforeAll(async () => {
    ({ docs } = await generate(path.join(ROOT, 'test', 'fixtures', 'mini-spec')));
  });

  it('exports valid OpenRPC documents too', () => {
    for (const protocol of ['electrum', 'mining']) {
      const doc = JSON.parse(docs.get(`openrpc/${protocol}.openrpc.json`)!) as OpenRpcDoc;
      expect(errorsOf(doc), protocol).toEqual([]);
    }
  });
});
