// stratum-sdk subscribe <url> <method> [params...]: the first answer, then every notification, as JSON
// lines until interrupted. Reconnects on its own, so a long watch survives a server restart.
import { electrumProtocol } from '../../generated/electrum/methods.js';
import { parseCommand } from '../args.js';
import { connectCli } from '../connect.js';
import { UsageError, type CliIo } from '../io.js';
import { SHARED_HELP, SHARED_OPTIONS, sharedOptions } from '../options.js';
import { parseParams } from '../params.js';
import { checkServerUrl, URL_HELP, type CheckedUrl } from '../urls.js';

export const SUBSCRIBE_HELP = `Usage: stratum-sdk subscribe <url> <method> [params...]

Sends the subscription, prints the answer, then every notification from the server, one JSON object per line:
  {"type":"result","method":"blockchain.headers.subscribe","value":{...}}
  {"type":"notification","method":"blockchain.headers.subscribe","params":[{...}]}
until Ctrl-C. Electrum connections reconnect and renew the subscription when dropped.
The method must be a subscription (blockchain.headers.subscribe, blockchain.scripthash.subscribe, ...;
mining.subscribe or mining.extranonce.subscribe for a pool); for anything else use \`stratum-sdk call\`.

${URL_HELP}

Examples:
  stratum-sdk subscribe tcp://127.0.0.1:50001 blockchain.headers.subscribe
  stratum-sdk subscribe tcp://127.0.0.1:50001 blockchain.scripthash.subscribe $(stratum-sdk scripthash <address>)
  stratum-sdk subscribe stratum+tcp://127.0.0.1:3333 mining.subscribe

${SHARED_HELP}`;

export async function subscribe(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, SHARED_OPTIONS);
  if (values.help) {
    io.stdout(SUBSCRIBE_HELP);
    return 0;
  }
  const [url, method, ...rest] = positionals;
  if (!url || !method) throw new UsageError('subscribe needs a URL and a method');
  const server = checkServerUrl(url);
  checkSubscription(server, method);
  const params = parseParams(rest);
  const conn = await connectCli(server, { ...sharedOptions(values), reconnect: true });
  const line = (value: unknown) => io.stdout(JSON.stringify(value));
  try {
    // Listening starts first: a pool sends mining.set_difficulty and mining.notify right after subscribing.
    conn.onNotification((name, params) => line({ type: 'notification', method: name, params }));
    const ended = new Promise<number>((resolve) => {
      io.interrupt.addEventListener('abort', () => resolve(0), { once: true });
      conn.onClose((error) => {
        io.stderr(`connection closed${error ? `: ${error.message}` : ''}`);
        resolve(1);
      });
    });
    const value = await conn.request(method, params);
    line({ type: 'result', method, value });
    return await ended;
  } finally {
    conn.close();
  }
}

/** A method that answers once and never notifies would leave the command waiting for ever: bad usage. */
function checkSubscription(server: CheckedUrl, method: string): void {
  if (server.protocol === 'mining') {
    if (!/\.subscribe$/.test(method)) {
      throw new UsageError(`${method} is not a subscription: a pool sends its notifications after mining.subscribe (or mining.extranonce.subscribe); use \`stratum-sdk call\` for a single request`);
    }
    return;
  }
  const info = electrumProtocol.get(method);
  if (!info) throw new UsageError(`unknown Electrum method ${JSON.stringify(method)} (see docs/reference/electrum.md)`);
  if (!info.hasNotification) {
    const common = ['blockchain.headers.subscribe', 'blockchain.scripthash.subscribe'].filter((n) => electrumProtocol.get(n)?.hasNotification);
    throw new UsageError(`${method} is not a subscription: it answers once and sends no notifications; use \`stratum-sdk call\` (subscriptions: ${common.join(', ')}, ...)`);
  }
}
