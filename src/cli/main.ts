// The `stratum-sdk` command: parses the command name, runs it in-process with the given I/O, and turns
// every failure into a readable message and an exit code (0 ok, 1 failed, 2 bad usage).
import { ServerError, StratumSdkError, ValidationError } from '../runtime/errors.js';
import { call } from './commands/call.js';
import { subscribe } from './commands/subscribe.js';
import { UsageError, type CliIo } from './io.js';

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: () => Promise<Command>; summary: string }>> = {
  call: { run: async () => call, summary: 'send one request and print the result as JSON' },
  subscribe: { run: async () => subscribe, summary: 'subscribe and print every notification as JSON lines' },
  conformance: { run: async () => (await import('./commands/conformance.js')).conformance, summary: 'check an Electrum server or a mining pool against the spec' },
  world: { run: async () => (await import('./commands/world.js')).world, summary: 'the regtest world with a miner and a wallet, narrated (npm start)' },
  serve: { run: async () => (await import('./commands/serve.js')).serve, summary: 'the regtest world alone, for your own wallet or miner' },
  proxy: { run: async () => (await import('./commands/proxy.js')).proxy, summary: 'a validating proxy: forwards bytes unchanged, checks every message against the spec' },
  check: { run: async () => (await import('./commands/check.js')).check, summary: 'validate recorded traffic (transcripts) against the spec' },
  mine: { run: async () => (await import('./commands/mine.js')).mine, summary: 'mine on every CPU core against any Stratum pool' },
  scripthash: { run: async () => (await import('./commands/script.js')).scripthash, summary: 'the Electrum script hash of an address (or of --script <hex>)' },
  address: { run: async () => (await import('./commands/script.js')).address, summary: 'the address of a scriptPubKey (--network, default mainnet)' },
  generate: { run: async () => (await import('./commands/generate.js')).generate, summary: 'typed code for your own spec overlay (new methods, params, versions)' },
  'spec-diff': { run: async () => (await import('./commands/spec-diff.js')).specDiff, summary: 'what changed between two specs, whom it breaks, which release it needs' },
};

export const HELP = `Usage: stratum-sdk <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}

Run \`stratum-sdk <command> --help\` for a command's options.`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr(`stratum-sdk: unknown command ${JSON.stringify(name)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await (await command.run())(args, io);
  } catch (e) {
    return report(e, name, io);
  }
}

function report(e: unknown, command: string, io: CliIo): number {
  // Usage errors are one line: what is wrong, and where the usage is.
  const usage = (message: string) => {
    io.stderr(`stratum-sdk ${command}: ${message.replace(/\s*\n\s*/g, ' ')} (see \`stratum-sdk ${command} --help\`)`);
    return 2;
  };
  if (e instanceof UsageError || isParseArgsError(e)) return usage((e as Error).message);
  // Params the spec refuses are the caller's mistake, found before anything was sent.
  if (e instanceof ValidationError && e.part === 'params') return usage(`invalid params for ${e.method}: ${e.errors.join('; ')}`);
  if (e instanceof ServerError) {
    io.stderr(`server error${e.serverCode === null ? '' : ` ${e.serverCode}`} from ${e.method}: ${e.serverMessage}`);
    return 1;
  }
  if (e instanceof ValidationError) {
    io.stderr(`invalid ${e.part} for ${e.method}:\n${e.errors.map((x) => `  - ${x}`).join('\n')}`);
    return 1;
  }
  if (e instanceof StratumSdkError) {
    io.stderr(`${e.code}: ${e.message}`);
    return 1;
  }
  io.stderr(`stratum-sdk ${command}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return 1;
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
