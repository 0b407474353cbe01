// A new protocol version is a change to spec/ and nothing else. A copy of the spec gets a fictional
// Electrum 1.8 (a method added, a result shape changed, a method removed), is regenerated, and the
// regenerated registry drives the unchanged ElectrumClient against a server on 127.0.0.1: it
// negotiates 1.8, refuses the removed method before sending it, and validates by the 1.8 shapes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../codegen/generate.mjs';
import { diffSpecs, loadSpecSource } from '../../codegen/spec-diff.mjs';
import { ElectrumClient } from '../../src/clients/electrum-client.js';
import { ValidationError } from '../../src/runtime/errors.js';
import type { ProtocolRegistry } from '../../src/runtime/registry.js';
import type { CallFunction } from '../../src/runtime/bind.js';
import { reply, startLineServer, type LineServer } from '../helpers/line-server.js';
import { ROOT, SPEC_DIR } from '../helpers/spec-files.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stratum-v18-'));
const specDir = path.join(tmp, 'spec');
const outDir = path.join(tmp, 'generated');

type Json = Record<string, unknown>;
const editMethod = (name: string, edit: (doc: Json) => void) => {
  const file = path.join(specDir, 'electrum', `${name}.json`);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  edit(doc);
  fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
};

/** Protocol 1.8, written as data only. */
function addVersion18() {
  fs.cpSync(SPEC_DIR, specDir, { recursive: true });
  // A method added in 1.8.
  fs.writeFileSync(
    path.join(specDir, 'electrum', 'server.uptime.json'),
    JSON.stringify({
      $schema: '../method.schema.json',
      method: 'server.uptime',
      protocol: 'electrum',
      kind: 'request',
      direction: 'client-to-server',
      status: 'standard',
      summary: 'Fictional 1.8 method: seconds since the server started.',
      description: 'A method of the fictional protocol 1.8 used by the new-version test.',
      versions: { since: '1.8' },
      params: [],
      result: { description: 'Seconds.', schema: { type: 'integer', minimum: 0 } },
      sources: ['test/codegen/new-version.test.ts'],
      examples: [{ name: 'an hour', source: 'fictional', protocolVersion: '1.8', params: [], result: 3600 }],
    }),
  );
  // A result whose shape changes at 1.8: text before, an object from 1.8.
  editMethod('server.banner', (doc) => {
    const result = doc['result'] as { description: string; schema: unknown };
    doc['result'] = {
      description: result.description,
      variants: [
        { name: 'text', description: 'Before 1.8: the text.', when: { versions: { until: '1.8' } }, schema: result.schema },
        {
          name: 'structured',
          description: 'From 1.8: the text and a message of the day.',
          when: { versions: { since: '1.8' } },
          schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' }, motd: { type: 'string' } } },
        },
      ],
    };
  });
  // A method removed in 1.8.
  editMethod('server.donation_address', (doc) => {
    doc['versions'] = { since: '1.0', deprecated: '1.7', removed: '1.8' };
  });
}

interface Regenerated {
  electrumProtocol: ProtocolRegistry<string>;
}
interface RegeneratedApi {
  bindElectrumClientApi(call: CallFunction): { server: { uptime(): Promise<number>; banner(): Promise<unknown> } };
}

let registry: ProtocolRegistry<string>;
let api: RegeneratedApi;
let server: LineServer;
/** What the server answers server.banner with. */
let banner: unknown = { text: 'Welcome', motd: 'hello 1.8' };

