// What the traffic checker reports as a deviation rather than a violation: behaviour outside the
// JSON-RPC rules the checker enforces that the spec's `deviations` (or its recordings) document as what
// real software does. Each names where it is documented. Schema-level deviations need no entry here:
// the spec's schemas already accept them, so they are not findings at all.

export const DEVIATIONS = {
  'electrum-request-before-version':
    'spec/electrum/server.version.json deviations: ElectrumX serves clients whose first message is not server.version (only protocol 1.6 requires it first)',
  'electrumx-fee-notifications':
    'spec/electrum/server.version.json deviations: ElectrumX sends blockchain.relayfee and blockchain.estimatefee notifications with empty params to clients that did not negotiate first',
  'stratum-reused-id':
    'spec/mining/mining.ping.json deviations (ckpool pings with the fixed id 42) and test/fixtures/cpuminer/README.md (cpuminer sends every mining.submit with "id":4)',
  'stratum-object-error':
    'protocol-inventory B4, spec/mining/*.json deviations: some pools send JSON-RPC 2.0 error objects instead of [code, message, traceback]',
  'stratum-loose-error':
    'spec/mining/mining.submit.json and mining.authorize.json deviations: ckpool sends bare error strings; node-stratum-pool sends "error": true',
} as const;

export type DeviationName = keyof typeof DEVIATIONS;
