// What a conformance run finds: one row per check, and the totals.

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** The method's wire name, or "basics: <what>" for a protocol-basics check. */
  readonly name: string;
  readonly status: CheckStatus;
  /** Why it failed or was skipped; for a pass, what was checked (params used, version negotiated). */
  readonly reason: string;
}

export interface ConformanceReport {
  readonly url: string;
  /** The server's software string from server.version, when negotiation got that far. */
  readonly serverSoftware: string | undefined;
  readonly protocolVersion: string | undefined;
  readonly checks: readonly CheckResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** No check failed. */
  readonly ok: boolean;
}

export type ProgressEvent = { readonly phase: 'start'; readonly name: string } | { readonly phase: 'done'; readonly check: CheckResult };

export function buildReport(url: string, serverSoftware: string | undefined, protocolVersion: string | undefined, checks: readonly CheckResult[]): ConformanceReport {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const failed = count('fail');
  return { url, serverSoftware, protocolVersion, checks, passed: count('pass'), failed, skipped: count('skip'), ok: failed === 0 };
}

/** A check's outcome before it is named. */
export type Verdict = Omit<CheckResult, 'name'>;

export const pass = (reason: string): Verdict => ({ status: 'pass', reason });
export const fail = (reason: string): Verdict => ({ status: 'fail', reason });
export const skip = (reason: string): Verdict => ({ status: 'skip', reason });

/** Runs one named check, reporting its start and its result; an unexpected exception is a failure of that check. */
export type RunCheck = (name: string, check: () => Promise<Verdict>) => Promise<CheckResult>;

export function checkRunner(onProgress: ((event: ProgressEvent) => void) | undefined, into: CheckResult[]): RunCheck {
  return async (name, check) => {
    onProgress?.({ phase: 'start', name });
    let verdict: Verdict;
    try {
      verdict = await check();
    } catch (e) {
      verdict = fail(e instanceof Error ? e.message : String(e));
    }
    const result = { name, ...verdict };
    into.push(result);
    onProgress?.({ phase: 'done', check: result });
    return result;
  };
}
