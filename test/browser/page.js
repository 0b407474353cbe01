// The page of test/browser/browser.test.ts, bundled by esbuild from the built package exactly as an app would
// import it: the package names only, no connector option, no shims. The test calls these functions through
// page.evaluate and checks what they return.
import { ConnectError } from 'stratum-sdk';
import { ElectrumClient, fileTrustStore } from 'stratum-sdk/electrum';
import { ElectrumClient as LiteElectrumClient } from 'stratum-sdk/electrum/lite';
import { MiningClient } from 'stratum-sdk/mining';
import { blockHash, verifyTransactionInHeader } from 'stratum-sdk/bitcoin';

let client;
let notification;
let lite;
let liteNotification;

/** How an error looks from here, for the test to check. */
function described(promiseOrFn) {
  return Promise.resolve()
    .then(promiseOrFn)
    .then(
      () => ({ rejected: false }),
      (e) => ({ rejected: true, connectError: e instanceof ConnectError, code: e?.code, name: e?.name, message: String(e?.message) }),
    );
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))]);
}

globalThis.scenario = {
  /** Connects over the platform's WebSocket, negotiates, calls a method and subscribes to headers. */
  async start(wsUrl, tcpUrl, stratumUrl) {
    client = await ElectrumClient.connect(wsUrl, { clientName: 'browser-test/1.0', reconnect: false });
    const banner = await client.server.banner();
    const genesisHeader = await client.blockchain.block.header(0);
    notification = new Promise((resolve) => client.on('blockchain.headers.subscribe', (header) => resolve(header)));
    const sub = await client.subscribe('blockchain.headers.subscribe', []);
    // The lite client too, on the same page: its wrappers, a request and the same notification.
    lite = await LiteElectrumClient.connect(wsUrl, { clientName: 'browser-test-lite/1.0' });
    liteNotification = new Promise((resolve) => lite.on('blockchain.headers.subscribe', (header) => resolve(header)));
    const liteTip = await lite.blockchain.headers.subscribe();
    return {
      webSocket: typeof WebSocket,
      protocolVersion: client.protocolVersion,
      banner,
      genesisHash: blockHash(genesisHeader),
      tipHeight: sub.initial.height,
      tcp: await described(() => ElectrumClient.connect(tcpUrl)),
      tls: await described(() => ElectrumClient.connect(tcpUrl.replace(/^tcp:/, 'tls:'))),
      pinnedWss: await described(() => ElectrumClient.connect(wsUrl.replace(/^ws:/, 'wss:'), { tls: { pin: 'ab'.repeat(32) } })),
      mining: await described(() => MiningClient.connect(stratumUrl)),
      fileTrustStore: await described(() => fileTrustStore('known-servers.json')),
      lite: { protocolVersion: lite.protocolVersion, banner: await lite.request('server.banner', []), tipHeight: liteTip.height },
      liteTcp: await described(() => LiteElectrumClient.connect(tcpUrl)),
    };
  },

  /** After the test mined a block: the notification, and the merkle proof of `txid` checked against its header. */
  async afterBlock(txid) {
    const header = await withTimeout(notification, 10_000, 'the header notification');
    const proof = await client.blockchain.transaction.getMerkle(txid, header.height);
    const liteHeader = await withTimeout(liteNotification, 10_000, "the lite client's header notification");
    const result = {
      height: header.height,
      hash: blockHash(header.hex),
      pos: proof.pos,
      branchLength: proof.merkle.length,
      proven: verifyTransactionInHeader(txid, proof, header.hex),
      forgedRejected: !verifyTransactionInHeader(txid, { ...proof, pos: proof.pos ^ 1 }, header.hex),
      liteHeight: liteHeader.height,
    };
    client.close();
    await lite.close();
    return result;
  },
};
