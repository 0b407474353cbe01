// One check per method the negotiated version offers: params from the server's own data where the
// method needs a height, a txid or a script hash, the spec's examples otherwise; every answer
// validated against the spec by the client.
import type { ElectrumClient } from '../clients/electrum-client.js';
import { electrumProtocol } from '../generated/electrum/methods.js';
import { excerpt } from '../runtime/bounded-json.js';
import { ServerError, StratumSdkError, ValidationError } from '../runtime/errors.js';
import { JSON_RPC_ERRORS } from '../runtime/messages.js';
import type { MethodStatus } from '../runtime/registry.js';
import { deviationText, type SpecDeviationId } from './deviations.js';
import { deviation, fail, pass, skip, type RunCheck, type Verdict } from './report.js';
import { specExampleParams } from './spec-examples.js';
import { gatherServerData, type ServerData } from './server-data.js';
import { short } from './basics.js';

/** Statuses checked by default: what every server of the version is expected to answer. */
export const DEFAULT_STATUSES: readonly MethodStatus[] = ['standard', 'legacy'];

interface Attempt {
  readonly params: readonly unknown[];
  /** A variant (verbose, a checkpoint) a server may refuse without failing the check. */
  readonly optional?: boolean;
  /** Params that name nothing on the server (a block target, a chunk index). */
  readonly fixed?: boolean;
  /** The spec's deviation that documents a server refusing these params (electrs and cp_height). */
  readonly deviation?: SpecDeviationId;
}

type Plan =
  | { readonly kind: 'attempts'; readonly source: 'server data' | 'spec example' | 'none'; readonly attempts: readonly Attempt[] }
  | { readonly kind: 'special'; readonly run: (client: ElectrumClient) => Promise<Verdict> }
  | { readonly kind: 'skip'; readonly reason: string };

export interface MethodChecksOptions {
  readonly protocolVersion: string;
  /** Check every method of the version, implementation-specific and experimental ones too. */
  readonly all: boolean;
}

export async function checkMethods(client: ElectrumClient, options: MethodChecksOptions, run: RunCheck): Promise<void> {
  const version = options.protocolVersion;
  const data = await gatherServerData(client);
  // Every method at once: the client pipelines the requests, so a server that holds small replies (ElectrumX
  // 1.20 holds them up to 1 s on TCP and TLS) costs one hold for the lot instead of one per method.
  const checks: Promise<unknown>[] = [];
  for (const method of methodsToCheck(options)) {
    const expected = DEFAULT_STATUSES.includes(electrumProtocol.get(method)?.status ?? 'draft');
    checks.push(run(method, method, () => checkMethod(client, method, version, data, expected)));
  }
  await Promise.all(checks);
}

/** The methods checked at a version: requests a client sends, all of them with `all`, else the standard and legacy ones. */
export function methodsToCheck(options: MethodChecksOptions): string[] {
  return electrumProtocol.availableAt(options.protocolVersion).filter((method) => {
    const info = electrumProtocol.get(method);
    // Negotiation is its own check; notifications are not requests a client sends.
    if (!info || method === 'server.version' || info.direction !== 'client-to-server' || info.kind === 'notification') return false;
    return options.all || DEFAULT_STATUSES.includes(info.status);
  });
}

async function checkMethod(client: ElectrumClient, method: string, version: string, data: ServerData, expected: boolean): Promise<Verdict> {
  const plan = await planFor(method, version, data);
  if (plan.kind === 'skip') return skip(plan.reason);
  if (plan.kind === 'special') return plan.run(client);
  const notes: string[] = [];
  const used: string[] = [];
  const deviations: { reason: string; id: SpecDeviationId }[] = [];
  // The attempts go out together; their answers are judged in order.
  const outcomes = await Promise.all(
    plan.attempts.map((attempt) =>
      client.request(method as never, attempt.params as never).then(
        () => ({ attempt, error: undefined as unknown }),
        (error: unknown) => ({ attempt, error: error ?? new Error('rejected') }),
      ),
    ),
  );
  for (const { attempt, error } of outcomes) {
    const shown = showParams(attempt.params);
    if (error === undefined) {
      used.push(shown);
      continue;
    }
    const e = error;
    if (e instanceof ValidationError && e.part === 'result') return fail(`invalid result for ${shown}: ${e.errors.join('; ')}`);
    // Implementation-specific and experimental methods are optional: not offering one is allowed.
    if (e instanceof ServerError && e.serverCode === JSON_RPC_ERRORS.METHOD_NOT_FOUND && !expected) return skip(`not offered by this server (${serverError(e)})`);
    if (e instanceof ServerError && attempt.deviation) {
      deviations.push({ reason: `${shown} refused (${serverError(e)})`, id: attempt.deviation });
      continue;
    }
    if (e instanceof ServerError && attempt.optional) {
      notes.push(`${shown} refused (${serverError(e)})`);
      continue;
    }
    // A spec example names data of another chain; refusing it says nothing about conformance.
    if (e instanceof ServerError && plan.source === 'spec example') return skip(`spec example ${shown}: ${serverError(e)}`);
    if (e instanceof ServerError) return fail(`${shown}: ${serverError(e)}`);
    if (e instanceof ValidationError) return skip(`could not build valid params: ${e.errors.join('; ')}`);
    return fail(`${shown}: ${e instanceof StratumSdkError ? `${e.code}: ${e.message}` : String(e)}`);
  }
  const tail = notes.length ? `; ${notes.join('; ')}` : '';
  const source = plan.source === 'none' ? '' : plan.source === 'server data' ? " (params from the server's data)" : " (params from the spec's examples)";
  const first = deviations[0];
  if (first) return { ...deviation(`${used.join(' and ')}${source}; ${deviations.map((d) => d.reason).join('; ')}${tail}`, deviationText(first.id)), deviationId: first.id };
  return pass(`${used.join(' and ')}${source}${tail}`);
}

