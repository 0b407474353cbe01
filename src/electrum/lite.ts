// stratum-sdk/electrum/lite: the smallest Electrum client, for a bundle that must stay small (a browser
// wallet, an extension). Typed as the ElectrumClient of its version range, on the same connection core, with
// reconnect and renewed subscriptions, but no checks against the spec, iterators, batches or params by name
// (see src/clients/electrum-lite-client.ts). Everything else of stratum-sdk/electrum is exported too.
export * from '../electrum.js';
export { LiteElectrumClient as ElectrumClient, type LiteElectrumClientOptions as ElectrumClientOptions } from '../clients/electrum-lite-client.js';
