// The rules of the spec diff: for each kind of change, what it means for the code of the side that sends
// the message holding the change and for the code of the side that receives it. Every change the diff
// reports names its rule; its verdict for clients and servers follows from the rule and from who sends
// and who receives that message (both sides, for a method sent both ways). codegen/diff/README.md holds
// this table as Markdown (a test keeps the two equal), with what each verdict means.
//
// Verdicts, for code written for the old spec that meets a peer following the new one:
//   breaking - it may fail against the SDK itself: a message it sends is refused by the new peer's
//              validators, or one it receives breaks its own (the SDK checks arity strictly unless the
//              spec sets additionalParams, and objects as the spec's schemas say: open unless
//              additionalProperties is false, and no method schema closes one);
//   strict   - it fails only where a receiver refuses what the spec leaves open: undeclared object fields,
//              extra params after additionalParams, an error code the method does not list. The SDK
//              ignores those (it accepts any error code), so such a change breaks no SDK code;
//   ok       - nothing to change.
// A sender is judged by what it sends (only what its spec declares); a receiver by what it accepts.

/** @typedef {'breaking'|'strict'|'ok'} Verdict */
/** @typedef {'major'|'minor'|'patch'|'none'} Release */

const B = 'breaking';
const S = 'strict';
const OK = 'ok';

/**
 * @type {ReadonlyArray<{ id: string, group: string, change: string, sender: Verdict, receiver: Verdict,
 *   kinds: string[], electrumOnly?: boolean, release?: Release }>}
 *   kinds: the change kinds reported under the rule; electrumOnly: Stratum V1 has no versions to gate;
 *   release: when not breaking, the release it needs (default minor).
 */
