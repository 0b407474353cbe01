// Trust-on-first-use records in a JSON file: Node only (it reads and writes the file system). Its declaration
// names no Node type, so the entry points that re-export it stay usable without @types/node.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { normalizeFingerprint, type TrustStore } from '../tls-settings.js';

/** A trust store in a JSON file ({"host:port": "fingerprint"}), written atomically on each new server. */
export function fileTrustStore(path: string): TrustStore {
  const read = (): Record<string, string> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path} is not a JSON object`);
    return value as Record<string, string>;
  };
  return {
    get: (server) => {
      const v = read()[server];
      return typeof v === 'string' ? v : undefined;
    },
    set: (server, fingerprint) => {
      const all = { ...read(), [server]: normalizeFingerprint(fingerprint) };
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`);
      renameSync(tmp, path);
    },
  };
}
