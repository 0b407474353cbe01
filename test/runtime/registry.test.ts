// The registry answers by wire name: unknown names, version gates, param-selected result shapes and
// readable error paths.
import { describe, expect, it } from 'vitest';
import { electrumMethods, electrumMethodTable, electrumProtocol } from '../../src/generated/electrum/methods.js';
import { defineClientProtocol, defineProtocol } from '../../src/runtime/registry.js';
import { blockchain_headers_subscribe_from_1_4, electrumValidators } from '../../src/generated/electrum/validators/index.js';
import { miningProtocol } from '../../src/generated/mining/methods.js';

const txid = '36a3692a41a8ac60b73f7f41ee23f5c917413e5b2fad9e44b34865bd0d601a3d';
const genesis =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';

describe('unknown method names', () => {
  it.each(['no.such.method', 'toString', '__proto__', 'constructor', ''])('get an answer, not an exception: %j', (name) => {
    expect(electrumProtocol.has(name)).toBe(false);
    expect(electrumProtocol.get(name)).toBeUndefined();
    expect(electrumProtocol.validateParams(name, [])).toEqual({ valid: false, errors: [`unknown electrum method ${JSON.stringify(name)}`] });
    expect(electrumProtocol.validateResult(name, null).valid).toBe(false);
    expect(miningProtocol.validateNotification(name, []).valid).toBe(false);
  });
});

describe('metadata', () => {
  it('is keyed by wire name with direction, kind and versions', () => {
    const m = electrumMethods['blockchain.scripthash.subscribe'];
    expect(m.kind).toBe('subscription');
    expect(m.direction).toBe('client-to-server');
    // Values the generated table leaves out as the common ones are filled in.
    expect(electrumMethodTable['blockchain.scripthash.subscribe']).not.toHaveProperty('direction');
    expect(m.status).toBe('standard');
    expect(m.additionalParams).toBe(false);
    expect(electrumMethods['server.version'].additionalParams).toBe(true);
    expect(electrumMethods['blockchain.address.subscribe'].status).toBe('legacy');
    // Status and deprecation come from the docs table, which a client's table does without.
    expect(electrumMethodTable['blockchain.address.subscribe']).not.toHaveProperty('status');
    expect(electrumMethodTable['blockchain.address.subscribe'].versions).toEqual({ since: '1.0', removed: '1.3' });
    expect(electrumMethods['blockchain.address.subscribe'].versions).toEqual({ since: '1.0', deprecated: '1.2', removed: '1.3' });
    expect(defineProtocol('electrum', electrumMethodTable).get('blockchain.address.subscribe')?.status).toBe('standard');
    // One result shape named "result" unless the table says otherwise; a notification has none.
    expect(electrumMethodTable['blockchain.address.subscribe']).not.toHaveProperty('results');
    expect([electrumMethods['blockchain.address.subscribe'].resultVariants, electrumMethods['blockchain.address.subscribe'].hasResult]).toEqual([['result'], true]);
    expect(electrumMethods['blockchain.block.header'].resultVariants).toEqual(['raw', 'proof']);
    expect([miningProtocol.methods['mining.notify'].resultVariants, miningProtocol.methods['mining.notify'].hasResult]).toEqual([[], false]);
    // A param is required without a default unless the table says otherwise.
    expect(electrumMethodTable['blockchain.block.header'].params).toEqual([{ name: 'height' }, { name: 'cp_height', required: false, hasDefault: true, default: 0, versions: { since: '1.4' } }]);
    expect(electrumMethods['blockchain.block.header'].params).toEqual([
      { name: 'height', required: true, hasDefault: false },
      { name: 'cp_height', required: false, hasDefault: true, default: 0, versions: { since: '1.4' } },
    ]);
    expect(electrumProtocol.get('blockchain.block.header')?.positionalParams({ cp_height: 5 })).toEqual({ ok: false, error: 'param "height" is missing but a later one is given' });
    const own = defineProtocol('electrum', { 'x.y': { kind: 'request', status: 'draft', versions: { since: '1.0', deprecated: '1.1' }, params: [], results: [] } }, {}, { 'x.y': { summary: '', status: 'legacy', deprecated: '1.2', errors: [] } });
    expect([own.methods['x.y'].status, own.methods['x.y'].versions]).toEqual(['draft', { since: '1.0', deprecated: '1.1' }]);
    expect(electrumMethods['server.ping'].notificationDirection).toBe('both');
    expect(m.versions).toEqual({ since: '1.1', removed: '1.7' });
    expect(m.hasNotification).toBe(true);
    expect(typeof m.validateNotification).toBe('function');
    expect(electrumMethods['blockchain.transaction.get'].validateNotification).toBeUndefined();
  });

  it('tells which methods a version offers', () => {
    expect(electrumProtocol.get('blockchain.scripthash.subscribe')?.isAvailable('1.4')).toBe(true);
    expect(electrumProtocol.get('blockchain.scripthash.subscribe')?.isAvailable('1.7')).toBe(false);
    expect(electrumProtocol.get('blockchain.scripthash.subscribe')?.isAvailable('1.0')).toBe(false);
    expect(electrumProtocol.availableAt('1.4')).toContain('blockchain.block.headers');
    expect(electrumProtocol.availableAt('1.1')).not.toContain('blockchain.block.headers');
  });
});

