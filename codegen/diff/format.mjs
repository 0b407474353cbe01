// The spec diff report as text for people (the CLI's default output; --json prints the report itself).
import { PROTOCOL_TITLES } from '../names.mjs';

const MARK = { added: '+', removed: '-', changed: '~' };

/** "BREAKING: clients, servers", "BREAKING: clients", ... or "ok", padded so messages line up. */
export function breakingTag({ client, server }) {
  const who = [client ? 'clients' : '', server ? 'servers' : ''].filter(Boolean).join('+');
  return (who ? `BREAKING ${who}` : 'ok').padEnd(26);
}

function countLine(protocol, methods) {
  const n = (status) => methods.filter((m) => m.protocol === protocol && m.status === status).length;
  const parts = [`${n('added')} added`, `${n('removed')} removed`, `${n('changed')} changed`];
  return `${PROTOCOL_TITLES[protocol] ?? protocol}: ${methods.some((m) => m.protocol === protocol) ? parts.join(', ') : 'no changes'}`;
}

export function formatReport(report) {
  const lines = [`Spec diff: ${report.old} -> ${report.new}`, ''];
  const protocols = ['electrum', 'mining'];
  for (const p of protocols) lines.push(countLine(p, report.methods));
  const s = report.summary;
  lines.push(
    `Changes: ${s.changes} (${s.breakingForClients} breaking for clients, ${s.breakingForServers} breaking for servers, ${s.nonBreaking} not breaking)`,
  );
  for (const p of protocols) {
    const methods = report.methods.filter((m) => m.protocol === p);
    if (!methods.length) continue;
    lines.push('', `${PROTOCOL_TITLES[p] ?? p} (spec/${p}/)`);
    for (const m of methods) {
      lines.push(`  ${MARK[m.status]} ${m.method}`);
      for (const c of m.changes) {
        const at = c.where === 'method' ? '' : `${c.where}${c.path ? ` ${c.path.replace(/^\./, '')}` : ''}: `;
        lines.push(`      ${breakingTag(c.breaking)}${at}${c.message}`);
      }
    }
  }
  if (!report.methods.length) lines.push('', 'No method changed.');
  lines.push(
    '',
    'BREAKING clients: client code written for the old spec may fail against a server that follows the new one;',
    'BREAKING servers: the same for server code. "ok": nothing to change on either side.',
  );
  return `${lines.join('\n')}\n`;
}
