// The shared report model: counts, exit codes by --fail-on, and writers that stay valid whatever a peer sent.
import { describe, expect, it } from 'vitest';
import { boundBytes, buildReport, CheckRunner, deviation, exitCode, fail, formatJunit, formatTable, MAX_BYTES_EXCERPT, pass, skip } from '../../src/conformance/report.js';

describe('the conformance report', () => {
  it('orders checks as started, whatever order they finish in, and counts them', async () => {
    const events: string[] = [];
    const runner = new CheckRunner((e) => events.push(e.phase === 'start' ? `start ${e.id} ${e.done}/${e.total}` : `done ${e.check.id} ${e.done}/${e.total}`));
    runner.expect(3);
    let release!: () => void;
    const slow = runner.run('a', 'A', () => new Promise((resolve) => (release = () => resolve(pass('late')))));
    await runner.run('b', 'B', async () => fail('bad', 'x'.repeat(10_000)));
    await runner.run('c', 'C', async () => {
      throw new Error('boom');
    });
    release();
    await slow;
    expect(runner.results().map((c) => [c.id, c.status, c.reason])).toEqual([['a', 'pass', 'late'], ['b', 'fail', 'bad'], ['c', 'fail', 'boom']]);
    expect(runner.results()[1]?.bytes).toHaveLength(MAX_BYTES_EXCERPT);
    expect(events).toEqual(['start a 0/3', 'start b 0/3', 'done b 1/3', 'start c 1/3', 'done c 2/3', 'done a 3/3']);
  });

  it('exits 1 on a failure, and on a deviation only with --fail-on deviation', () => {
    const ok = buildReport({ target: 't', kind: 'pool' }, [{ id: 'a', title: 'A', ...pass('fine') }, { id: 'b', title: 'B', ...skip('why') }]);
    const deviating = buildReport({ target: 't', kind: 'pool' }, [{ id: 'a', title: 'A', ...deviation('ckpool way', 'mining.submit: ckpool …') }]);
    const failing = buildReport({ target: 't', kind: 'pool' }, [{ id: 'a', title: 'A', ...fail('no') }]);
    expect([exitCode(ok), exitCode(ok, 'deviation')]).toEqual([0, 0]);
    expect([exitCode(deviating), exitCode(deviating, 'deviation')]).toEqual([0, 1]);
    expect([exitCode(failing), exitCode(failing, 'deviation')]).toEqual([1, 1]);
    expect(deviating.ok).toBe(true);
    expect(formatTable(deviating)).toMatch(/^A +\| deviation \| ckpool way\n +\| +\| +documented: mining\.submit: ckpool …\n\nPASS: 1 checks, 0 passed, 0 failed, 0 skipped, 1 deviations$/m);
  });

  it('writes JUnit XML that escapes markup and drops characters XML cannot hold', () => {
    const report = buildReport({ target: 'stratum+tcp://h:1', kind: 'pool' }, [
      { id: 'x', title: 'a <b> & "c"', ...fail('got \u0000\u0007 and </failure>', '{"error":"<x>"}') },
      { id: 'y', title: 'dev', ...deviation('d', 'spec text') },
    ]);
    const xml = formatJunit(report);
    expect(xml).toContain('name="a &lt;b&gt; &amp; &quot;c&quot;"');
    expect(xml).toContain('message="got \\u0000\\u0007 and &lt;/failure&gt;"');
    expect(xml).not.toMatch(/[\u0000-\u0008]/);
    expect(xml).toContain('<system-out>deviation: d\ndocumented: spec text</system-out>');
    expect(formatJunit(report, 'deviation')).toMatch(/failures="2"[\s\S]*<failure type="deviation" message="d">/);
    expect(boundBytes('abc', 2)).toBe('a…');
  });
});
