// Reads the spec folder for tests: each method file as parsed JSON, with its path.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SPEC_DIR = path.join(ROOT, 'spec');

export interface SpecParam {
  name: string;
  required?: boolean;
  schema: unknown;
}

export interface SpecExample {
  name: string;
  protocolVersion?: string;
  params: unknown[];
  result?: unknown;
  error?: { code: number; message: string };
  notification?: unknown[];
}

export interface SpecInvalidExample {
  name: string;
  why: string;
  protocolVersion?: string;
  params?: unknown;
  result?: unknown;
  notification?: unknown;
}

export interface SpecFile {
  file: string;
  method: string;
  protocol: 'electrum' | 'mining';
  kind: 'request' | 'subscription' | 'notification';
  additionalParams?: boolean;
  params: SpecParam[];
  result?: { schema?: unknown; variants?: { name: string; schema: unknown }[] };
  notification?: { params: SpecParam[] };
  examples: SpecExample[];
  invalidExamples?: SpecInvalidExample[];
}

export function specFiles(): SpecFile[] {
  return (['electrum', 'mining'] as const).flatMap((protocol) =>
    fs
      .readdirSync(path.join(SPEC_DIR, protocol))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => {
        const file = path.join(SPEC_DIR, protocol, f);
        return { ...(JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<SpecFile, 'file'>), file };
      }),
  );
}
