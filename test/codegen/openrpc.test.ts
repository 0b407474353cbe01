// The OpenRPC export: each document is valid against the OpenRPC meta-schema (@open-rpc/meta-schema),
// is self-contained (every $ref resolves inside it), agrees with its own examples, carries what
// OpenRPC cannot say under x- keys defined in its x-extensions list, and works with the OpenRPC
// project's own tools (@open-rpc/schema-utils-js: validate, parse, dereference, MethodCallValidator).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { dereferenceDocument, MethodCallValidator, parseOpenRPCDocument, validateOpenRPCDocument } from '@open-rpc/schema-utils-js';
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
/** An OpenRPC document as @open-rpc/schema-utils-js types it. */
type OpenrpcDocument = Parameters<typeof validateOpenRPCDocument>[0];
/** What these tests read of a method file in spec/. */
interface SpecFile {
  method: string;
  params: unknown[];
  examples: unknown[];
  invalidExamples?: { name: string; params: unknown[]; result?: unknown; notification?: unknown }[];
}
/** A Specification Extension object (@open-rpc/specification-extension-spec). */
interface Extension {
  openrpcExtension: string;
  name: string;
  version: string;
  summary: string;
  description: string;
  restricted: string[];
  schema: Record<string, unknown>;
}
interface OpenRpcDoc {
  openrpc: string;
  info: { title: string; version: string; [ext: `x-${string}`]: unknown };
  methods: Method[];
  components: { schemas: Record<string, unknown> };
  'x-extensions': Extension[];
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
// The format of an entry of x-extensions, as @open-rpc/schema-utils-js itself loads it (its `schema`
// member, a JSON Schema, is checked by compiling it below instead of against a meta-schema URL).
const extensionMetaSchema = (() => {
  const spec = createRequire(require.resolve('@open-rpc/schema-utils-js'))('@open-rpc/specification-extension-spec') as { metaSchema: Record<string, unknown> };
  const { $schema: _s, ...schema } = spec.metaSchema;
  return { ...schema, properties: { ...(schema['properties'] as object), schema: { type: 'object' } } };
})();
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

  it('defines every x- key it uses, on the objects it is used on', () => {
    // Where each x- key sits, by the name of the OpenRPC meta-schema definition of the object it is on.
    const used = new Map<string, Set<string>>();
    const note = (obj: object, where: string) => {
      for (const k of Object.keys(obj)) if (k.startsWith('x-')) (used.get(k) ?? used.set(k, new Set()).get(k)!).add(where);
    };
    note(doc.info, 'infoObject');
    for (const m of doc.methods) {
      note(m, 'methodObject');
      for (const p of m.params) note(p, 'contentDescriptorObject');
      if (m.result) note(m.result, 'contentDescriptorObject');
      for (const ex of m.examples) note(ex, 'examplePairingObject');
    }
    expect(used.size).toBeGreaterThan(3);
    const defined = new Map(doc['x-extensions'].map((e) => [e.name, e]));
    expect(defined.size).toBe(doc['x-extensions'].length);
    for (const [key, objects] of used) {
      expect(defined.has(key), key).toBe(true);
      for (const o of objects) expect(defined.get(key)!.restricted, `${key} on ${o}`).toContain(o);
    }
    // Nothing else carries x- keys (the document itself carries only x-extensions).
    expect(Object.keys(doc).filter((k) => k.startsWith('x-'))).toEqual(['x-extensions']);
  });

