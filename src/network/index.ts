// The ElectrumNetwork and what comes with it, re-exported by stratum-sdk/electrum.
export { ElectrumNetwork, DEFAULT_CONNECTIONS, DEFAULT_MAX_BATCH, DEFAULT_RETRY_DELAY } from './electrum-network.js';
export type { ElectrumNetworkEvents, ElectrumNetworkLifecycleEvents, ElectrumNetworkOptions, ElectrumNetworkRequestName, ElectrumNetworkSubscriptionName, NetworkReorg, VerifiedHistoryEntry } from './types.js';
export { LyingServerError, OtherChainError, ServerLimitError, type LieKind, type ServerLimitKind } from './errors.js';
export { MemoryHeaderStore, type HeaderStore, type MaybePromise } from './header-store.js';
export { GENESIS, MAINNET_GENESIS, TESTNET3_GENESIS, TESTNET4_GENESIS, SIGNET_GENESIS, REGTEST_GENESIS, type Checkpoint } from './checkpoints.js';
export type { ChainTip } from './header-chain.js';
export { DEFAULT_MAX_DISCOVERED, MAX_PEER_ENTRIES, peerUrls } from './discovery.js';
