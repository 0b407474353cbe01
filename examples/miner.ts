// A miner: a MiningClient on a Stratum pool, with the SDK's CPU search (CpuMiner) submitting every share that
// meets the pool's difficulty, until it has as many accepted shares as asked. CPU mining is for test pools:
// run `npm start` (or `stratum-sdk serve`), whose share difficulty a CPU meets every few seconds.
//
// Run (after `npm run build`; Node 22.18+ runs TypeScript as is, Node 20 through tsx):
//   npx tsx examples/miner.ts stratum+tcp://127.0.0.1:3333 me.worker 3
import { MiningClient } from 'stratum-sdk/mining';
import { CpuMiner } from 'stratum-sdk/regtest';

const [url = 'stratum+tcp://127.0.0.1:3333', user = 'example.worker', wanted = '3'] = process.argv.slice(2);

await using miner = await MiningClient.connect(url, { agent: 'example-miner/1.0' });
miner.on('job', (job) => console.log(`job ${job.jobId} at difficulty ${job.difficulty}`));
const { subscription } = await miner.start({
  user,
  password: 'x',
  configure: [['version-rolling'], { 'version-rolling.mask': '1fffe000' }],
});
console.log(`extranonce1 ${subscription.extranonce1}, version mask ${miner.versionMask ?? 'none'}`);

const cpu = new CpuMiner(miner, { worker: user });
const stop = new AbortController();
let accepted = 0;
cpu.events.on('share', (share) => {
  console.log(`share ${share.accepted ? 'accepted' : `rejected (${share.error?.message})`}: nonce ${share.nonce}, hash ${share.hash}`);
  if (share.accepted && ++accepted >= Number(wanted)) stop.abort();
});
process.once('SIGINT', () => stop.abort());
await cpu.run(stop.signal);
console.log(`${accepted} shares accepted after ${cpu.hashes} hashes`);
