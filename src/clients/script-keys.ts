// Protocol 1.7's blockchain.scriptpubkey.subscribe is keyed by the scriptPubKey the client sends, but its
// notifications name the script by its script hash (the spec's subscriptionKey.inNotifications:
// 'script-hash'). The client maps one to the other, which takes a SHA-256: the platform's WebCrypto
// (browsers, Node, Deno), so no hash code of ours is bundled for an experimental method most clients never
// call. Where there is none (React Native without a WebCrypto polyfill, a page served over plain http),
// scripts are not mapped: listeners still get every notification, but a subscription's iterator, stored
// status and renewal do not follow them.

interface Digest {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}

const HEX = '0123456789abcdef';

/** The Electrum script hash (SHA-256, byte-reversed, lowercase hex) of a scriptPubKey in hex, or undefined. */
export async function scriptHashOf(hex: string): Promise<string | undefined> {
  const subtle = (globalThis as { crypto?: { subtle?: Digest } }).crypto?.subtle;
  if (subtle === undefined || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  let digest: Uint8Array;
  try {
    digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
  } catch {
    return undefined;
  }
  let out = '';
  for (let i = digest.length - 1; i >= 0; i--) {
    const b = digest[i] as number;
    out += (HEX[b >> 4] as string) + (HEX[b & 15] as string);
  }
  return out;
}