export const RULES = [
  // Methods. The sender is the side that sends the method's message (its request, or the notification).
  { id: 'method-added', group: 'Methods', change: 'A standard method added at versions the old spec names (or in Stratum V1, which has none)', sender: OK, receiver: B, kinds: ['method-added'] },
  { id: 'method-added-elsewhere', group: 'Methods', change: "A method added that no old receiver must handle: not standard, only at versions the old spec does not name, or in a protocol the old spec did not have", sender: OK, receiver: OK, kinds: ['method-added'] },
  { id: 'method-removed', group: 'Methods', change: 'A method removed', sender: B, receiver: OK, kinds: ['method-removed'] },
  { id: 'gate-narrowed', group: 'Methods', change: 'A version gate (of a method, a param or a notification) that now leaves out versions it had: a later since, an earlier removed, a new gate', sender: B, receiver: OK, kinds: ['versions-moved'], electrumOnly: true },
  { id: 'gate-widened', group: 'Methods', change: 'A version gate of a standard method that now reaches versions the old spec names which it did not have', sender: OK, receiver: B, kinds: ['versions-moved'], electrumOnly: true },
  { id: 'gate-widened-elsewhere', group: 'Methods', change: 'A version gate widened onto versions the old spec does not name, or of a method that is not standard', sender: OK, receiver: OK, kinds: ['versions-moved'], electrumOnly: true },
  { id: 'deprecated', group: 'Methods', change: 'Deprecated, or no longer deprecated', sender: OK, receiver: OK, kinds: ['deprecated', 'undeprecated'], electrumOnly: true },
  { id: 'status-changed', group: 'Methods', change: 'Status changed (standard, experimental, legacy, ...)', sender: OK, receiver: OK, kinds: ['status-changed'] },
  { id: 'kind-changed', group: 'Methods', change: 'Kind changed (request, subscription, notification), so a result appears or goes', sender: B, receiver: B, kinds: ['kind-changed', 'result-added', 'result-removed'] },
  { id: 'direction-changed', group: 'Methods', change: 'Direction changed (of the method or of its notification)', sender: B, receiver: B, kinds: ['direction-changed'] },

  // Params, of a request or of a notification (a subscription's notifications included). "Closed": the
  // list refuses extra params (no additionalParams; a subscription's notification always).
  { id: 'param-added-required', group: 'Params', change: 'A required param added; the old list was closed', sender: B, receiver: B, kinds: ['param-added'] },
  { id: 'param-added-required-open', group: 'Params', change: 'A required param added; the old list accepted extra params', sender: B, receiver: S, kinds: ['param-added'] },
  { id: 'param-added-optional', group: 'Params', change: 'An optional param added; the old list was closed', sender: OK, receiver: B, kinds: ['param-added'] },
  { id: 'param-added-optional-open', group: 'Params', change: 'An optional param added; the old list accepted extra params', sender: OK, receiver: S, kinds: ['param-added'] },
  { id: 'param-added-elsewhere', group: 'Params', change: 'A param added only at versions the old spec does not name', sender: OK, receiver: OK, kinds: ['param-added'], electrumOnly: true },
  { id: 'param-removed-required', group: 'Params', change: 'A required param removed; the new list is closed', sender: B, receiver: B, kinds: ['param-removed'] },
  { id: 'param-removed-required-open', group: 'Params', change: 'A required param removed; the new list accepts extra params', sender: S, receiver: B, kinds: ['param-removed'] },
  { id: 'param-removed-optional', group: 'Params', change: 'An optional param removed; the new list is closed', sender: B, receiver: OK, kinds: ['param-removed'] },
  { id: 'param-removed-optional-open', group: 'Params', change: 'An optional param removed; the new list accepts extra params', sender: S, receiver: OK, kinds: ['param-removed'] },
  { id: 'param-reordered', group: 'Params', change: 'A param moved to another position', sender: B, receiver: B, kinds: ['param-reordered'] },
  { id: 'param-required', group: 'Params', change: 'An optional param made required', sender: B, receiver: OK, kinds: ['param-required'] },
  { id: 'param-optional', group: 'Params', change: 'A required param made optional', sender: OK, receiver: B, kinds: ['param-optional'] },
  { id: 'param-default-changed', group: 'Params', change: "An optional param's default changed (what leaving it out means)", sender: B, receiver: B, kinds: ['param-default-changed'] },
  { id: 'extra-params-accepted', group: 'Params', change: 'Extra params now accepted and ignored (additionalParams set)', sender: OK, receiver: B, kinds: ['additional-params-changed'] },
  { id: 'extra-params-refused', group: 'Params', change: 'Extra params no longer accepted (additionalParams unset)', sender: B, receiver: OK, kinds: ['additional-params-changed'] },

  // Values: any schema of a param, a result or a notification param, written in the method file or
  // reached through spec/definitions.json (a changed definition changes every method that uses it).
  // The sender is the side that produces the value: the requester for params, the responder for a result.
  // "Closed": the object has additionalProperties false (old object for an added field, new for a removed one).
  { id: 'value-narrowed', group: 'Values', change: 'Fewer values accepted: a type, null or enum value dropped, a bound or pattern added, a field made required, no result shape at some versions', sender: B, receiver: OK, kinds: ['type-narrowed', 'made-non-nullable', 'enum-narrowed', 'constraint-tightened', 'field-required', 'result-shape-removed'] },
  { id: 'value-widened', group: 'Values', change: 'More values accepted: a type, null or enum value added, a bound or pattern dropped, a field made optional, a result shape where none was', sender: OK, receiver: B, kinds: ['type-widened', 'made-nullable', 'enum-widened', 'constraint-relaxed', 'field-optional', 'result-shape-added'] },
  { id: 'value-changed', group: 'Values', change: 'Other values: retyped, enum values both added and removed, a pattern or another keyword changed', sender: B, receiver: B, kinds: ['retyped', 'enum-changed', 'constraint-changed', 'schema-changed'] },
  { id: 'field-added-required', group: 'Values', change: 'A required field added to a closed object', sender: B, receiver: B, kinds: ['field-added'] },
  { id: 'field-added-required-open', group: 'Values', change: 'A required field added to an open object', sender: B, receiver: S, kinds: ['field-added'] },
  { id: 'field-added-optional', group: 'Values', change: 'An optional field added to a closed object', sender: OK, receiver: B, kinds: ['field-added'] },
  { id: 'field-added-optional-open', group: 'Values', change: 'An optional field added to an open object', sender: OK, receiver: S, kinds: ['field-added'] },
  { id: 'field-removed-required', group: 'Values', change: 'A required field removed; the new object is closed', sender: B, receiver: B, kinds: ['field-removed'] },
  { id: 'field-removed-required-open', group: 'Values', change: 'A required field removed; the new object is open', sender: S, receiver: B, kinds: ['field-removed'] },
  { id: 'field-removed-optional', group: 'Values', change: 'An optional field removed; the new object is closed', sender: B, receiver: OK, kinds: ['field-removed'] },
  { id: 'field-removed-optional-open', group: 'Values', change: 'An optional field removed; the new object is open', sender: S, receiver: OK, kinds: ['field-removed'] },
  { id: 'extra-fields-accepted', group: 'Values', change: 'Undeclared fields now accepted (additionalProperties false dropped)', sender: OK, receiver: B, kinds: ['constraint-relaxed'] },
  { id: 'extra-fields-refused', group: 'Values', change: 'Undeclared fields now refused (additionalProperties false added)', sender: B, receiver: OK, kinds: ['constraint-tightened'] },
  { id: 'result-shapes-renamed', group: 'Values', change: "A result's shapes renamed, split or merged (the values are compared by the rules above)", sender: OK, receiver: OK, kinds: ['result-variants-changed'] },

  // Notifications that a request may also be sent as, or that follow a subscription.
  { id: 'notification-added', group: 'Notifications', change: 'A notification form added to a standard method, at versions the old spec names', sender: OK, receiver: B, kinds: ['notification-added'] },
  { id: 'notification-added-elsewhere', group: 'Notifications', change: 'A notification form added to a method that is not standard, or only at versions the old spec does not name', sender: OK, receiver: OK, kinds: ['notification-added'] },
  { id: 'notification-removed', group: 'Notifications', change: 'A notification form removed', sender: B, receiver: B, kinds: ['notification-removed'] },

  // Facts about a session.
  { id: 'subscription-key-changed', group: 'Session', change: 'What identifies a subscription changed (clients match notifications by it, servers key subscriptions by it)', sender: B, receiver: B, kinds: ['session-facts-changed'] },
  { id: 'session-facts-changed', group: 'Session', change: 'Another fact recorded or changed: a subscription key first recorded, ends, optionalReply, sessionState', sender: OK, receiver: OK, kinds: ['session-facts-changed'] },

  // Errors. The sender is the side that answers the request; the receiver, the one that sent it.
  { id: 'error-code-added', group: 'Errors', change: 'An error code added to the ones a method is known to answer with', sender: OK, receiver: S, kinds: ['errors-changed'] },
  { id: 'error-code-removed', group: 'Errors', change: 'An error code removed from them', sender: S, receiver: OK, kinds: ['errors-changed'] },

  // Words only.
  { id: 'documentation-changed', group: 'Documentation', change: 'Documentation only: summary, descriptions, titles, examples, sources, deviations, implementations, error messages, reasons', sender: OK, receiver: OK, kinds: ['documentation-changed'], release: 'patch' },
  { id: 'definition-listed', group: 'Documentation', change: 'A shared definition added or removed (what it changes is reported at the methods that use it)', sender: OK, receiver: OK, kinds: ['definition-added', 'definition-removed'], release: 'patch' },
];