describe('params', () => {
  it('name the param and the reason', () => {
    const r = electrumProtocol.validateParams('blockchain.transaction.get', [txid, 'yes']);
    expect(r).toEqual({ valid: false, errors: ['params[1] (verbose): must be boolean'] });
    const short = electrumProtocol.validateParams('blockchain.transaction.get', ['abc']);
    expect(short.valid ? [] : short.errors).toEqual(['params[0] (tx_hash): must match pattern "^[0-9a-fA-F]{64}$"']);
    const arity = electrumProtocol.validateParams('blockchain.block.headers', [1, 2, 3, 4]);
    expect(arity.valid ? [] : arity.errors).toEqual(['params: must have at most 3 items']);
  });

  it('refuse a param the negotiated version does not have', () => {
    expect(electrumProtocol.validateParams('blockchain.block.headers', [0, 1, 5], { protocolVersion: '1.4' }).valid).toBe(true);
    const r = electrumProtocol.validateParams('blockchain.block.headers', [0, 1, 5], { protocolVersion: '1.3' });
    expect(r.valid ? [] : r.errors).toEqual(['params[2] (cp_height): not part of protocol 1.3 (from 1.4)']);
  });

  it('refuse a method the negotiated version does not have', () => {
    const r = electrumProtocol.validateParams('blockchain.scripthash.subscribe', [txid], { protocolVersion: '1.7' });
    expect(r.valid ? [] : r.errors).toEqual(['blockchain.scripthash.subscribe is not part of protocol 1.7 (from 1.1, removed in 1.7)']);
  });
});

