// The protocol basics, over raw connections: version negotiation refusing a version nobody speaks, error
// codes for unknown methods and bad params, params by name as by position, ids echoed as sent, batches,
// and surviving malformed JSON.
import { electrumProtocol } from '../generated/electrum/methods.js';
import { excerpt } from '../runtime/bounded-json.js';
import { JSON_RPC_ERRORS } from '../runtime/messages.js';
import { sameValue } from '../runtime/same-value.js';
import { errorOf, isObject, ProbeClosed, ProbeTimeout, RawProbe, type Incoming, type ProbeSettings } from './raw-probe.js';
import { fail, pass, type RunCheck, type Verdict } from './report.js';

export const CLIENT_NAME = 'stratum-sdk-conformance';
/** A version from before the protocol had versions worth negotiating: no current server speaks it. */
export const BOGUS_VERSION = '0.1';
// A method whose params have a fixed type (an integer height), so a string is wrong on every server.
const BAD_PARAMS_METHOD = 'blockchain.block.header';
// The method sent by name: ElectrumX 1.20 answers {"height":1,"cp_height":121} with the same proof as [1, 121].
const NAMED_PARAMS_METHOD = 'blockchain.block.header';

// Numeric ids everywhere but the string-id check, so a server that mangles string ids fails that check alone.
const IDS = {
  version: 1,
  bogusVersion: 2,
  unknownMethod: 3,
  badParams: 4,
  numeric: 4242,
  batch: [5, 6],
  afterMalformed: 8,
  named: { positional: 20, byName: 21, tipProbe: 22, proofPositional: 23, proofByName: 24, unknownName: 25 },
} as const;

export interface BasicsSettings extends ProbeSettings {
  /** The version the client negotiated; the raw connection asks for exactly this one. */
  readonly protocolVersion: string;
}

const BASICS: readonly (readonly [id: string, title: string, check: (probe: RawProbe) => Promise<Verdict>])[] = [
  ['basics.unknown-method', 'basics: unknown method', unknownMethod],
  ['basics.bad-params', 'basics: bad params', badParams],
  ['basics.named-params', 'basics: named params', namedParams],
  ['basics.string-id', 'basics: string id', (probe) => echoesId(probe, 'conformance-id-ü')],
  ['basics.numeric-id', 'basics: numeric id', (probe) => echoesId(probe, IDS.numeric)],
  ['basics.batch', 'basics: batch', batch],
  ['basics.malformed-json', 'basics: malformed JSON', malformedJson],
];

/**
 * Every basic check on a connection of its own, all at once: none waits for another, so a server that
 * holds small replies (ElectrumX 1.20 up to 1 s) costs one hold for all of them, not one each; and each
 * check reads its connection alone, so answers in any order cannot be taken for another check's.
 */
export async function checkBasics(url: string, settings: BasicsSettings, run: RunCheck): Promise<void> {
  const checks = [run('basics.unsupported-version', 'basics: unsupported version', () => unsupportedVersion(url, settings))];
  for (const [id, title, check] of BASICS) {
    checks.push(
      run(id, title, async () => {
        let probe: RawProbe;
        try {
          probe = await negotiated(url, settings);
        } catch (e) {
          return fail(`raw connection: ${explain(e)}`);
        }
        try {
          return await check(probe);
        } finally {
          probe.close();
        }
      }),
    );
  }
  await Promise.all(checks);
}

/** A raw connection that negotiated the version the client did. */
async function negotiated(url: string, settings: BasicsSettings): Promise<RawProbe> {
  const probe = await RawProbe.open(url, settings);
  try {
    probe.sendJson(request(IDS.version, 'server.version', [CLIENT_NAME, settings.protocolVersion]));
    const { found } = await probe.answerTo(IDS.version);
    const error = errorOf(found.json);
    if (error) throw new Error(`server.version ${settings.protocolVersion} refused on a second connection: ${describeError(error)}`);
    return probe;
  } catch (e) {
    probe.close();
    throw e;
  }
}

async function unsupportedVersion(url: string, settings: ProbeSettings): Promise<Verdict> {
  const probe = await RawProbe.open(url, settings);
  try {
    probe.sendJson(request(IDS.bogusVersion, 'server.version', [CLIENT_NAME, BOGUS_VERSION]));
    const { found } = await probe.answerTo(IDS.bogusVersion);
    const error = errorOf(found.json);
    if (error) return pass(`refused protocol ${BOGUS_VERSION} with ${describeError(error)}`);
    const result = isObject(found.json) ? found.json['result'] : undefined;
    const chosen = Array.isArray(result) ? result[1] : undefined;
    return fail(`answered ${excerpt(result, 100)} to a client that speaks only ${BOGUS_VERSION}${chosen === BOGUS_VERSION ? '' : ' (it should refuse: no common version)'}`);
  } catch (e) {
    if (e instanceof ProbeClosed && e.seen.length === 0) return pass(`closed the connection on protocol ${BOGUS_VERSION}`);
    return fail(explain(e));
  } finally {
    probe.close();
  }
}

