// Type-level tests of the validator sets a client takes: keyed by wire names, each method's validators only
// under its own name; the lean client is typed as the full one.
import { describe, expectTypeOf, it } from 'vitest';
import type { ElectrumClientOptions } from '../../src/electrum.js';
import { ElectrumClient, walletValidators, type ElectrumValidators } from '../../src/electrum/lean.js';
import { ElectrumClient as FullClient } from '../../src/electrum.js';
import { blockchain_block_header, server_features, server_version, type MethodValidators } from '../../src/electrum/validators.js';

describe('the validators option', () => {
  it('takes walletValidators and sets built from the per-method exports', () => {
    expectTypeOf(walletValidators).toExtend<ElectrumValidators>();
    const own = { 'server.features': server_features, 'blockchain.block.header': blockchain_block_header } as const;
    expectTypeOf(own).toExtend<ElectrumValidators>();
    const options: ElectrumClientOptions = { validators: { ...walletValidators, 'server.features': server_features } };
    void options;
    expectTypeOf(server_version).toEqualTypeOf<MethodValidators<'server.version'>>();
  });

  it('refuses a name that is no method and validators under another method', () => {
    // @ts-expect-error no such method
    const unknown: ElectrumValidators = { 'server.nothing': server_version };
    // @ts-expect-error server.version's validators are not server.features'
    const swapped: ElectrumValidators = { 'server.features': server_version };
    // @ts-expect-error a plain function is not a method's validators
    const bare: ElectrumClientOptions = { validators: { 'server.version': () => true } };
    void [unknown, swapped, bare];
  });

  it('types the lean client as the full one', async () => {
    const lean = await ElectrumClient.connect('wss://x:1', { validators: walletValidators, protocolVersion: ['1.4', '1.6'] });
    const full = await FullClient.connect('wss://x:1', { protocolVersion: ['1.4', '1.6'] });
    expectTypeOf(lean).toEqualTypeOf(full);
    expectTypeOf(await lean.blockchain.scripthash.getBalance('00')).toEqualTypeOf<{ confirmed: number; unconfirmed: number }>();
  });
});
