// A wallet watcher: subscribes to an address's script hash on an Electrum server and prints each change of its
// status with the balance, until Ctrl-C. The connection is renewed on its own if the server drops it.
//
// Run (after `npm run build`; Node 22.18+ runs TypeScript as is, Node 20 through tsx):
//   npx tsx examples/wallet-watcher.ts tcp://127.0.0.1:50001 bcrt1q... regtest
// Against `npm start`, its payout address changes with every block.
import { addressToScriptHash, type Network } from 'stratum-sdk/bitcoin';
import { ElectrumClient } from 'stratum-sdk/electrum';

const [url = 'tcp://127.0.0.1:50001', address, network = 'regtest'] = process.argv.slice(2);
if (!address) throw new Error('usage: wallet-watcher.ts <electrum-url> <address> [mainnet|testnet|signet|regtest]');
const scripthash = addressToScriptHash(address, network as Network);

const client = new ElectrumClient(url, { clientName: 'wallet-watcher/1.0', reconnect: true });
client.on('reconnect', () => console.log('reconnected; the subscription was renewed'));
await client.connect();
console.log(`connected to ${client.serverVersion}, protocol ${client.protocolVersion}`);

const btc = (sats: number) => `${(sats / 1e8).toFixed(8)} BTC`;
async function showBalance(status: string | null) {
  const { confirmed, unconfirmed } = await client.blockchain.scripthash.getBalance(scripthash);
  console.log(`${address}: status ${status ?? 'null (no history)'}, ${btc(confirmed)} confirmed, ${btc(unconfirmed)} unconfirmed`);
}

const subscription = await client.subscribe('blockchain.scripthash.subscribe', [scripthash]);
await showBalance(subscription.initial);
process.once('SIGINT', () => void client.close());
for await (const [, status] of subscription) await showBalance(status);