async function unknownMethod(probe: RawProbe): Promise<Verdict> {
  probe.sendJson(request(IDS.unknownMethod, 'conformance.no_such_method', []));
  const { found } = await probe.answerTo(IDS.unknownMethod);
  const error = errorOf(found.json);
  if (!error) return fail(`answered an unknown method with a result: ${short(found.text)}`);
  if (error.code !== JSON_RPC_ERRORS.METHOD_NOT_FOUND) return fail(`error code ${String(error.code)} for an unknown method, expected ${JSON_RPC_ERRORS.METHOD_NOT_FOUND}`);
  return pass(`error ${JSON_RPC_ERRORS.METHOD_NOT_FOUND}`);
}

async function badParams(probe: RawProbe): Promise<Verdict> {
  // -32602 is JSON-RPC's code; the codes the spec lists for the method are what ElectrumX sends (1).
  const accepted = new Set<unknown>([JSON_RPC_ERRORS.INVALID_PARAMS, ...(electrumProtocol.get(BAD_PARAMS_METHOD)?.errors.map((e) => e.code) ?? [])]);
  probe.sendJson(request(IDS.badParams, BAD_PARAMS_METHOD, ['x']));
  const { found } = await probe.answerTo(IDS.badParams);
  const error = errorOf(found.json);
  if (!error) return fail(`${BAD_PARAMS_METHOD} ["x"] answered with a result: ${short(found.text)}`);
  if (!accepted.has(error.code)) return fail(`${BAD_PARAMS_METHOD} ["x"]: error code ${String(error.code)}, expected one of ${[...accepted].join(', ')}`);
  return pass(`${BAD_PARAMS_METHOD} ["x"]: ${describeError(error)}`);
}

/**
 * JSON-RPC 2.0 params by name. A server may refuse them (JSON-RPC 2.0 leaves it to the server: ElectrumX
 * takes them, Fulcrum and electrs do not), but one that takes them must answer exactly as it answers the
 * same params by position, whatever the order of the names, and refuse a name the method does not have.
 */
async function namedParams(probe: RawProbe): Promise<Verdict> {
  const ids = IDS.named;
  // Every request goes out at once and each answer is read by its id: one round trip, not six.
  const sent = new Set<number>();
  const send = (id: number, params: unknown[] | Record<string, unknown>) => {
    if (sent.has(id)) return;
    sent.add(id);
    probe.sendJson(request(id, NAMED_PARAMS_METHOD, params));
  };
  const asked: Record<number, unknown[] | Record<string, unknown>> = {
    [ids.positional]: [0],
    [ids.byName]: { height: 0 },
    [ids.tipProbe]: [1],
    [ids.proofPositional]: [0, 1],
    [ids.proofByName]: { cp_height: 1, height: 0 },
    [ids.unknownName]: { height: 0, no_such_param: 1 },
  };
  for (const [id, params] of Object.entries(asked)) send(Number(id), params);
  const answers = new Map<number, Incoming>();
  const ask = async (id: number, _params: unknown[] | Record<string, unknown>) => {
    // Answers may come in any order: take every one until this id's is in.
    while (!answers.has(id)) {
      const { found } = await probe.waitFor((m) => isObject(m.json) && typeof m.json['id'] === 'number' && sent.has(m.json['id']));
      answers.set((found.json as { id: number }).id, found);
    }
    const found = answers.get(id) as Incoming;
    const error = errorOf(found.json);
    return error ? { error } : { result: isObject(found.json) ? found.json['result'] : undefined };
  };
  const show = (params: unknown) => JSON.stringify(params);
  /**
   * The answer by name must be the answer by position. Whether that answer follows the spec is the
   * method's own check (blockchain.block.header's row), not this one's.
   */
  const compare = (named: Record<string, unknown>, positional: unknown[], byPosition: unknown, byName: { result?: unknown; error?: { code: unknown; message: unknown } }): string | undefined => {
    if (byName.error) return `${show(named)} by name refused with ${describeError(byName.error)}, though ${show(positional)} by position was answered`;
    if (!sameValue(byName.result, byPosition)) return `${show(named)} by name answered ${excerpt(byName.result, 100)}, but ${show(positional)} by position ${excerpt(byPosition, 100)}`;
    return undefined;
  };
  try {
    const positional = await ask(ids.positional, [0]);
    if (positional.error) return fail(`${NAMED_PARAMS_METHOD} [0] by position failed: ${describeError(positional.error)}`);
    const byName = await ask(ids.byName, { height: 0 });
    if (byName.error) return pass(`by position only: ${show({ height: 0 })} by name refused with ${describeError(byName.error)} (allowed by JSON-RPC 2.0; ElectrumX takes names)`);
    const plain = compare({ height: 0 }, [0], positional.result, byName);
    if (plain) return fail(plain);
    const done = [`${show({ height: 0 })} as [0]`];
    // A checkpoint proof needs a block above 0; the names go in reverse order, so only names can place them.
    const tip = await ask(ids.tipProbe, [1]);
    if (!tip.error) {
      const proofPositional = await ask(ids.proofPositional, [0, 1]);
      // A server without checkpoint proofs (electrs) refuses them either way: nothing to compare.
      if (proofPositional.error) done.push(`no checkpoint proofs by position either (${describeError(proofPositional.error)})`);
      else {
        const named = { cp_height: 1, height: 0 };
        const proof = compare(named, [0, 1], proofPositional.result, await ask(ids.proofByName, named));
        if (proof) return fail(proof);
        done.push(`${show(named)} as [0,1]`);
      }
    }
    const unknown = await ask(ids.unknownName, { height: 0, no_such_param: 1 });
    if (!unknown.error) return fail(`accepted an unknown param name: ${show({ height: 0, no_such_param: 1 })} answered ${excerpt(unknown.result, 100)} (ElectrumX refuses it with ${JSON_RPC_ERRORS.INVALID_PARAMS})`);
    return pass(`by name ${done.join(' and ')}; an unknown name refused with ${describeError(unknown.error)}`);
  } catch (e) {
    return fail(explain(e));
  }
}

