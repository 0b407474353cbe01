// The spec's deviations the checkers cite: what known software does differently from the protocol
// documents, given an id in spec/<protocol>/<method>.json (`deviations`: { id, software, text }) and
// generated into SPEC_DEVIATIONS. A check that sees one reports a deviation quoting the spec's text;
// behaviour the spec does not document stays a failure. Ids are typed (SpecDeviationId), so citing one the
// spec lacks does not compile; test/conformance/deviations.test.ts checks every id cited in src/conformance.
// Platform-free: the pool probe, the Electrum checks and the traffic checker all use it.
import { SPEC_DEVIATIONS, type SpecDeviation, type SpecDeviationId } from '../generated/deviations.js';
import { deviation, type Verdict } from './report.js';

export { SPEC_DEVIATIONS, type SpecDeviation, type SpecDeviationId };

/** What a report quotes for a deviation: `<method> (<software>): <the spec's text>`. */
export function deviationText(id: SpecDeviationId): string {
  const d = SPEC_DEVIATIONS[id];
  return `${d.method} (${d.software.join(', ')}): ${d.text}`;
}

/** A deviation verdict documented by the spec's deviation `id`, quoting its text. */
export function documented(id: SpecDeviationId, reason: string, bytes?: string): Verdict {
  return { ...deviation(reason, deviationText(id), bytes), deviationId: id };
}

/** Whether a text names a deviation the spec has (for ids read at run time). */
export function isSpecDeviationId(id: string): id is SpecDeviationId {
  return Object.hasOwn(SPEC_DEVIATIONS, id);
}
