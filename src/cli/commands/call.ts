// stratum-sdk call <url> <method> [params...]: one typed, validated request; the result as JSON.
import { parseCommand } from '../args.js';
import { connectCli } from '../connect.js';
import { json, UsageError, type CliIo } from '../io.js';
import { SHARED_HELP, SHARED_OPTIONS, sharedOptions } from '../options.js';
import { parseParams } from '../params.js';
import { checkServerUrl, URL_HELP } from '../urls.js';

export const CALL_HELP = `Usage: stratum-sdk call <url> <method> [params...]

Sends one request and prints the result as JSON. Params are JSON where they parse as JSON (5, true, null,
[1,2], {"a":1}) and strings otherwise (hex needs no quotes; write '"123"' for a string of digits).
Params the spec refuses are bad usage (exit 2), found before the request is sent.

${URL_HELP}

Examples:
  stratum-sdk call tcp://127.0.0.1:50001 server.banner
  stratum-sdk call tcp://127.0.0.1:50001 blockchain.block.header 0
  stratum-sdk call tcp://127.0.0.1:50001 blockchain.scripthash.get_balance $(stratum-sdk scripthash <address>)
  stratum-sdk call tls://127.0.0.1:50002 server.features --tls-pin <sha256 fingerprint>

${SHARED_HELP}`;

export async function call(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, SHARED_OPTIONS);
  if (values.help) {
    io.stdout(CALL_HELP);
    return 0;
  }
  const [url, method, ...rest] = positionals;
  if (!url || !method) throw new UsageError('call needs a URL and a method');
  const server = checkServerUrl(url);
  const options = sharedOptions(values);
  const params = parseParams(rest);
  const conn = await connectCli(server, options);
  try {
    const result = await conn.request(method, params);
    io.stdout(json(result));
    return 0;
  } finally {
    conn.close();
  }
}
