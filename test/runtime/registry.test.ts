// The registry answers by wire name: unknown names, version gates, param-selected result shapes and
// readable error paths.
import { describe, expect, it } from 'vitest';
import { electrumMethods, electrumProtocol } from '../../src/generated/electrum/methods.js';
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
