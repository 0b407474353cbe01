// A pool of your own over a regtest chain: the RegtestPool's share rules behind a typed Stratum server, and
// each block found printed as it lands on the chain. This is how the world wires its pool, minus Electrum.
//
// Run (after `npm run build`; Node 22.18+ runs TypeScript as is, Node 20 through tsx):
//   npx tsx examples/pool.ts 3333
// then mine on it: npx stratum-sdk mine stratum+tcp://127.0.0.1:3333 --user you
// (or minerd -a sha256d -o stratum+tcp://127.0.0.1:3333 -u you -p x).
import { addressToScriptPubKey } from 'stratum-sdk/bitcoin';
import { DEFAULT_PAYOUT_ADDRESS, RegtestChain, RegtestPool, type PoolMiner } from 'stratum-sdk/regtest';
import { createMiningServer, type MiningHandlers } from 'stratum-sdk/server';

const port = Number(process.argv[2] ?? 3333);
const chain = new RegtestChain();
const pool = new RegtestPool(chain, { payoutScript: addressToScriptPubKey(DEFAULT_PAYOUT_ADDRESS, 'regtest'), difficulty: 1 / 4096 });

// Each pool handler takes the PoolMiner of the connection; the server keeps it in the session's context.
type Context = { miner: PoolMiner | undefined };
const handlers = Object.fromEntries(
  Object.entries(pool.handlers).map(([method, handler]) => [
    method,
    (params: never, session: { context: Context }) => (handler as (p: never, m: PoolMiner) => unknown)(params, session.context.miner as PoolMiner),
  ]),
) as MiningHandlers<Context>;
const server = await createMiningServer<Context>({ context: () => ({ miner: undefined }), handlers, listen: { tcp: { port } } });
server.on('connection', (session) => {
  session.context.miner = pool.connect({
    notify: (method, params) => void session.notify(method, params as never),
    request: (method, params, options) => session.request(method, params, options),
  });
});
server.on('disconnect', (session) => session.context.miner && pool.disconnect(session.context.miner));

pool.events.on('share', (share) => console.log(`${share.worker}: share ${share.accepted ? 'accepted' : `refused (${share.reason})`}`));
chain.events.on('block', (block) => console.log(`block ${block.height} ${block.hash}`));
console.log(`pool on ${server.url('tcp')?.replace('tcp:', 'stratum+tcp:')}, Ctrl-C stops it`);
process.once('SIGINT', () => {
  pool.close();
  void server.close();
});