describe('results', () => {
  const headers16 = { count: 1, headers: [genesis], max: 2016 };
  const headers14 = { count: 1, hex: genesis, max: 2016 };

  it('follow the negotiated version', () => {
    expect(electrumProtocol.validateResult('blockchain.block.headers', headers16, { protocolVersion: '1.6' }).valid).toBe(true);
    expect(electrumProtocol.validateResult('blockchain.block.headers', headers16, { protocolVersion: '1.6.0' }).valid).toBe(true);
    expect(electrumProtocol.validateResult('blockchain.block.headers', headers14, { protocolVersion: '1.4.2' }).valid).toBe(true);
    const wrong = electrumProtocol.validateResult('blockchain.block.headers', headers14, { protocolVersion: '1.6' });
    expect(wrong.valid ? [] : wrong.errors).toEqual(['result: missing required property "headers"']);
    // Without a version either shape is a shape of the method.
    expect(electrumProtocol.validateResult('blockchain.block.headers', headers14).valid).toBe(true);
  });

  it('follow the params they answer', () => {
    const get = electrumMethods['blockchain.transaction.get'];
    expect(get.selectResultVariants({ params: [txid] })).toEqual(['raw']);
    expect(get.selectResultVariants({ params: [txid, true] })).toEqual(['verbose']);
    expect(get.validateResult({ txid, hex: '00' }, { params: [txid, true] }).valid).toBe(true);
    expect(get.validateResult({ txid, hex: '00' }, { params: [txid] }).valid).toBe(false);
    expect(get.validateResult('00', { params: [txid] }).valid).toBe(true);
  });

  it('give readable paths into nested values', () => {
    const r = electrumProtocol.validateResult('blockchain.block.headers', { count: 1, headers: ['zz'], max: 2016 }, { protocolVersion: '1.6' });
    expect(r.valid ? [] : r.errors).toEqual(['result.headers[0]: must match pattern "^(?:[0-9a-fA-F]{2}){80,}$"']);
  });

  it('label each shape when several apply and none fits', () => {
    const r = electrumProtocol.validateResult('blockchain.block.headers', { count: 1, max: 2016 });
    expect(r.valid ? [] : r.errors).toEqual(['[concatenated] result: missing required property "hex"', '[list] result: missing required property "headers"']);
  });
});

describe('notifications', () => {
  it('validate by wire name and name the params', () => {
    expect(electrumProtocol.validateNotification('blockchain.scripthash.subscribe', [txid, null]).valid).toBe(true);
    const r = electrumProtocol.validateNotification('blockchain.scripthash.subscribe', [txid, 5]);
    expect(r.valid ? [] : r.errors).toContain('params[1] (status): must be string');
    expect(electrumProtocol.validateNotification('blockchain.transaction.get', []).valid).toBe(false);
    expect(miningProtocol.validateNotification('mining.notify', ['bf']).valid).toBe(false);
  });
});

describe('checks for one version', () => {
  it('give the same outcomes as validateParams and validateResult with that version, and are made once', () => {
    const headers = electrumProtocol.get('blockchain.block.headers');
    const at13 = headers?.checksAt('1.3');
    expect(at13).toBe(headers?.checksAt('1.3'));
    expect(at13?.validateParams([0, 1, 5])).toEqual(electrumProtocol.validateParams('blockchain.block.headers', [0, 1, 5], { protocolVersion: '1.3' }));
    expect(at13?.validateParams([0, 1, 5]).valid).toBe(false);
    expect(headers?.checksAt('1.4').validateParams([0, 1, 5]).valid).toBe(true);
    const subscribe = electrumProtocol.get('blockchain.scripthash.subscribe');
    expect(subscribe?.checksAt('1.7').validateParams([txid])).toEqual({
      valid: false,
      errors: ['blockchain.scripthash.subscribe is not part of protocol 1.7 (from 1.1, removed in 1.7)'],
    });
    expect(subscribe?.checksAt(undefined).validateParams([txid]).valid).toBe(true);
    const get = electrumProtocol.get('blockchain.transaction.get');
    // The result shape follows the params sent: a raw transaction unless verbose.
    expect(get?.checksAt('1.4').validateResult(genesis, [txid]).valid).toBe(true);
    expect(get?.checksAt('1.4').validateResult(genesis, [txid, true])).toEqual(
      electrumProtocol.validateResult('blockchain.transaction.get', genesis, { protocolVersion: '1.4', params: [txid, true] }),
    );
    expect(get?.checksAt('1.4').validateResult(genesis, [txid, true]).valid).toBe(false);
  });
});

