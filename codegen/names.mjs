// Names derived from wire names, in one place so every emitter agrees.

/** "get_fee_histogram" -> "getFeeHistogram" */
export function camel(segment) {
  return segment.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/**
 * ["blockchain", "transaction", "getMerkle"] -> "blockchain.transaction.get_merkle": the inverse of
 * accessorPath where the wire name allows it. The lite client's wrappers (src/runtime/bind.ts, wireTree)
 * find wire names this way, from the accessors alone.
 */
export function wireNameOf(accessors) {
  return accessors.map((a) => a.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join('.');
}

/** "blockchain.transaction.get" -> "BlockchainTransactionGet" */
export function pascal(wireName) {
  return wireName
    .split(/[._]/)
    .filter(Boolean)
    .map((s) => s[0].toUpperCase() + s.slice(1))
    .join('');
}

/** "blockchain.transaction.get" -> ["blockchain", "transaction", "get"] as camelCase accessors. */
export function accessorPath(wireName) {
  return wireName.split('.').map(camel);
}

/** "verbose" -> "Verbose", "raw" -> "Raw" */
export function upperFirst(s) {
  return s[0].toUpperCase() + s.slice(1);
}

/** How the documentation names each protocol. */
export const PROTOCOL_TITLES = { electrum: 'Electrum', mining: 'Stratum V1' };

/** "blockchain.transaction.get" -> "blockchain.transaction": the group a method is listed under. */
export function namespaceOf(wireName) {
  return wireName.split('.').slice(0, -1).join('.');
}
