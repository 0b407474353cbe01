// The traffic checker's summary as text: per method and per connection, then the totals.
import type { TrafficSummary } from './findings.js';

export function formatSummary(summary: TrafficSummary): string {
  const rows: string[][] = [['method', 'messages', 'violations', 'deviations', 'unanswered']];
  for (const [name, t] of Object.entries(summary.methods)) rows.push([name, String(t.messages), String(t.violations), String(t.deviations), String(t.unanswered)]);
  const connRows: string[][] = [['connection', 'protocol', 'version', 'messages', 'violations', 'deviations', 'unanswered']];
  for (const c of summary.connections) {
    connRows.push([c.conn, c.protocol ?? '-', c.version ?? '-', String(c.messages), String(c.violations), String(c.deviations), String(c.unanswered)]);
  }
  const out = [table(rows), '', table(connRows), ''];
  for (const note of summary.notes) out.push(`note: ${note}`);
  if (summary.findingsDropped > 0) out.push(`note: ${summary.findingsDropped} more findings were counted but not kept`);
  out.push(
    `${summary.ok ? 'PASS' : 'FAIL'}: ${summary.messages} messages on ${summary.connections.length} connection${summary.connections.length === 1 ? '' : 's'}, ` +
      `${summary.violations} violation${summary.violations === 1 ? '' : 's'}, ${summary.deviations} documented deviation${summary.deviations === 1 ? '' : 's'}` +
      (summary.unanswered > 0 ? `, ${summary.unanswered} unanswered request${summary.unanswered === 1 ? '' : 's'}` : ''),
  );
  return out.join('\n');
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: readonly string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ');
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)].join('\n');
}