describe('validators for the versions from one on (<method>_from_<version>)', () => {
  const registry = defineClientProtocol('electrum', electrumMethodTable, { 'blockchain.headers.subscribe': blockchain_headers_subscribe_from_1_4 });
  const checks = (v: string | undefined) => registry.get('blockchain.headers.subscribe')!.checksAt(v);
  const raw = { height: 1, hex: '00'.repeat(80) };
  const deserialized = { block_height: 1, version: 1, prev_block_hash: '00'.repeat(32), merkle_root: '00'.repeat(32), timestamp: 0, bits: 0, nonce: 0 };

  it('check the shapes that go on from their version', () => {
    expect(checks('1.4').validateResult(raw, []).valid).toBe(true);
    expect(checks('1.6').validateNotification?.([raw]).valid).toBe(true);
    expect(checks('1.4').validateResult(deserialized, []).valid).toBe(false);
    expect(checks('1.4').validateNotification?.([deserialized]).valid).toBe(false);
  });

  it('refuse a value of an older version, which they cannot check, whatever its shape', () => {
    const refusal = { valid: false, errors: ['blockchain.headers.subscribe: the validators given check protocol 1.4 and later, not 1.2'] };
    expect(checks('1.2').validateResult(raw, [true])).toEqual(refusal);
    expect(checks('1.2').validateResult(deserialized, [false])).toEqual(refusal);
    expect(checks('1.2').validateNotification?.([raw])).toEqual(refusal);
  });

  it('take no shape they have no check of as a candidate, where the version is not known', () => {
    expect(checks(undefined).validateResult(raw, []).valid).toBe(true);
    expect(checks(undefined).validateResult(deserialized, []).valid).toBe(false);
    // The validators for every version take both there.
    expect(electrumProtocol.get('blockchain.headers.subscribe')!.checksAt(undefined).validateResult(deserialized, []).valid).toBe(true);
  });
});

