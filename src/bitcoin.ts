// stratum-sdk/bitcoin: pure functions to check what Electrum servers and Stratum pools say. Script hashes and
// status, merkle and checkpoint proofs, headers and proof of work, and Stratum jobs, shares and version rolling.
// Hex at the edges, as the protocols send it; every malformed input throws a BitcoinError (code VALIDATION).
export { BitcoinError, type BitcoinErrorReason } from './bitcoin/errors.js';
export {
  bytesToHex,
  hashFromHex,
  hashToHex,
  hexToBytes,
  reverseBytes,
  u32FromHex,
  u32ToHex,
  type BytesLike,
} from './bitcoin/bytes.js';
export { hash160, sha256, sha256d } from './bitcoin/hash.js';
export { NETWORKS, NETWORK_NAMES, type Network, type NetworkParams } from './bitcoin/networks.js';
export {
  addressToScriptPubKey,
  classifyScript,
  decodeAddress,
  scriptPubKeyToAddress,
  type AddressType,
  type DecodedAddress,
  type ScriptInfo,
} from './bitcoin/address.js';
export { addressToScriptHash, scriptHash } from './bitcoin/scripthash.js';
export { electrumStatus, orderHistory, type HistoryItem, type StatusOptions } from './bitcoin/status.js';
export { isCoinbase, parseTransaction, serializeTransaction, transactionId, type Transaction, type TransactionData, type TxInput, type TxOutput } from './bitcoin/tx.js';
export {
  coinbaseMerkleBranch,
  headersMerkleRoot,
  merkleBranch,
  merkleBranchBytes,
  merkleParent,
  merkleRoot,
  merkleRootBytes,
  rootFromBranchBytes,
  verifyHeaderProof,
  verifyHeadersProof,
  verifyMerkleProof,
  verifyTransactionInHeader,
  type HeaderProof,
  type HeadersProof,
  type MerkleProof,
} from './bitcoin/merkle.js';
export {
  HEADER_SIZE,
  blockHash,
  checkProofOfWork,
  headerHashBytes,
  parseHeader,
  serializeHeader,
  serializeHeaderBytes,
  splitHeaders,
  verifyHeaderChain,
  type BlockHeader,
  type HeaderChainOptions,
  type HeaderChainProblem,
  type HeaderChainResult,
  type PowOptions,
} from './bitcoin/header.js';
export {
  DIFF1_TARGET,
  MAX_TARGET,
  POW_LIMITS,
  bitsToDifficulty,
  bitsToTarget,
  decodeBits,
  difficultyToTarget,
  hashDifficulty,
  hashMeetsTarget,
  hashToBigInt,
  targetToBits,
  targetToBytes,
  targetToDifficulty,
  type DecodedBits,
} from './bitcoin/target.js';
export {
  MAX_TIMEWARP,
  RETARGET_INTERVAL,
  TARGET_SPACING,
  TARGET_TIMESPAN,
  allowsMinDifficulty,
  checkDifficulty,
  contextStart,
  nextWorkRequired,
  periodStart,
  powLimitBits,
  retargetBits,
  type AncestorLookup,
  type DifficultyCheck,
  type DifficultyHeader,
  type DifficultyRules,
} from './bitcoin/difficulty.js';
export {
  buildCoinbase,
  buildHeader,
  compileJob,
  meetsDifficulty,
  parseNotify,
  prevHashFromStratum,
  prevHashToStratum,
  shareDifficulty,
  stratumMerkleRoot,
  type BuiltHeader,
  type CompiledJob,
  type MiningNotifyParams,
  type StratumJob,
  type Work,
} from './bitcoin/job.js';
export {
  ShareCheck,
  ShareValidator,
  type ShareRejection,
  type ShareSession,
  type ShareSubmit,
} from './bitcoin/share.js';
export {
  BIP320_VERSION_MASK,
  applyVersionBits,
  bitCount,
  formatVersionMask,
  negotiateVersionRolling,
  parseVersionMask,
  versionBitsAllowed,
  type VersionRollingGrant,
  type VersionRollingRequest,
} from './bitcoin/version-rolling.js';
export { Extranonce2Counter, formatExtranonce2 } from './bitcoin/extranonce.js';
export {
  findNonce,
  searchNonce,
  type AsyncNonceSearchOptions,
  type FoundNonce,
  type NonceSearchOptions,
} from './bitcoin/search.js';
