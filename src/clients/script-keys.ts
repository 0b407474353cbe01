// Protocol 1.7's blockchain.scriptpubkey.subscribe is keyed by the scriptPubKey the client sends, but its
// notifications name the script by its script hash (the spec's subscriptionKey.inNotifications:
// 'script-hash'). The client maps one to the other, which takes a SHA-256: loaded on first use, so a bundle
// that never subscribes to a script (most do not: it is experimental) can leave it in a chunk of its own.

/** A scriptPubKey in hex to its Electrum script hash (SHA-256, byte-reversed, lowercase hex). */
export type ScriptHasher = (scriptPubKeyHex: string) => string | undefined;

let hasher: ScriptHasher | undefined;
let loading: Promise<ScriptHasher> | undefined;

/** The hasher, once loadScriptHasher has resolved; undefined before. */
export function scriptHasher(): ScriptHasher | undefined {
  return hasher;
}

export function loadScriptHasher(): Promise<ScriptHasher> {
  loading ??= Promise.all([import('@noble/hashes/sha2.js'), import('@noble/hashes/utils.js')]).then(([{ sha256 }, { bytesToHex, hexToBytes }]) => {
    hasher = (hex) => {
      // Unchecked params (validate: false) may not be hex: such a script has no script hash to match.
      if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
      return bytesToHex(sha256(hexToBytes(hex)).reverse());
    };
    return hasher;
  });
  return loading;
}
