// tls.servername when the URL's host is an IP address: SNI is never sent for an IP (RFC 6066), but the
// certificate is checked against the name given. The fixture certificate "localhost" is for DNS
// localhost and IP 127.0.0.1, so each case shows which name was checked.
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { TlsError } from '../../src/runtime/errors.js';
import { tcpConnector } from '../../src/runtime/node/tcp.js';
import { wsConnector } from '../../src/runtime/node/ws.js';
import type { Connector, TransportHandlers } from '../../src/runtime/transport.js';
import { fixture } from '../helpers/fake-electrum.js';

const quiet: TransportHandlers = { message: () => undefined, error: () => undefined, close: () => undefined };
const credentials = { key: fixture('localhost.key'), cert: fixture('localhost.pem') };

interface SniServer {
  readonly port: number;
  /** The SNI of the next connection the server accepts: false when none was sent. */
  nextName(): Promise<string | false>;
  close(): Promise<void>;
}

/** Names in the order connections were accepted, each handed to the test when it asks. */
function nameQueue() {
  const names: (string | false)[] = [];
  const waiting: ((name: string | false) => void)[] = [];
  return {
    push(name: string | false) {
      const take = waiting.shift();
      if (take) take(name);
      else names.push(name);
    },
    next(): Promise<string | false> {
      return names.length > 0 ? Promise.resolve(names.shift() as string | false) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function tlsServer(): Promise<SniServer> {
  const names = nameQueue();
  const server = tls.createServer(credentials, (socket) => names.push(socket.servername ?? false));
  const port = await listen(server);
  return { port, nextName: names.next, close: () => closeAll(server) };
}

async function wssServer(): Promise<SniServer> {
  const names = nameQueue();
  const server = https.createServer(credentials);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (_ws, request) => names.push((request.socket as tls.TLSSocket).servername ?? false));
  const port = await listen(server);
  return {
    port,
    nextName: names.next,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await closeAll(server);
    },
  };
}

function closeAll(server: net.Server): Promise<void> {
  (server as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

let server: SniServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const kinds: Record<'tls' | 'wss', { start: () => Promise<SniServer>; connector: (port: number, servername?: string) => Connector }> = {
  tls: {
    start: tlsServer,
    connector: (port, servername) => tcpConnector({ host: '127.0.0.1', port, tls: { ca: fixture('ca.pem'), servername }, connectTimeout: 5000 }),
  },
  wss: {
    start: wssServer,
    connector: (port, servername) => wsConnector({ url: `wss://127.0.0.1:${port}`, tls: { ca: fixture('ca.pem'), servername }, connectTimeout: 5000 }),
  },
};

for (const [kind, { start, connector }] of Object.entries(kinds)) {
  describe(`${kind}: servername with an IP host`, () => {
    it('checks the certificate against the given name and sends it as SNI', async () => {
      server = await start();
      const transport = await connector(server.port, 'localhost')(quiet);
      expect(await server.nextName()).toBe('localhost');
      transport.close();
    });

    it('refuses a certificate that does not carry the given name, although it carries the IP', async () => {
      server = await start();
      await expect(connector(server.port, 'example.org')(quiet)).rejects.toBeInstanceOf(TlsError);
    });

    it('without a servername, checks the IP and sends no SNI', async () => {
      server = await start();
      const transport = await connector(server.port)(quiet);
      expect(await server.nextName()).toBe(false);
      transport.close();
    });

    it('with an IP address as servername, sends no SNI and checks that address', async () => {
      server = await start();
      const transport = await connector(server.port, '127.0.0.1')(quiet);
      expect(await server.nextName()).toBe(false);
      transport.close();
      await expect(connector(server.port, '10.0.0.1')(quiet)).rejects.toBeInstanceOf(TlsError);
    });
  });
}
