// A verified balance: takes an address's history from an Electrum server and believes none of it without proof.
// Each confirmed transaction is fetched, its txid recomputed from the raw bytes, and its merkle proof checked
// against the block header of its height; the confirmed balance is then summed from the verified outputs and
// compared with what the server's get_balance says.
//
// Run (after `npm run build`; Node 22.18+ runs TypeScript as is, Node 20 through tsx):
//   npx tsx examples/balance-check.ts tcp://127.0.0.1:50001 bcrt1q... regtest
import { addressToScriptHash, addressToScriptPubKey, parseTransaction, verifyTransactionInHeader, type Network, type Transaction } from 'stratum-sdk/bitcoin';
import { ElectrumClient } from 'stratum-sdk/electrum';

const [url = 'tcp://127.0.0.1:50001', address, network = 'regtest'] = process.argv.slice(2);
if (!address) throw new Error('usage: balance-check.ts <electrum-url> <address> [network]');
const script = addressToScriptPubKey(address, network as Network);
const scripthash = addressToScriptHash(address, network as Network);

await using client = await ElectrumClient.connect(url, { clientName: 'balance-check/1.0' });
const history = await client.blockchain.scripthash.getHistory(scripthash);
const verified: Transaction[] = [];
for (const { tx_hash: txid, height } of history) {
  if (height <= 0) continue; // in the mempool: nothing to prove yet
  const tx = parseTransaction(await client.blockchain.transaction.get(txid));
  const proof = await client.blockchain.transaction.getMerkle(txid, height);
  const header = await client.blockchain.block.header(height);
  if (tx.txid !== txid) throw new Error(`${txid}: the server sent another transaction (${tx.txid})`);
  if (!verifyTransactionInHeader(txid, proof, header)) throw new Error(`${txid}: its merkle proof does not lead to block ${height}'s header`);
  verified.push(tx);
}

// Outputs paying the script, less those a verified transaction spends.
const spent = new Set(verified.flatMap((tx) => tx.inputs.map((i) => `${i.txid}:${i.vout}`)));
let balance = 0n;
for (const tx of verified) {
  tx.outputs.forEach((o, vout) => {
    if (o.scriptPubKey === script && !spent.has(`${tx.txid}:${vout}`)) balance += o.value;
  });
}
const claimed = await client.blockchain.scripthash.getBalance(scripthash);
console.log(`${verified.length} confirmed transactions, every one proven in its block`);
console.log(`verified balance ${balance} sat; the server says ${claimed.confirmed} sat confirmed`);
if (BigInt(claimed.confirmed) !== balance) {
  console.log('MISMATCH: the server claims a balance its own proofs do not show');
  process.exitCode = 1;
}
