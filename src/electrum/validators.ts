// stratum-sdk/electrum/validators: the spec's checks of each Electrum method, one export (and one module)
// per method, so a bundle holds only those imported; `walletValidators` is the set a wallet needs and
// `electrumValidators` all of them. Give a set to a client as its `validators` option.
export * from '../generated/electrum/validators/index.js';
export type { MethodValidators, ValidatorSet } from '../runtime/validation.js';
import {
  blockchain_headers_subscribe_from_1_4,
  blockchain_scripthash_get_balance,
  blockchain_scripthash_get_history,
  blockchain_scripthash_listunspent,
  blockchain_scripthash_subscribe,
  blockchain_transaction_broadcast_from_1_1,
  blockchain_transaction_get,
  blockchain_transaction_get_merkle,
  server_version_from_1_1,
} from '../generated/electrum/validators/index.js';

/**
 * The validators of the methods a typical wallet uses, for protocol 1.4 and later (the clients' default
 * range): server.version, the tip's subscription (blockchain.headers.subscribe), a script hash's
 * subscription, history, balance and unspent outputs, and a transaction's fetch, broadcast and merkle
 * proof. Other methods go unchecked (but for the version rules); add the ones you call:
 * `{ ...walletValidators, 'blockchain.block.header': blockchain_block_header }`. It carries no checks of the
 * shapes older versions sent (pre-1.4 deserialized headers), so a client whose range starts before 1.4
 * refuses it when made: give it the methods' validators for every version instead (`server_version`, ...).
 */
export const walletValidators = {
  'server.version': server_version_from_1_1,
  'blockchain.headers.subscribe': blockchain_headers_subscribe_from_1_4,
  'blockchain.scripthash.subscribe': blockchain_scripthash_subscribe,
  'blockchain.scripthash.get_history': blockchain_scripthash_get_history,
  'blockchain.scripthash.get_balance': blockchain_scripthash_get_balance,
  'blockchain.scripthash.listunspent': blockchain_scripthash_listunspent,
  'blockchain.transaction.get': blockchain_transaction_get,
  'blockchain.transaction.broadcast': blockchain_transaction_broadcast_from_1_1,
  'blockchain.transaction.get_merkle': blockchain_transaction_get_merkle,
} as const;
