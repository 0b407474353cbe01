// The spec diff report as text for people (the CLI's default output; --json prints the report itself).
import { PROTOCOL_TITLES } from '../names.mjs';

const MARK = { added: '+', removed: '-', changed: '~' };
const TAG_WIDTH = 34;

/**
 * "BREAKING clients+servers", "BREAKING clients, strict servers", "strict servers" or "ok", padded so
 * messages line up.
 */
export function verdictTag({ client, server }) {
  const who = (verdict) => [client === verdict ? 'clients' : '', server === verdict ? 'servers' : ''].filter(Boolean).join('+');
  const parts = [who('breaking') ? `BREAKING ${who('breaking')}` : '', who('strict') ? `strict ${who('strict')}` : ''].filter(Boolean);
  return (parts.length ? parts.join(', ') : 'ok').padEnd(TAG_WIDTH);
}

const RELEASE_TEXT = {
  major: 'major (a change breaks clients or servers written for the old spec)',
  minor: 'minor (additions and other changes that break no one)',
  patch: 'patch (documentation only)',
  none: 'none (nothing changed)',
};

/** The release line of a report: "major (...)". */
export const releaseText = (release) => RELEASE_TEXT[release] ?? release;

function countLine(protocol, methods) {
  const n = (status) => methods.filter((m) => m.protocol === protocol && m.status === status).length;
  const parts = [`${n('added')} added`, `${n('removed')} removed`, `${n('changed')} changed`];
  return `${PROTOCOL_TITLES[protocol] ?? protocol}: ${methods.some((m) => m.protocol === protocol) ? parts.join(', ') : 'no changes'}`;
}

/** "at: message" for one change, "at" being where in the method it is (nothing for the method itself). */
export function changeText(c) {
  const at = c.where === 'method' || c.where === 'definition' ? '' : `${c.where}${c.path ? ` ${c.path.replace(/^\./, '')}` : ''}: `;
  return `${at}${c.message}`;
}

export function formatReport(report) {
  const lines = [`Spec diff: ${report.old} -> ${report.new}`, ''];
  const protocols = ['electrum', 'mining'];
  for (const p of protocols) lines.push(countLine(p, report.methods));
  const definitions = report.definitions ?? [];
  if (definitions.length) lines.push(`Shared definitions: ${definitions.length} added, removed or reworded`);
  const s = report.summary;
  const strict = s.strictOnly ? `; ${s.strictOnly} of them only for strict receivers` : '';
  lines.push(
    `Changes: ${s.changes} (${s.breakingForClients} breaking for clients, ${s.breakingForServers} breaking for servers, ${s.nonBreaking} not breaking${strict})`,
    `Release: ${releaseText(s.release)}`,
  );
  for (const p of protocols) {
    const methods = report.methods.filter((m) => m.protocol === p);
    if (!methods.length) continue;
    lines.push('', `${PROTOCOL_TITLES[p] ?? p} (spec/${p}/)`);
    for (const m of methods) {
      lines.push(`  ${MARK[m.status]} ${m.method}`);
      for (const c of m.changes) lines.push(`      ${verdictTag(c.verdict)}${changeText(c)}`);
    }
  }
  if (definitions.length) {
    lines.push('', 'Shared definitions (spec/definitions.json; what a change means is reported at the methods that use it)');
    for (const d of definitions) for (const c of d.changes) lines.push(`  ${MARK[d.status]} ${d.name}: ${c.message}`);
  }
  if (!report.methods.length && !definitions.length) lines.push('', 'No method changed.');
  lines.push(
    '',
    'BREAKING clients: client code written for the old spec may fail against a server that follows the new one',
    '(the SDK itself refuses what it is sent, or what it sends is refused); BREAKING servers: the same for server code.',
    'strict: fails only against a receiver that refuses what the spec leaves open (undeclared fields, extra params',
    'where extra params are allowed, error codes not listed), which the SDK accepts. "ok": nothing to change on either side.',
    'The rules: codegen/diff/README.md.',
  );
  return `${lines.join('\n')}\n`;
}