describe('facts about a method in a session', () => {
  const names = <M extends string>(registry: { names: readonly M[]; get(m: string): { optionalReply: unknown; sessionState: unknown } | undefined }, pick: 'optionalReply' | 'sessionState') =>
    registry.names.filter((n) => registry.get(n)?.[pick] !== undefined);

  it('say which Stratum requests pools may leave unanswered: the four MiningClient waits briefly for, and a second subscribe', () => {
    expect(names(miningProtocol, 'optionalReply').sort()).toEqual(['mining.configure', 'mining.extranonce.subscribe', 'mining.subscribe', 'mining.suggest_difficulty', 'mining.suggest_target']);
    const always = miningProtocol.names.filter((n) => miningProtocol.get(n)?.optionalReply?.when === 'always');
    expect(always.sort()).toEqual(['mining.configure', 'mining.extranonce.subscribe', 'mining.suggest_difficulty', 'mining.suggest_target']);
    expect(miningProtocol.get('mining.subscribe')?.optionalReply).toMatchObject({ when: 'repeated', reason: expect.stringContaining('ckpool'), source: expect.stringContaining('stratifier.c') });
    for (const n of always) expect(miningProtocol.get(n)?.optionalReply?.source, n).toMatch(/\S/);
    expect(names(electrumProtocol, 'optionalReply')).toEqual([]);
  });

  it('say which Stratum requests set session state, and how each is sent again on a new connection', () => {
    expect(names(miningProtocol, 'sessionState').sort()).toEqual(['mining.authorize', 'mining.configure', 'mining.extranonce.subscribe', 'mining.subscribe']);
    const onReconnect = Object.fromEntries(names(miningProtocol, 'sessionState').map((n) => [n, miningProtocol.get(n)?.sessionState?.onReconnect]));
    expect(onReconnect).toEqual({ 'mining.authorize': 'replay-each', 'mining.configure': 'replay', 'mining.extranonce.subscribe': 'replay', 'mining.subscribe': 'resume' });
    const subscribe = miningProtocol.get('mining.subscribe')!;
    expect(subscribe.sessionState?.resumeParam).toBe('session_id');
    expect(subscribe.params.find((p) => p.name === 'session_id')?.required).toBe(false);
    expect(names(electrumProtocol, 'sessionState')).toEqual([]);
  });

  it('key each subscription by as many params as its notifications carry before the value', () => {
    const subscriptions = electrumProtocol.names.filter((n) => electrumProtocol.get(n)?.kind === 'subscription');
    expect(subscriptions.length).toBeGreaterThanOrEqual(6);
    for (const n of subscriptions) {
      const info = electrumProtocol.get(n)!;
      // What src/runtime/subscriptions.ts keyArity derives from the notification today.
      expect(info.subscriptionKey, n).toBe(info.notificationParams.length - 1);
      expect(info.keyInNotifications, n).toBe(n === 'blockchain.scriptpubkey.subscribe' ? 'script-hash' : 'as-sent');
    }
    expect(electrumMethods['blockchain.outpoint.subscribe'].subscriptionKey).toBe(2);
    expect(electrumMethods['blockchain.headers.subscribe'].subscriptionKey).toBe(0);
    expect(electrumMethods['blockchain.transaction.get'].subscriptionKey).toBeUndefined();
    expect(miningProtocol.names.filter((n) => miningProtocol.get(n)?.subscriptionKey !== undefined)).toEqual([]);
  });

  it('say which unsubscribe ends which subscription, both ways, where renaming the wire name used to tell', () => {
    const enders = electrumProtocol.names.filter((n) => electrumProtocol.get(n)?.ends !== undefined);
    expect(enders.sort()).toEqual(['blockchain.outpoint.unsubscribe', 'blockchain.scripthash.unsubscribe', 'blockchain.scriptpubkey.unsubscribe']);
    for (const n of enders) {
      const info = electrumProtocol.get(n)!;
      const sub = electrumProtocol.get(info.ends!)!;
      expect(info.ends, n).toBe(n.replace(/unsubscribe$/, 'subscribe'));
      expect(sub.kind).toBe('subscription');
      expect(sub.endedBy).toBe(n);
      // Its params are the subscription's key.
      expect(info.params.map((p) => p.name)).toEqual(sub.params.slice(0, sub.subscriptionKey).map((p) => p.name));
    }
    // Every other *.unsubscribe-less subscription has no ender; every name ending in .unsubscribe is one.
    const suffixed = electrumProtocol.names.filter((n) => n.endsWith('.unsubscribe'));
    expect(suffixed.sort()).toEqual(enders.sort());
    expect(electrumMethods['blockchain.headers.subscribe'].endedBy).toBeUndefined();
  });
});

