// stratum-sdk generate --spec <overlay> --out <dir>: your own methods, params, protocol versions and
// deviations, merged over the package's spec and emitted as typed code that imports only the package's
// public entry points. The work is codegen/overlay.mjs's, loaded only here: it needs the generator's
// dependencies (optional peers of the package), and says which to install when they are missing.
import path from 'node:path';
import type * as Overlay from '../../../codegen/overlay.mjs';
import { parseCommand } from '../args.js';
import { importCodegen } from '../codegen.js';
import { UsageError, type CliIo } from '../io.js';

export const GENERATE_HELP = `Usage: stratum-sdk generate --spec <overlay> --out <dir> [--check]

Merges a folder of your own method files over the package's spec and writes typed code for it into <dir>:
types, client wrappers, event maps, handler types, validators and a registry, importing only the package's
public entry points. Pass the registry as the \`protocol\` option of ElectrumClient, MiningClient and the
servers; <dir>/<protocol>/index.ts has helpers that do so with this spec's types.

The overlay folder holds electrum/<method>.json and mining/<method>.json files, and optionally a
definitions.json with { "$defs": { ... } }. Each file is either
  - a new method, in the same format as the package's (spec/method.schema.json), or
  - an addition to one of the package's methods: { "method", "protocol", "extends": true } with any of
    params (appended after the package's), versions (only a deprecated or removed the package's file
    lacks), implementations, errors, deviations, sources, examples, invalidExamples (appended).
An overlay adds facts; one that would change a fact of the package's spec is refused, with its file,
JSON pointer and reason.

  --spec <overlay>   the overlay folder
  --out <dir>        where the code goes: an empty or new folder, or one this command wrote before
  --check            write nothing; exit 1 if <dir> differs from what would be written

Needs ajv, handlebars, json-schema-to-typescript and prettier installed (optional peer dependencies).
Exit status: 0 written (or up to date), 1 --check found differences, 2 bad arguments or an invalid overlay.`;

const OPTIONS = {
  spec: { type: 'string' },
  out: { type: 'string' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OverlayModule = typeof Overlay;

export async function generate(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(args, OPTIONS, { positionals: false });
  if (values.help) {
    io.stdout(GENERATE_HELP);
    return 0;
  }
  if (values.spec === undefined) throw new UsageError('generate needs --spec <overlay folder>');
  if (values.out === undefined) throw new UsageError('generate needs --out <folder for the generated code>');
  const overlayDir = path.resolve(values.spec);
  const outDir = path.resolve(values.out);
  const overlay = await importCodegen<OverlayModule>('generate', 'overlay.mjs');
  const { files, errors, protocols } = await overlay.generateOverlay(overlayDir);
  if (errors.length) {
    // Paths inside the working folder are shown relative to it; others as they are.
    const shown = (file: string) => (path.isAbsolute(file) && !path.relative(process.cwd(), file).startsWith('..') ? path.relative(process.cwd(), file) || file : file);
    const rel = (line: string) => line.replace(/^(\S+?): /, (_, file: string) => `${shown(file)}: `);
    io.stderr(`stratum-sdk generate: the overlay is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'}); nothing was written:\n${errors.map((e) => `  ${rel(e)}`).join('\n')}`);
    return 2;
  }
  if (values.check) {
    const { readFileSync, existsSync } = await import('node:fs');
    const drift = [...files].filter(([name, text]) => !existsSync(path.join(outDir, name)) || readFileSync(path.join(outDir, name), 'utf8') !== text).map(([name]) => name);
    if (drift.length) {
      io.stderr(`${values.out} is out of date with ${values.spec} (run stratum-sdk generate): ${drift.join(', ')}`);
      return 1;
    }
    io.stdout(`${values.out} is up to date (${files.size} files).`);
    return 0;
  }
  try {
    overlay.writeGenerated(outDir, files);
  } catch (e) {
    if (e instanceof overlay.OverlayOutputError) throw new UsageError(e.message);
    throw e;
  }
  io.stdout(`Generated ${files.size} files for ${protocols.join(' and ')} in ${values.out}.`);
  return 0;
}
