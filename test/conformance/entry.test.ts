// stratum-sdk/conformance: the platform-free entry point, exported by the package, and enough on its own to
// check a transcript and write the report a CI reads.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkTranscriptText, exitCode, formatJunit, SPEC_DEVIATIONS, trafficReport, transcriptHeader, transcriptLine } from '../../src/conformance.js';
import { junitCounts } from './junit-xml.js';

describe('stratum-sdk/conformance', () => {
  it('is in the package exports, and compiled without Node types (tsconfig.platform-free.json)', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./conformance']).toEqual({ types: './dist/conformance.d.ts', default: './dist/conformance.js' });
    const platformFree = await readFile(new URL('../../tsconfig.platform-free.json', import.meta.url), 'utf8');
    expect(platformFree).toContain('"src/conformance.ts"');
  });

  it('checks a transcript and writes the shared report', () => {
    const text = [
      transcriptHeader({ protocol: 'stratum', source: 'a test' }),
      transcriptLine({ t: 1, conn: 'm', dir: 'c2s', line: '{"id":1,"method":"mining.authorize","params":["w","x"]}' }),
      transcriptLine({ t: 2, conn: 'm', dir: 's2c', line: '{"id":1,"result":false,"error":"Invalid workername parameter"}' }),
    ].join('\n');
    const checked = checkTranscriptText(text);
    const report = trafficReport({ target: 'a.jsonl', kind: 'transcript' }, [{ source: 'a.jsonl', ...checked }]);
    expect(report.checks.map((c) => [c.title, c.status])).toEqual([
      ['transcript lines', 'pass'],
      ['mining.authorize', 'deviation'],
    ]);
    expect(report.checks[1]?.documented).toContain(SPEC_DEVIATIONS['authorize-error-strings'].text);
    expect(exitCode(report)).toBe(0);
    expect(exitCode(report, 'deviation')).toBe(1);
    expect(junitCounts(formatJunit(report, 'deviation'))).toMatchObject({ tests: 2, failures: 1 });
  });
});
