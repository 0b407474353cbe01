// A small SOCKS5 proxy on 127.0.0.1 for tests (RFC 1928 CONNECT, RFC 1929 username and password). It records what
// each client asked for (the name as sent, not a resolved address), maps `.onion` names to local servers as Tor
// would reach them, and can refuse with any reply code, answer garbage, hang, hang up mid-handshake, or drop relayed
// connections on demand.
import net from 'node:net';

export interface SocksRequest {
  /** 1 IPv4, 3 domain name, 4 IPv6: how the client sent the address. */
  readonly atyp: number;
  readonly host: string;
  readonly port: number;
}

export interface Socks5ServerOptions {
  /** Require RFC 1929 authentication with these credentials. */
  readonly auth?: { readonly username: string; readonly password: string };
}

export interface Socks5Server {
  readonly port: number;
  /** socks5h://127.0.0.1:<port> (with the credentials when `auth` was given). */
  readonly url: string;
  /** Every CONNECT received, in order. */
  readonly requests: SocksRequest[];
  /** Every RFC 1929 attempt received, in order. */
  readonly logins: { username: string; password: string }[];
  /** Where a name goes: `onion("abc.onion", port)` makes CONNECTs to that name reach 127.0.0.1:port. */
  onion(name: string, port: number): void;
  /** Answer every CONNECT with this reply code instead of connecting (undefined: connect again). */
  refuse: number | undefined;
  /** Answer the greeting with these bytes instead (a proxy that is not SOCKS5). */
  badGreeting: Uint8Array | undefined;
  /** Accept connections and never answer (a proxy that hangs). */
  silent: boolean;
  /** Close each connection as soon as its greeting arrives (a proxy that drops clients mid-handshake). */
  hangUp: boolean;
  /** Connections relayed to their server and still open. */
  readonly relayed: number;
  /** Drops every relayed connection abruptly, both sides. */
  dropAll(): void;
  close(): Promise<void>;
}

// A greeting, an RFC 1929 request and a CONNECT request together stay far below this; more is a broken client.
const MAX_HANDSHAKE_BYTES = 1024;

export async function startSocks5Server(options: Socks5ServerOptions = {}): Promise<Socks5Server> {
  const onions = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const relays = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (!state.silent) handshake(client);
  });

  const state: Socks5Server = {
    port: 0,
    url: '',
    requests: [],
    logins: [],
    refuse: undefined,
    badGreeting: undefined,
    silent: false,
    hangUp: false,
    onion: (name, port) => void onions.set(name.toLowerCase(), port),
    get relayed() {
      return relays.size;
    },
    dropAll: () => {
      for (const { client, upstream } of relays) {
        client.destroy();
        upstream.destroy();
      }
      relays.clear();
    },
    close: async () => {
      state.dropAll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  /** Reads the handshake a step at a time from the bytes received so far. */
  function handshake(client: net.Socket): void {
    let buffer = Buffer.alloc(0);
    let step: 'greeting' | 'auth' | 'request' | 'done' = 'greeting';
    const reply = (code: number) => client.write(Buffer.from([5, code, 0, 1, 127, 0, 0, 1, 0, 0]));
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length > MAX_HANDSHAKE_BYTES) return void client.destroy();
      for (;;) {
        if (step === 'greeting') {
          if (buffer.length < 2 || buffer.length < 2 + (buffer[1] as number)) return;
          const methods = [...buffer.subarray(2, 2 + (buffer[1] as number))];
          buffer = buffer.subarray(2 + (buffer[1] as number));
          if (state.hangUp) return void client.destroy();
          if (state.badGreeting) return void client.end(state.badGreeting);
          const wanted = options.auth ? 2 : 0;
          if (!methods.includes(wanted)) return void client.end(Buffer.from([5, 0xff]));
          client.write(Buffer.from([5, wanted]));
          step = options.auth ? 'auth' : 'request';
        } else if (step === 'auth') {
          if (buffer.length < 2) return;
          const ulen = buffer[1] as number;
          if (buffer.length < 3 + ulen) return;
          const plen = buffer[2 + ulen] as number;
          if (buffer.length < 3 + ulen + plen) return;
          const username = buffer.subarray(2, 2 + ulen).toString('utf8');
          const password = buffer.subarray(3 + ulen, 3 + ulen + plen).toString('utf8');
          buffer = buffer.subarray(3 + ulen + plen);
          state.logins.push({ username, password });
          const ok = username === options.auth?.username && password === options.auth?.password;
          if (!ok) return void client.end(Buffer.from([1, 1]));
          client.write(Buffer.from([1, 0]));
          step = 'request';
        } else if (step === 'request') {
          if (buffer.length < 5) return;
          const atyp = buffer[3] as number;
          const addressLength = atyp === 1 ? 4 : atyp === 4 ? 16 : atyp === 3 ? 1 + (buffer[4] as number) : -1;
          if (addressLength < 0) return void client.end(Buffer.from([5, 8, 0, 1, 0, 0, 0, 0, 0, 0]));
          if (buffer.length < 4 + addressLength + 2) return;
          const address = buffer.subarray(4, 4 + addressLength);
          const port = buffer.readUInt16BE(4 + addressLength);
          const rest = buffer.subarray(4 + addressLength + 2);
          const host = atyp === 1 ? [...address].join('.') : atyp === 3 ? address.subarray(1).toString('latin1') : ipv6(address);
          state.requests.push({ atyp, host, port });
          step = 'done';
          client.off('data', onData);
          if (buffer[1] !== 1) return void reply(7); // only CONNECT
          if (state.refuse !== undefined) return void client.end(Buffer.from([5, state.refuse, 0, 1, 0, 0, 0, 0, 0, 0]));
          connect(client, host, port, rest, reply);
          return;
        } else {
          return;
        }
      }
    };
    client.on('data', onData);
  }

  /** CONNECT: `.onion` names through the map (unknown ones get Tor's "descriptor not found"), the rest as asked. */
  function connect(client: net.Socket, host: string, port: number, early: Buffer, reply: (code: number) => void): void {
    let target = { host, port };
    if (/\.onion$/i.test(host)) {
      const local = onions.get(host.toLowerCase());
      if (local === undefined) return void client.end(Buffer.from([5, 0xf0, 0, 1, 0, 0, 0, 0, 0, 0]));
      target = { host: '127.0.0.1', port: local };
    }
    client.pause();
    const upstream = net.connect(target);
    let connected = false;
    upstream.on('error', () => {
      if (connected) return void client.destroy();
      reply(5); // connection refused
      client.end();
    });
    upstream.once('connect', () => {
      connected = true;
      const relay = { client, upstream };
      relays.add(relay);
      const forget = () => {
        relays.delete(relay);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', forget);
      upstream.on('close', forget);
      reply(0);
      if (early.length) upstream.write(early);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const auth = options.auth ? `${encodeURIComponent(options.auth.username)}:${encodeURIComponent(options.auth.password)}@` : '';
  Object.assign(state, { port, url: `socks5h://${auth}127.0.0.1:${port}` });
  return state;
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}