describe('params by name (JSON-RPC 2.0)', () => {
  const header = electrumMethods['blockchain.block.header'];

  it('are checked as the positional params they stand for, by the spec names, in any order', () => {
    expect(electrumProtocol.validateParams('blockchain.block.header', { height: 1, cp_height: 121 })).toEqual({ valid: true });
    expect(electrumProtocol.validateParams('blockchain.block.header', { cp_height: 121, height: 1 })).toEqual({ valid: true });
    expect(header.positionalParams({ cp_height: 121, height: 1 })).toEqual({ ok: true, params: [1, 121] });
    expect(header.positionalParams([1])).toEqual({ ok: true, params: [1] });
    const wrongType = electrumProtocol.validateParams('blockchain.block.header', { height: 'one' });
    expect(wrongType.valid ? [] : wrongType.errors).toEqual(['params[0] (height): must be integer']);
    const missing = electrumProtocol.validateParams('blockchain.block.header', {});
    expect(missing.valid ? [] : missing.errors).toEqual(['params: must have at least 1 items']);
  });

  it('report names the method does not have, and a gap no default fills', () => {
    const r = electrumProtocol.validateParams('blockchain.block.header', { height: 1, cp_heigth: 2, colour: 'red' });
    expect(r.valid ? [] : r.errors).toEqual(['params: unknown params "cp_heigth", "colour" (blockchain.block.header takes height, cp_height)']);
    const gap = electrumProtocol.validateParams('blockchain.transaction.get_merkle', { height: 5 });
    expect(gap.valid ? [] : gap.errors).toEqual(['params: param "tx_hash" is missing but a later one is given (blockchain.transaction.get_merkle takes tx_hash, height)']);
    expect(header.positionalParams({ heigth: 1 })).toEqual({ ok: false, error: 'unknown param "heigth"' });
    const none = electrumProtocol.validateParams('server.banner', { x: 1 });
    expect(none.valid ? [] : none.errors).toEqual(['params: unknown param "x" (server.banner takes no params)']);
  });

  it('fill a gap with the default, and let server.version ignore extra names as ElectrumX does', () => {
    const version = electrumMethods['server.version'];
    expect(version.positionalParams({ protocol_version: '1.4' })).toEqual({ ok: true, params: ['', '1.4'] });
    expect(electrumProtocol.validateParams('server.version', { protocol_version: ['1.4', '1.6'], extra: 1 })).toEqual({ valid: true });
  });

  it('are gated by the negotiated version like positional ones', () => {
    const r = electrumProtocol.validateParams('blockchain.block.headers', { start_height: 0, count: 1, cp_height: 5 }, { protocolVersion: '1.3' });
    expect(r.valid ? [] : r.errors).toEqual(['params[2] (cp_height): not part of protocol 1.3 (from 1.4)']);
    expect(electrumProtocol.get('blockchain.block.headers')?.checksAt('1.4').validateParams({ start_height: 0, count: 1, cp_height: 5 })).toEqual({ valid: true });
  });

  it('are refused in any other shape', () => {
    for (const value of ['x', 5, null, true]) expect(electrumProtocol.validateParams('blockchain.block.header', value).valid, String(value)).toBe(false);
  });
});

describe('checksAt(version).validateNotification', () => {
  // The per-version check is what the client runs for every notification: it must answer as the
  // registry does, valid or not, inside and outside the notification's versions.
  const sh = txid;
  const cases: [string, unknown][] = [
    ['blockchain.scripthash.subscribe', [sh, null]],
    ['blockchain.scripthash.subscribe', [sh, sh]],
    ['blockchain.scripthash.subscribe', [sh, 5]],
    ['blockchain.scripthash.subscribe', [sh]],
    ['blockchain.scripthash.subscribe', { scripthash: sh, status: null }],
    ['blockchain.headers.subscribe', [{ height: 1, hex: genesis }]],
    ['blockchain.headers.subscribe', [{ height: 1 }]],
  ];
  it.each(['1.0', '1.2', '1.4', '1.6', '1.7', undefined])('answers as validateNotification at protocol %s', (version) => {
    for (const [method, value] of cases) {
      const info = electrumProtocol.get(method);
      const fast = info?.checksAt(version).validateNotification;
      expect(fast, method).toBeTypeOf('function');
      expect(fast?.(value), `${method} ${JSON.stringify(value)} at ${version}`).toEqual(electrumProtocol.validateNotification(method, value, { protocolVersion: version }));
    }
  });
  it('is undefined for a method without a notification', () => {
    expect(electrumProtocol.get('blockchain.transaction.get')?.checksAt('1.4').validateNotification).toBeUndefined();
  });
});

