// The verdicts on the pool's answers to the session's steps: mining.configure, mining.subscribe,
// mining.extranonce.subscribe and mining.authorize, each validated against the spec, with the spec's documented
// deviations (silence, ckpool's strings) told apart from violations.
import { parseVersionMask } from '../../bitcoin/version-rolling.js';
import { miningProtocol } from '../../generated/mining/methods.js';
import { documented } from '../deviations.js';
import { fail, pass, skip, type Verdict } from '../report.js';
import { describeRefusal, noAnswer, type Reply } from './replies.js';

/** The version-rolling request: BIP320's bits, at least two of them (what cgminer-style miners ask). */
export const VERSION_ROLLING: readonly unknown[] = [['version-rolling'], { 'version-rolling.mask': '1fffe000', 'version-rolling.min-bit-count': 2 }];
const REQUESTED_MASK = 0x1fffe000;

type Refused = Extract<Reply, { kind: 'refused' }>;

export async function judgeConfigure(reply: Reply, timeout: number): Promise<{ verdict: Verdict; mask: number }> {
  const none = { mask: 0 };
  if (reply.kind === 'timeout') return { ...none, verdict: skip(`no answer within ${timeout} ms: the pool does not speak BIP310 (allowed: node-stratum-pool never answers it), so version rolling is not checked`) };
  if (reply.kind === 'closed') return { ...none, verdict: fail('the pool closed the connection on mining.configure') };
  if (reply.kind === 'malformed') return { ...none, verdict: fail(`the answer is ${reply.why}`, reply.line.text) };
  if (reply.kind === 'refused') return { ...none, verdict: pass(`refused (${describeRefusal(reply)}): no version rolling`, reply.line.text) };
  const check = miningProtocol.validateResult('mining.configure', reply.result, { params: VERSION_ROLLING as unknown[] });
  if (!check.valid) return { ...none, verdict: fail(`invalid result: ${check.errors.join('; ')}`, reply.line.text) };
  const result = reply.result as Record<string, unknown>;
  const granted = result['version-rolling'];
  if (granted !== true) return { ...none, verdict: pass(`version rolling not granted (${JSON.stringify(granted)})`, reply.line.text) };
  const maskText = result['version-rolling.mask'];
  if (typeof maskText !== 'string') return { ...none, verdict: fail('"version-rolling": true without a "version-rolling.mask"', reply.line.text) };
  const mask = parseVersionMask(maskText);
  if ((mask & ~REQUESTED_MASK) >>> 0 !== 0) {
    const verdict = documented('configure-fixed-answer', `granted mask ${maskText}, which has bits outside the ${hex(REQUESTED_MASK)} asked for`, reply.line.text);
    return { mask, verdict };
  }
  return { mask, verdict: pass(`version rolling granted, mask ${maskText}`, reply.line.text) };
}

export function judgeSubscribe(reply: Reply, params: readonly unknown[], timeout: number): { verdict: Verdict; subscription?: { extranonce1: string; extranonce2Size: number } } {
  if (reply.kind === 'timeout' || reply.kind === 'closed') return { verdict: fail(noAnswer(reply, timeout)) };
  if (reply.kind === 'malformed') return { verdict: fail(`the answer is ${reply.why}`, reply.line.text) };
  if (reply.kind === 'refused') return { verdict: fail(`refused: ${describeRefusal(reply)}`, reply.line.text) };
  const check = miningProtocol.validateResult('mining.subscribe', reply.result, { params: [...params] });
  if (!check.valid) return { verdict: fail(`invalid result: ${check.errors.join('; ')}`, reply.line.text) };
  if (typeof reply.result === 'string') return { verdict: fail(`refused with a string result (ckpool's way): ${JSON.stringify(reply.result)}`, reply.line.text) };
  const [, extranonce1, extranonce2Size] = reply.result as [unknown, string, number];
  return {
    verdict: pass(`extranonce1 ${extranonce1}, extranonce2_size ${extranonce2Size}`, reply.line.text),
    subscription: { extranonce1, extranonce2Size },
  };
}

export async function judgeExtranonceSubscribe(reply: Reply, timeout: number): Promise<Verdict> {
  if (reply.kind === 'timeout') return documented('extranonce-subscribe-unanswered', `no answer within ${timeout} ms`);
  if (reply.kind === 'closed') return documented('extranonce-subscribe-unanswered', 'the pool closed the connection');
  if (reply.kind === 'malformed') return fail(`the answer is ${reply.why}`, reply.line.text);
  if (reply.kind === 'refused') return pass(`not supported: ${describeRefusal(reply)}`, reply.line.text);
  const check = miningProtocol.validateResult('mining.extranonce.subscribe', reply.result);
  if (!check.valid) return fail(`invalid result: ${check.errors.join('; ')}`, reply.line.text);
  return pass(`answered ${JSON.stringify(reply.result)}`, reply.line.text);
}

export function judgeAuthorize(reply: Reply, worker: string, timeout: number): Verdict {
  if (reply.kind === 'timeout' || reply.kind === 'closed') return fail(noAnswer(reply, timeout));
  if (reply.kind === 'malformed') return fail(`the answer is ${reply.why}`, reply.line.text);
  if (reply.kind === 'refused') return fail(`refused ${JSON.stringify(worker)} (check --user and --password): ${describeRefusal(reply)}`, reply.line.text);
  const check = miningProtocol.validateResult('mining.authorize', reply.result);
  if (!check.valid) return fail(`invalid result: ${check.errors.join('; ')}`, reply.line.text);
  return pass(`authorized ${JSON.stringify(worker)}`, reply.line.text);
}

export async function judgeBadAuthorize(reply: Reply, worker: string, timeout: number): Promise<Verdict> {
  if (reply.kind === 'timeout') return fail(`no answer within ${timeout} ms`);
  if (reply.kind === 'closed') return pass('refused by closing the connection');
  if (reply.kind === 'malformed') return fail(`the answer is ${reply.why}`, reply.line.text);
  if (reply.kind === 'result') {
    const check = miningProtocol.validateResult('mining.authorize', reply.result);
    if (!check.valid) return fail(`invalid result: ${check.errors.join('; ')}`, reply.line.text);
    return skip(`authorized ${JSON.stringify(worker)}: the pool takes any worker name (an open pool), so refusals cannot be checked (--bad-user names one it should refuse)`, reply.line.text);
  }
  return refusedAuthorize(reply, worker);
}

async function refusedAuthorize(reply: Refused, worker: string): Promise<Verdict> {
  const shown = `refused ${JSON.stringify(worker)}: ${describeRefusal(reply)}`;
  if (reply.encoding === 'error string') return documented('authorize-error-strings', shown, reply.line.text);
  if (reply.encoding === 'other error') return fail(`${shown}: not an error encoding Stratum uses`, reply.line.text);
  return pass(shown, reply.line.text);
}


function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
