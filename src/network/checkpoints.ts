// Where a network's header chain starts when the application names no checkpoint: each network's genesis block,
// header and hash (Bitcoin Core's chainparams.cpp). A checkpoint further up saves fetching and checking the headers
// below it; its hash must come from somewhere the application trusts, not from a server.
import type { Network } from '../bitcoin/networks.js';

/** A block the header chain is anchored at. `header` (80 bytes, hex) saves fetching it; its hash is checked. */
export interface Checkpoint {
  readonly height: number;
  /** Block hash, display hex. */
  readonly hash: string;
  readonly header?: string | undefined;
}

const GENESIS_PREFIX = `01000000${'00'.repeat(32)}3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a`;

export const MAINNET_GENESIS: Checkpoint = Object.freeze({
  height: 0,
  hash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  header: `${GENESIS_PREFIX}29ab5f49ffff001d1dac2b7c`,
});

export const TESTNET3_GENESIS: Checkpoint = Object.freeze({
  height: 0,
  hash: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  header: `${GENESIS_PREFIX}dae5494dffff001d1aa4ae18`,
});

/** Testnet4 (BIP94): pass it as `checkpoint` with `network: 'testnet'` and `genesisHash: TESTNET4_GENESIS.hash`. */
export const TESTNET4_GENESIS: Checkpoint = Object.freeze({
  height: 0,
  hash: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  header: '0100000000000000000000000000000000000000000000000000000000000000000000004e7b2b9128fe0291db0693af2ae418b767e657cd407e80cb1434221eaea7a07a046f3566ffff001dbb0c7817',
});

export const SIGNET_GENESIS: Checkpoint = Object.freeze({
  height: 0,
  hash: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  header: `${GENESIS_PREFIX}008f4d5fae77031e8ad22203`,
});

export const REGTEST_GENESIS: Checkpoint = Object.freeze({
  height: 0,
  hash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  header: `${GENESIS_PREFIX}dae5494dffff7f2002000000`,
});

/** Each network's genesis block; `testnet` is testnet3 (testnet4 has its own genesis, TESTNET4_GENESIS). */
export const GENESIS: Readonly<Record<Network, Checkpoint>> = Object.freeze({
  mainnet: MAINNET_GENESIS,
  testnet: TESTNET3_GENESIS,
  signet: SIGNET_GENESIS,
  regtest: REGTEST_GENESIS,
});
