// stratum-sdk spec-diff <old> <new>: what changed between two specs, whom each change breaks and which
// release it needs, for a project that keeps its own spec (extra methods, an altcoin) and gates its CI on
// it. The work is codegen/spec-diff.mjs's (the rules: codegen/diff/README.md), loaded only here.
import type * as SpecDiff from '../../../codegen/spec-diff.mjs';
import { parseCommand } from '../args.js';
import { importCodegen } from '../codegen.js';
import { json, UsageError, type CliIo } from '../io.js';

export const SPEC_DIFF_HELP = `Usage: stratum-sdk spec-diff <old> <new> [--json] [--fail-on <what>] [--spec-path <dir>] [--overlay]

Compares two specs, method by method: each change is judged for the code of the side that sends the message
it is in and of the side that receives it, and the report says which release the whole change needs.

  <old>, <new>       a spec folder (definitions.json, electrum/, mining/), or a git revision (commit, tag,
                     branch) of the repository here, whose spec tree is read without checking anything out
  --json             print the report as JSON (the shape 'stratum-sdk/spec-diff' types as SpecDiffReport)
  --fail-on <what>   exit 1 when the release needed is at least major, minor or patch; or when there is a
                     change that is breaking (for clients or servers), client-breaking, server-breaking,
                     strict, or any change at all
  --spec-path <dir>  where the spec folder is inside the repository, for git revisions (default spec)
  --overlay          <old> and <new> are overlays (the folders \`stratum-sdk generate --spec\` takes), each
                     merged over the package's spec before they are compared

Exit status: 0 compared, 1 the --fail-on condition was met, 2 bad arguments or a spec that cannot be read.

Examples:
  stratum-sdk spec-diff v1.2.0 HEAD --fail-on major
  stratum-sdk spec-diff ./spec-before ./spec --json
  stratum-sdk spec-diff main HEAD --overlay --spec-path my-spec --fail-on major`;

const OPTIONS = {
  json: { type: 'boolean' },
  'fail-on': { type: 'string' },
  'spec-path': { type: 'string' },
  overlay: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type SpecDiffModule = typeof SpecDiff;

export async function specDiff(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (values.help) {
    io.stdout(SPEC_DIFF_HELP);
    return 0;
  }
  const diff = await importCodegen<SpecDiffModule>('spec-diff', 'spec-diff.mjs');
  const failOn = values['fail-on'];
  if (failOn !== undefined && !(diff.FAIL_ON as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on must be one of ${diff.FAIL_ON.join(', ')}, not ${JSON.stringify(failOn)}`);
  }
  if (positionals.length !== 2) throw new UsageError(`spec-diff needs two specs to compare (old and new), got ${positionals.length}`);
  const [oldRef, newRef] = positionals as [string, string];
  let report: SpecDiff.SpecDiffReport;
  try {
    report = diff.specDiff(oldRef, newRef, { cwd: process.cwd(), specPath: values['spec-path'] ?? 'spec', overlay: values.overlay === true });
  } catch (e) {
    // A spec that cannot be read is a wrong argument: one line, exit 2.
    if (e instanceof diff.SpecSourceError) throw new UsageError(e.message);
    throw e;
  }
  io.stdout(values.json ? json(report) : diff.formatReport(report).trimEnd());
  return failOn !== undefined && diff.fails(report, failOn as SpecDiff.FailOn) ? 1 : 0;
}