async function echoesId(probe: RawProbe, id: string | number): Promise<Verdict> {
  probe.sendJson(request(id, 'server.ping', []));
  // Anything answered meanwhile with another id is what this check is about: a mangled id.
  const { found } = await probe.waitFor((m) => isObject(m.json) && ('result' in m.json || 'error' in m.json));
  if (!isObject(found.json) || found.json['id'] !== id) {
    return fail(`sent id ${JSON.stringify(id)}, the answer carried ${isObject(found.json) ? excerpt(found.json['id'], 100) : short(found.text)}`);
  }
  return pass(`id ${JSON.stringify(id)} echoed`);
}

async function batch(probe: RawProbe): Promise<Verdict> {
  const ids = IDS.batch;
  probe.sendJson([request(ids[0], 'server.ping', []), request(ids[1], 'server.banner', [])]);
  try {
    // An error with a null id is a refusal of the batch as a whole.
    const { found } = await probe.waitFor((m) => Array.isArray(m.json) || (isObject(m.json) && ((ids as readonly unknown[]).includes(m.json['id']) || (m.json['id'] === null && 'error' in m.json))));
    if (!Array.isArray(found.json)) return fail(`answered a batch with a single message, not an array: ${short(found.text)}`);
    const got = found.json.map((a: unknown) => (isObject(a) ? a['id'] : undefined));
    if (got.length !== 2 || !ids.every((id) => got.includes(id))) return fail(`sent ids ${JSON.stringify(ids)}, the batch answer carried ${excerpt(got, 100)}`);
    const errors = found.json.map(errorOf).filter((e) => e !== undefined);
    if (errors.length) return fail(`a batch item failed: ${describeError(errors[0] as { code: unknown; message: unknown })}`);
    return pass('two requests, two answers matched by id');
  } catch (e) {
    return fail(explain(e));
  }
}

async function malformedJson(probe: RawProbe): Promise<Verdict> {
  probe.send('{"jsonrpc": "2.0", "id": 7, "method": "server.ping", "params": [');
  // A request right behind it shows whether the connection survived; its answer bounds the wait.
  probe.sendJson(request(IDS.afterMalformed, 'server.ping', []));
  try {
    const { found, before } = await probe.answerTo(IDS.afterMalformed);
    const parseError = [...before, found].some((m) => errorOf(m.json)?.code === JSON_RPC_ERRORS.PARSE_ERROR);
    if (parseError) return pass(`error ${JSON_RPC_ERRORS.PARSE_ERROR}, and the connection still answers`);
    return pass(`no ${JSON_RPC_ERRORS.PARSE_ERROR} error, but the connection still answers`);
  } catch (e) {
    if (e instanceof ProbeClosed) {
      const parseError = e.seen.some((m) => errorOf(m.json)?.code === JSON_RPC_ERRORS.PARSE_ERROR);
      return fail(`${parseError ? `error ${JSON_RPC_ERRORS.PARSE_ERROR}, then ` : ''}the server closed the connection after malformed JSON`);
    }
    return fail(explain(e));
  }
}

function request(id: string | number, method: string, params: unknown[] | Record<string, unknown>) {
  return { jsonrpc: '2.0', id, method, params };
}

function describeError(error: { code: unknown; message: unknown }): string {
  return `error ${String(error.code)}${typeof error.message === 'string' ? ` (${short(error.message)})` : ''}`;
}

function explain(e: unknown): string {
  if (e instanceof ProbeTimeout) return `no answer in time${seen(e.seen)}`;
  if (e instanceof ProbeClosed) return `the server closed the connection${seen(e.seen)}`;
  return e instanceof Error ? e.message : String(e);
}

function seen(messages: readonly Incoming[]): string {
  return messages.length ? `; got ${messages.map((m) => short(m.text)).join(', ')}` : '';
}

export function short(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
