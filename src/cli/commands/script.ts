// stratum-sdk scripthash <address> | --script <hex>, and stratum-sdk address <scriptPubKey hex>: the conversions
// the blockchain.scripthash.* commands need. Offline: nothing connects.
import { addressToScriptPubKey, decodeAddress, scriptPubKeyToAddress } from '../../bitcoin/address.js';
import { bytesToHex } from '../../bitcoin/bytes.js';
import { BitcoinError } from '../../bitcoin/errors.js';
import { NETWORK_NAMES, type Network } from '../../bitcoin/networks.js';
import { scriptHash } from '../../bitcoin/scripthash.js';
import { parseCommand } from '../args.js';
import { UsageError, type CliIo } from '../io.js';

export const SCRIPTHASH_HELP = `Usage: stratum-sdk scripthash <address> [--network mainnet|testnet|signet|regtest]
       stratum-sdk scripthash --script <scriptPubKey hex>

Prints the Electrum script hash of an address or of an output script: the sha256 of the scriptPubKey,
byte-reversed, as the blockchain.scripthash.* methods take it. The address's network is read from the
address; --network checks it is that one. Nothing connects.

Examples:
  stratum-sdk scripthash bcrt1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx
  stratum-sdk call tcp://127.0.0.1:50001 blockchain.scripthash.get_balance $(stratum-sdk scripthash <address>)
  stratum-sdk scripthash --script 0014c0cebcd6c3d3ca8c75dc5ec62ebe55330ef910e2

Options:
  --network <name>    mainnet, testnet, signet or regtest: refuse an address of another network
  --script <hex>      hash this scriptPubKey instead of an address's
  -h, --help          this help`;

export const ADDRESS_HELP = `Usage: stratum-sdk address <scriptPubKey hex> [--network mainnet|testnet|signet|regtest]

Prints the address of an output script (P2PKH, P2SH, P2WPKH, P2WSH, P2TR and later witness versions) on a
network (default mainnet). A script hash cannot be turned back into an address: it is a hash of the script.
Nothing connects.

Examples:
  stratum-sdk address 0014c0cebcd6c3d3ca8c75dc5ec62ebe55330ef910e2 --network regtest

Options:
  --network <name>    mainnet (default), testnet, signet or regtest
  -h, --help          this help`;

const NETWORK_OPTION = { network: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export async function scripthash(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...NETWORK_OPTION, script: { type: 'string' } });
  if (values.help) {
    io.stdout(SCRIPTHASH_HELP);
    return 0;
  }
  const network = values.network === undefined ? undefined : networkOf(values.network);
  if (values.script !== undefined) {
    if (positionals.length) throw new UsageError('give an address or --script <hex>, not both');
    if (network) throw new UsageError('--network applies to an address; a script is the same on every network');
    if (!/^([0-9a-fA-F]{2})+$/.test(values.script)) throw new UsageError(`--script must be a scriptPubKey in hex, got ${JSON.stringify(values.script)}`);
    io.stdout(scriptHash(values.script));
    return 0;
  }
  const [address, ...extra] = positionals;
  if (!address) throw new UsageError('scripthash needs an address (or --script <hex>)');
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  let script: string;
  try {
    script = network ? addressToScriptPubKey(address, network) : bytesToHex(decodeAddress(address).scriptPubKey);
  } catch (e) {
    if (!(e instanceof BitcoinError)) throw e;
    const hint = /^[0-9a-fA-F]+$/.test(address) && address.length % 2 === 0 ? ' (for a script in hex, use --script)' : '';
    throw new UsageError(`${JSON.stringify(address)} is not a${network ? ` ${network}` : 'n'} address: ${e.message}${hint}`);
  }
  io.stdout(scriptHash(script));
  return 0;
}

export async function address(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, NETWORK_OPTION);
  if (values.help) {
    io.stdout(ADDRESS_HELP);
    return 0;
  }
  const network = values.network === undefined ? 'mainnet' : networkOf(values.network);
  const [script, ...extra] = positionals;
  if (!script) throw new UsageError('address needs a scriptPubKey in hex');
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (!/^([0-9a-fA-F]{2})+$/.test(script)) {
    throw new UsageError(`${JSON.stringify(script)} is not a scriptPubKey in hex${/^(bc|tb|bcrt)1|^[123mn]/.test(script) ? ' (it looks like an address: stratum-sdk scripthash takes those)' : ''}`);
  }
  try {
    io.stdout(scriptPubKeyToAddress(script, network));
  } catch (e) {
    if (!(e instanceof BitcoinError)) throw e;
    if (script.length === 64) throw new UsageError(`${script.slice(0, 16)}… has no address: a script hash cannot be turned back into one (give the scriptPubKey)`);
    throw new UsageError(`${script.length > 40 ? `${script.slice(0, 40)}…` : script} has no address: ${e.message}`);
  }
  return 0;
}

function networkOf(text: string): Network {
  if (!(NETWORK_NAMES as readonly string[]).includes(text)) throw new UsageError(`--network must be one of ${NETWORK_NAMES.join(', ')}, got ${JSON.stringify(text)}`);
  return text as Network;
}
