// An Electrum server of your own with two handlers: server.banner and blockchain.block.header over a few
// made-up headers. Everything else gets the protocol's "unknown method" error, and server.version is
// negotiated for you. The program then connects to it with the SDK's client, asks both, and stops; give it
// `--serve` to keep it running for your own wallet instead.
//
// Run (after `npm run build`; Node 22.18+ runs TypeScript as is, Node 20 through tsx):
//   npx tsx examples/server.ts            (or: npx tsx examples/server.ts --serve 50001)
import { ElectrumClient } from 'stratum-sdk/electrum';
import { createElectrumServer, ServerError } from 'stratum-sdk/server';

const headers = ['00'.repeat(80), '11'.repeat(80), '22'.repeat(80)];
const serve = process.argv[2] === '--serve';

const server = await createElectrumServer({
  serverSoftware: 'example-server/1.0',
  listen: { tcp: { port: serve ? Number(process.argv[3] ?? 50001) : 0 } },
  handlers: {
    'server.banner': (_params, session) => `hello ${session.clientName ?? 'stranger'}`,
    'blockchain.block.header': ([height]) => {
      const header = headers[height];
      if (header === undefined) throw new ServerError('blockchain.block.header', 1, `height ${height} out of range`);
      return header;
    },
  },
});
const url = server.url('tcp') as string;
console.log(`serving on ${url}`);

if (serve) {
  process.once('SIGINT', () => void server.close());
} else {
  const client = await ElectrumClient.connect(url, { clientName: 'example-client' });
  console.log(`negotiated ${client.protocolVersion} with ${client.serverVersion}`);
  console.log(`banner: ${await client.server.banner()}`);
  console.log(`header 1: ${await client.blockchain.block.header(1)}`);
  await client.blockchain.block.header(7).catch((e: Error) => console.log(`header 7: ${e.message}`));
  await client.close();
  await server.close();
}