beforeAll(async () => {
  addVersion18();
  // The output lives outside src/, so it imports the runtime by a path relative to where it is.
  const runtimeImport = path.relative(path.join(outDir, 'electrum'), path.join(ROOT, 'src', 'runtime')).split(path.sep).join('/');
  const { files, errors } = await generate(specDir, { runtimeImport });
  expect(errors).toEqual([]);
  for (const [name, text] of files) {
    fs.mkdirSync(path.dirname(path.join(outDir, name)), { recursive: true });
    fs.writeFileSync(path.join(outDir, name), text);
  }
  registry = ((await import(pathToFileURL(path.join(outDir, 'electrum', 'methods.ts')).href)) as Regenerated).electrumProtocol;
  api = (await import(pathToFileURL(path.join(outDir, 'electrum', 'client-api.ts')).href)) as RegeneratedApi;

  // A 1.8 server: it answers every method, even one 1.8 removed, so only the client can refuse it.
  server = await startLineServer(
    (m, conn) => {
      const answers: Record<string, unknown> = { 'server.uptime': 3600, 'server.banner': banner, 'server.donation_address': 'bc1qdonate' };
      conn.send(reply(m, answers[m['method'] as string] ?? null));
    },
    ['TestServer 1.8', '1.8'],
  );
}, 30_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a fictional Electrum 1.8 added to a copy of the spec', () => {
  it('is in the regenerated registry: offered, gated and shaped by version', () => {
    expect(registry.availableAt('1.8')).toContain('server.uptime');
    expect(registry.availableAt('1.7')).not.toContain('server.uptime');
    expect(registry.availableAt('1.8')).not.toContain('server.donation_address');
    expect(registry.availableAt('1.7')).toContain('server.donation_address');
    expect(registry.get('server.banner')?.selectResultVariants({ protocolVersion: '1.8' })).toEqual(['structured']);
    expect(registry.get('server.banner')?.selectResultVariants({ protocolVersion: '1.6' })).toEqual(['text']);
  });

  it('is negotiated, gated and validated end to end by the unchanged client', async () => {
    const client = await ElectrumClient.connect(server.url, { protocol: registry, protocolVersion: ['1.4', '1.8'], keepAlive: false });
    try {
      expect(client.protocolVersion).toBe('1.8');
      const call: CallFunction = (method, params) => (client.request as unknown as (m: string, p: unknown[]) => Promise<unknown>)(method, params);
      const wrappers = api.bindElectrumClientApi(call);

      // The 1.8 method, through a wrapper the regeneration made.
      await expect(wrappers.server.uptime()).resolves.toBe(3600);
      // The 1.8 shape of a changed result.
      await expect(wrappers.server.banner()).resolves.toEqual({ text: 'Welcome', motd: 'hello 1.8' });

      // The method 1.8 removed is refused before anything is sent.
      const conn = server.connections.at(-1)!;
      const refused = await call('server.donation_address', []).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).message).toMatch(/server\.donation_address is not part of protocol 1\.8/);
      expect(conn.received.map((m) => m['method'])).not.toContain('server.donation_address');

      // The pre-1.8 shape is refused at 1.8.
      banner = 'plain text';
      const old = await wrappers.server.banner().catch((e: unknown) => e);
      expect(old).toBeInstanceOf(ValidationError);
      expect((old as ValidationError).message).toMatch(/result/);
    } finally {
      client.close();
    }
  });

  it('is unknown to the built-in registry, which is what the protocol option replaces', async () => {
    const client = await ElectrumClient.connect(server.url, { protocolVersion: ['1.4', '1.8'], keepAlive: false });
    try {
      const refused = await (client.request as unknown as (m: string, p: unknown[]) => Promise<unknown>)('server.uptime', []).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).message).toMatch(/unknown electrum method "server\.uptime"/);
    } finally {
      client.close();
    }
  });

  it('is reported by the spec diff as the change it is', () => {
    const report = diffSpecs(loadSpecSource(SPEC_DIR), loadSpecSource(specDir));
    const of = (method: string) => report.methods.find((m) => m.method === method);
    expect(of('server.uptime')).toMatchObject({ status: 'added', changes: [{ kind: 'method-added', breaking: { client: false, server: false } }] });
    expect(of('server.donation_address')?.changes).toContainEqual(expect.objectContaining({ kind: 'versions-moved', message: 'removed in protocol 1.8', breaking: { client: true, server: false } }));
    expect(of('server.banner')?.changes).toContainEqual(expect.objectContaining({ where: 'result (protocol 1.8+)', kind: 'retyped' }));
    expect(report.methods.map((m) => m.method).sort()).toEqual(['server.banner', 'server.donation_address', 'server.uptime']);
  });
});
