// stratum-sdk/regtest: the in-memory regtest chain, the Electrum backend and pool over it, and the world that runs them.
export { RegtestChain, REGTEST_GENESIS_HASH, REGTEST_GENESIS_HEADER, COINBASE_MATURITY, TransactionRejected, subsidy, type BlockTemplate, type ChainBlock, type ChainEvents, type HistoryEntry, type OutputInfo, type ReorgEvent, type ReorgOptions, type ReorgResult } from './regtest/chain.js';
export { electrumBackend, statusOf, headerNotification, notifyChainEvents, type ElectrumBackendOptions, type ElectrumBackendSession } from './regtest/electrum-backend.js';
export { RegtestPool, PoolMiner, SHARE_ERRORS, KEPT_JOBS, DEFAULT_MAX_SHARES_PER_JOB, type PoolEvents, type PoolMinerLink, type PoolOptions, type ShareEvent, type VarDiff } from './regtest/pool.js';
export { buildJob, type JobSettings, type PoolJob } from './regtest/jobs.js';
export { startWorld, DEFAULT_WORLD_PORTS, DEFAULT_PAYOUT_ADDRESS, WORLD_CONNECTION_LIMITS, type World, type WorldOptions, type WorldPorts, type WorldTlsFiles, type WorldUrls } from './regtest/world.js';
export { selfSignedCertificate, certificateFingerprint, DEFAULT_CERTIFICATE_HOSTS, type SelfSignedOptions, type TlsCertificate } from './regtest/certificate.js';
export { CpuMiner, type CpuMinerEvents, type CpuMinerOptions, type ShareResult } from './clients/cpu-miner.js';
export { startLyingElectrumServer, badPow, type Lie, type LyingServer, type LyingServerOptions } from './regtest/lying-server.js';
export { buildWalletHistory, type WalletHistoryOptions } from './regtest/chain.js';