describe('the wording of errors', () => {
  const table = { 'demo.get': electrumMethodTable['server.ping'] };
  const failing = Object.assign(() => false, { errors: [{ instancePath: '/0', keyword: 'type', params: { type: 'string' }, message: 'must be string' }] });
  const pass = () => true;

  it('comes with the generated validators', () => {
    expect(electrumProtocol.validateParams('blockchain.scripthash.get_balance', [1])).toEqual({ valid: false, errors: ['params[0] (scripthash): must be string'] });
  });

  it("is ajv's own for validators made by hand without a formatter, a few lines, each path cut short", () => {
    const registry = defineProtocol('electrum', table, { 'demo.get': { method: 'demo.get', params: failing, results: { result: pass } } });
    expect(registry.validateParams('demo.get', [1])).toEqual({ valid: false, errors: ['params/0: must be string'] });
    const many = Object.assign(() => false, { errors: Array.from({ length: 50 }, () => ({ instancePath: `/${'x'.repeat(1000)}`, keyword: 'required', params: {} })) });
    const lines = defineProtocol('electrum', table, { 'demo.get': { method: 'demo.get', params: many, results: { result: pass } } }).validateParams('demo.get', [1]);
    expect(lines.valid ? [] : lines.errors).toHaveLength(20);
    expect(lines.valid ? '' : lines.errors[0]).toBe(`params/${'x'.repeat(199)}: required`);
  });

  it('is the formatter the validators carry', () => {
    const format = (_errors: unknown, label: string) => [`${label}: nope`];
    const registry = defineProtocol('electrum', table, { 'demo.get': { method: 'demo.get', params: failing, results: { result: pass }, format } });
    expect(registry.validateParams('demo.get', [1])).toEqual({ valid: false, errors: ['params: nope'] });
  });
});

describe("a client's own registry (defineClientProtocol)", () => {
  const client = defineClientProtocol('electrum', electrumMethodTable, electrumValidators);
  const samples: [string, unknown, unknown][] = [
    ['blockchain.transaction.get', [txid, true], { txid, hex: '00' }],
    ['blockchain.transaction.get', ['zz'], 'nothex'],
    ['blockchain.block.header', { height: 0 }, genesis.slice(0, 160)],
    ['blockchain.block.headers', [0, 1], { count: 1, hex: genesis.slice(0, 160), max: 2016 }],
    ['server.version', ['app', '1.4', 'extra'], ['ElectrumX 1.16', '1.4']],
    ['no.such.method', [], null],
  ];

  it('gives the outcomes of the full registry, at any version or none', () => {
    for (const [method, params, result] of samples) {
      for (const protocolVersion of [undefined, '1.2', '1.4', '1.6', '1.7']) {
        const sent = Array.isArray(params) ? params : undefined;
        expect(client.validateParams(method, params, { protocolVersion }), `${method} ${protocolVersion}`).toEqual(
          electrumProtocol.validateParams(method, params, { protocolVersion }),
        );
        expect(client.validateResult(method, result, { protocolVersion, params: sent }), `${method} ${protocolVersion}`).toEqual(
          electrumProtocol.validateResult(method, result, { protocolVersion, params: sent }),
        );
      }
    }
  });

  it('tells a client what the full registry tells of each method, and no more', () => {
    expect(client.names).toEqual(electrumProtocol.names);
    for (const name of client.names) {
      const mine = client.get(name)!;
      const full = electrumProtocol.get(name)!;
      // Its params as the table has them (common values left out), the same params filled in.
      expect(mine.params).toBe(electrumMethodTable[name].params);
      expect(mine.params.map((p) => [p.name, p.required ?? true, p.hasDefault ?? false, p.default])).toEqual(full.params.map((p) => [p.name, p.required, p.hasDefault, p.default]));
      for (const key of ['method', 'kind', 'resultVariants', 'hasNotification', 'notificationDirection', 'notificationParams', 'subscriptionKey', 'keyInNotifications', 'ends', 'endedBy'] as const) {
        expect(mine[key], `${name}.${key}`).toEqual(full[key]);
      }
      expect(mine.isAvailable('1.4')).toBe(full.isAvailable('1.4'));
      expect(mine.positionalParams({ nope: 1 })).toEqual(full.positionalParams({ nope: 1 }));
      expect(mine).not.toHaveProperty('status');
      expect(mine).not.toHaveProperty('summary');
    }
    expect(client.get('toString')).toBeUndefined();
  });

  it('refuses validators given under another name', () => {
    expect(() => defineClientProtocol('electrum', electrumMethodTable, { 'server.ping': electrumValidators['server.version'] } as never)).toThrow(TypeError);
  });
});