export const RULE = Object.freeze(Object.fromEntries(RULES.map((r) => [r.id, r])));

const SEVERITY = { ok: 0, strict: 1, breaking: 2 };
const worst = (verdicts) => verdicts.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a), OK);

/**
 * The verdict of a rule for clients and servers, given who sends and who receives the message the change is in.
 * @param {string} ruleId
 * @param {{ senders: string[], receivers: string[] }} roles
 * @returns {{ client: Verdict, server: Verdict }}
 */
export function verdictOf(ruleId, { senders, receivers }) {
  const rule = RULE[ruleId];
  if (!rule) throw new RangeError(`no spec diff rule ${JSON.stringify(ruleId)}`);
  const of = (side) => worst([...(senders.includes(side) ? [rule.sender] : []), ...(receivers.includes(side) ? [rule.receiver] : [])]);
  return { client: of('client'), server: of('server') };
}

export const RELEASES = ['none', 'patch', 'minor', 'major'];

/** The release a change needs: major when it breaks either side, else its rule's (minor unless documentation only). */
export function releaseOf(ruleId, verdict) {
  if (verdict.client === B || verdict.server === B) return 'major';
  return RULE[ruleId].release ?? 'minor';
}

/** The highest of several releases ('none' for none). */
export function highestRelease(releases) {
  return releases.reduce((a, b) => (RELEASES.indexOf(b) > RELEASES.indexOf(a) ? b : a), 'none');
}

const VERDICT_TEXT = { breaking: 'breaking', strict: 'strict', ok: 'ok' };

/** The rule table as Markdown, as codegen/diff/README.md holds it. */
export function rulesTable() {
  const lines = ['| Rule | Change | Sender | Receiver | Release |', '|---|---|---|---|---|'];
  let group = '';
  for (const r of RULES) {
    if (r.group !== group) {
      group = r.group;
      lines.push(`| **${group}** | | | | |`);
    }
    const change = `${r.change}${r.electrumOnly ? ' (Electrum only: Stratum V1 has no versions)' : ''}`;
    const release = releaseOf(r.id, { client: r.sender, server: r.receiver });
    lines.push(`| \`${r.id}\` | ${change} | ${VERDICT_TEXT[r.sender]} | ${VERDICT_TEXT[r.receiver]} | ${release} |`);
  }
  return lines.join('\n');
}