async function planFor(method: string, version: string, data: ServerData): Promise<Plan> {
  switch (method) {
    case 'server.add_peer':
      return { kind: 'skip', reason: 'not sent: it would announce a peer to the server' };
    case 'blockchain.transaction.broadcast':
      return { kind: 'special', run: (client) => refusesInvalidTransaction(client, method, ['00']) };
    case 'blockchain.transaction.broadcast_package':
    case 'blockchain.transaction.testmempoolaccept':
      return { kind: 'special', run: (client) => refusesInvalidTransaction(client, method, [['00']]) };
  }
  const derived = derivedAttempts(method, data).filter((a) => electrumProtocol.validateParams(method, a.params, { protocolVersion: version }).valid);
  if (derived.length) return { kind: 'attempts', source: derived.every((a) => a.fixed || a.params.length === 0) ? 'none' : 'server data', attempts: derived };
  const example = await specExampleParams(method, version);
  if (example) return { kind: 'attempts', source: 'spec example', attempts: [{ params: example }] };
  return { kind: 'skip', reason: 'no params: the server gave no data to derive them from and the spec has no example for this version' };
}

/** Params from what the server itself reported, in the order tried; empty when the data is missing. */
function derivedAttempts(method: string, data: ServerData): Attempt[] {
  const { tipHeight: tip, txid, txHeight, scripthash } = data;
  const noParams = electrumProtocol.get(method)?.params.every((p) => !p.required) ?? false;
  if (method.startsWith('blockchain.scripthash.')) return scripthash ? [{ params: [scripthash] }] : [];
  switch (method) {
    case 'blockchain.block.header':
      if (tip === undefined) return [];
      return tip > 0 ? [{ params: [tip] }, { params: [0, tip], deviation: 'electrs-header-no-checkpoint' }] : [{ params: [tip] }];
    case 'blockchain.block.headers':
      if (tip === undefined) return [];
      return tip > 0 ? [{ params: [tip - 1, 2] }, { params: [0, 2, tip], deviation: 'electrs-headers-no-checkpoint' }] : [{ params: [0, 1] }];
    case 'blockchain.block.get_header':
      return tip === undefined ? [] : [{ params: [tip] }];
    case 'blockchain.block.get_chunk':
      return [{ params: [0], fixed: true }];
    case 'blockchain.estimatefee':
      return [{ params: [2], fixed: true }];
    case 'blockchain.transaction.get':
      return txid ? [{ params: [txid] }, { params: [txid, true], optional: true }] : [];
    case 'blockchain.transaction.get_merkle':
      return txid && txHeight !== undefined ? [{ params: [txid, txHeight] }] : [];
    case 'blockchain.transaction.id_from_pos':
      return txHeight === undefined ? [] : [{ params: [txHeight, 0] }, { params: [txHeight, 0, true] }];
    case 'blockchain.transaction.get_height':
    case 'blockchain.transaction.get_confirmed_blockhash':
      return txid ? [{ params: [txid] }] : [];
    case 'blockchain.utxo.get_info':
    case 'blockchain.outpoint.get_status':
    case 'blockchain.outpoint.subscribe':
    case 'blockchain.outpoint.unsubscribe':
      return txid ? [{ params: [txid, 0] }] : [];
  }
  return noParams ? [{ params: [] }] : [];
}

/** An invalid transaction must be refused; whether by an error or a failure result the spec allows. */
async function refusesInvalidTransaction(client: ElectrumClient, method: string, params: readonly unknown[]): Promise<Verdict> {
  const shown = showParams(params);
  try {
    const result = await client.request(method as never, params as never);
    // broadcast_package and testmempoolaccept report refusals inside a valid result.
    if (method !== 'blockchain.transaction.broadcast' && !acceptedAll(result)) return pass(`invalid transaction ${shown} refused in a valid result`);
    return fail(`accepted the invalid transaction ${shown}: ${excerpt(result, 100)}`);
  } catch (e) {
    if (e instanceof ServerError) return pass(`invalid transaction ${shown} refused with ${serverError(e)}`);
    if (e instanceof ValidationError && e.part === 'result') return fail(`invalid result for ${shown}: ${e.errors.join('; ')}`);
    throw e;
  }
}

function acceptedAll(result: unknown): boolean {
  if (Array.isArray(result)) return result.every((r) => typeof r === 'object' && r !== null && (r as Record<string, unknown>)['allowed'] === true);
  if (typeof result !== 'object' || result === null) return true;
  const r = result as Record<string, unknown>;
  return r['success'] === true || r['package_msg'] === 'success';
}

function serverError(e: ServerError): string {
  return `server error${e.serverCode === null ? '' : ` ${e.serverCode}`}: ${short(e.serverMessage.split('\n')[0] ?? '')}`;
}

/** Params as JSON with long hex shortened, so a table row stays readable. */
export function showParams(params: readonly unknown[]): string {
  return JSON.stringify(params, (_k, v: unknown) => (typeof v === 'string' && v.length > 16 ? `${v.slice(0, 8)}…` : v));
}
