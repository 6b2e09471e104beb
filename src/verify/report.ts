/**
 * The contract check's report as a person reads it (summary) and as a script reads it (JSON, one object per check;
 * docs/verify-contract.md documents the format). Neither holds a secret: the calls carry their `random`, never the
 * UserSig, and answers were scrubbed of the secret key when they were read.
 */
import type { Check, CheckStatus } from './checks.js';
import type { VerifyContractReport } from './verify-contract.js';

/** Bumped when a field of the JSON report changes meaning or goes away (a new field does not bump it). */
export const REPORT_FORMAT_VERSION = 1;

export type Tally = Readonly<Record<CheckStatus, number>>;

export function tally(checks: readonly Check[]): Tally {
  const counts = { held: 0, contradicted: 0, 'not-probed': 0 };
  for (const check of checks) counts[check.status]++;
  return counts;
}

/** True when the run found no contradiction, ran to its end and left nothing behind. */
export function passed(report: VerifyContractReport): boolean {
  return (
    report.refused === undefined &&
    !report.interrupted &&
    report.problems.length === 0 &&
    report.cleanup.complete &&
    report.checks.every((check) => check.status !== 'contradicted')
  );
}

export function reportJson(report: VerifyContractReport): Record<string, unknown> {
  return {
    format: REPORT_FORMAT_VERSION,
    runId: report.runId,
    specVersion: report.specVersion,
    users: report.users,
    ...(report.refused === undefined ? {} : { refused: report.refused }),
    interrupted: report.interrupted,
    passed: passed(report),
    tally: tally(report.checks),
    problems: report.problems,
    checks: report.checks,
    cleanup: report.cleanup,
  };
}

const STATUS_LABEL: Readonly<Record<CheckStatus, string>> = { held: 'held', contradicted: 'CONTRADICTED', 'not-probed': 'not probed' };

function randoms(check: Check): string {
  const list = check.evidence.calls.flatMap((call) => (call.random === undefined ? [] : [String(call.random)]));
  return list.length === 0 ? '' : ` [random ${list.join(', ')}]`;
}

export function summaryText(report: VerifyContractReport): string {
  const { owner, peer } = report.users;
  const lines = [`Contract check ${report.runId} of document ${report.specVersion} with users ${owner} and ${peer}`];
  if (report.refused !== undefined) return `${[...lines, `Refused: ${report.refused}`].join('\n')}\n`;

  const answers = report.checks.filter((check) => check.provenance.kind === 'document');
  const answerTally = tally(answers);
  lines.push(`Answers: ${answers.length} checks of answer schemas and error codes, ${answerTally.contradicted} contradicted`);
  for (const check of answers.filter((item) => item.status === 'contradicted')) {
    lines.push(`  CONTRADICTED ${check.operation ?? ''} ${check.rule}: ${check.evidence.detail}${randoms(check)}`);
  }
  lines.push('Inferred rules:');
  for (const check of report.checks.filter((item) => item.provenance.kind === 'inferred')) {
    const probe = check.provenance.kind === 'inferred' && check.provenance.probe !== undefined ? ` (${check.provenance.probe})` : '';
    lines.push(`  ${STATUS_LABEL[check.status].padEnd(12)} ${check.provenance.pointer} ${check.rule}${probe}: ${check.evidence.detail}${check.status === 'contradicted' ? randoms(check) : ''}`);
  }
  if (report.interrupted) lines.push('Interrupted: the run stopped before its end.');
  for (const problem of report.problems) lines.push(`Problem: ${problem}`);
  lines.push(report.cleanup.complete ? 'Cleanup: complete, nothing of the run is left.' : 'Cleanup: INCOMPLETE, left behind:');
  for (const left of report.cleanup.left) lines.push(`  ${left}`);
  const total = tally(report.checks);
  lines.push(`Result: ${total.held} held, ${total.contradicted} contradicted, ${total['not-probed']} not probed: ${passed(report) ? 'PASSED' : 'FAILED'}`);
  return `${lines.join('\n')}\n`;
}