  it('defines its extensions in the Specification Extension format', () => {
    const check = new Ajv({ strict: false, allErrors: true }).compile(extensionMetaSchema);
    for (const e of doc['x-extensions']) {
      expect(check(e), `${e.name}: ${JSON.stringify(check.errors)}`).toBe(true);
      expect(e.restricted.length, e.name).toBeGreaterThan(0);
      expect(() => new Ajv({ strict: true, allowUnionTypes: true }).compile(e.schema), e.name).not.toThrow();
    }
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

// The OpenRPC project's own library, as an OpenRPC user would run it on these documents.
describe.each(['electrum', 'mining'])("docs/openrpc/%s.openrpc.json with the OpenRPC tools (@open-rpc/schema-utils-js)", (protocol) => {
  const doc = readDoc(protocol);
  const asOpenRpc = (d: unknown) => structuredClone(d) as OpenrpcDocument;
  const specFiles = fs
    .readdirSync(path.join(ROOT, 'spec', protocol))
    .map((f) => JSON.parse(fs.readFileSync(path.join(ROOT, 'spec', protocol, f), 'utf8')) as SpecFile);
  let parsed: OpenrpcDocument;
  beforeAll(async () => {
    parsed = await parseOpenRPCDocument(asOpenRpc(doc));
  });

  it('validateOpenRPCDocument accepts it, every extension value checked against its definition', () => {
    expect(validateOpenRPCDocument(asOpenRpc(doc))).toBe(true);
  });

  it('parseOpenRPCDocument validates and dereferences it: no $ref is left in a param or result schema', () => {
    expect(parsed.methods.map((m) => (m as Method).name)).toEqual(doc.methods.map((m) => m.name));
    const schemas = parsed.methods.map((m) => [(m as Method).params.map((p) => p.schema), (m as Method).result?.schema]);
    expect(JSON.stringify(schemas)).not.toMatch(/"\$ref"/);
  });

  it('dereferenceDocument resolves it on its own', async () => {
    const deref = await dereferenceDocument(asOpenRpc(doc));
    expect(deref.methods).toHaveLength(doc.methods.length);
  });

  it("MethodCallValidator accepts the params of every spec example", () => {
    const validator = new MethodCallValidator(parsed);
    let checked = 0;
    for (const m of doc.methods) {
      for (const ex of m.examples) {
        expect(validator.validate(m.name, ex.params.map((p) => p.value)), `${m.name}: ${ex.name}`).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBe(specFiles.reduce((n, f) => n + f.examples.length, 0));
  });

  it("MethodCallValidator refuses the spec's invalid params, except extra params (it does not count params)", () => {
    const validator = new MethodCallValidator(parsed);
    let refused = 0;
    for (const f of specFiles) {
      for (const ex of f.invalidExamples ?? []) {
        if ('result' in ex || 'notification' in ex) continue;
        const errors = validator.validate(f.method, ex.params);
        const tooMany = ex.params.length > f.params.length;
        expect(Array.isArray(errors) && errors.length > 0, `${f.method}: ${ex.name}`).toBe(!tooMany);
        if (!tooMany) refused++;
      }
    }
    expect(refused).toBeGreaterThan(10);
  });

  it('refuses an extension value its definition does not allow, and chokes on the old object form of x-extensions', () => {
    const badValue = asOpenRpc(doc) as unknown as OpenRpcDoc;
    (badValue.methods[0] as Method)['x-kind'] = 'sometimes';
    expect(validateOpenRPCDocument(badValue as unknown as OpenrpcDocument)).not.toBe(true);
    const oldForm = { ...asOpenRpc(doc), 'x-extensions': Object.fromEntries(doc['x-extensions'].map((e) => [e.name, e.description])) };
    expect(() => validateOpenRPCDocument(oldForm as OpenrpcDocument)).toThrow(/x-extensions\.forEach is not a function/);
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

  it('exports valid OpenRPC documents too, which the OpenRPC tools parse', async () => {
    for (const protocol of ['electrum', 'mining']) {
      const doc = JSON.parse(docs.get(`openrpc/${protocol}.openrpc.json`)!) as OpenRpcDoc;
      expect(errorsOf(doc), protocol).toEqual([]);
      expect(validateOpenRPCDocument(structuredClone(doc) as unknown as OpenrpcDocument), protocol).toBe(true);
      const parsed = await parseOpenRPCDocument(structuredClone(doc) as unknown as OpenrpcDocument);
      const validator = new MethodCallValidator(parsed);
      for (const m of doc.methods) for (const ex of m.examples) expect(validator.validate(m.name, ex.params.map((p) => p.value)), `${m.name}: ${ex.name}`).toEqual([]);
    }
  });
});
