/**
 * The end of a bulk run: counts by outcome and ErrorCode, for this run and for every user of the list (those
 * finished by earlier runs included), and the exit code, which covers the whole list: a resume that had nothing
 * left to do still exits 1 if a user failed in an earlier run.
 */
import { errorCodes, type ErrorCodeInfo } from '../../../generated/error-codes.js';
import { ExitCode } from '../command.js';
import type { EarlyStop } from './early-stop.js';
import { DONE_OUTCOMES, outcomeOfKey } from './outcome.js';
import { formatCount, formatDuration } from './progress.js';

export interface BulkTotals {
  readonly command: string;
  /** `K/N` when the run took one shard of the users. */
  readonly shard: string | undefined;
  /** Distinct users of the list that belong to other shards. */
  readonly outsideShard: number;
  readonly resultsPath: string;
  /** Distinct users of the list. */
  readonly users: number;
  readonly duplicates: number;
  /** Users of the list with a result from an earlier run, not run again. */
  readonly skipped: number;
  /** Their latest outcomes, by summary key. */
  readonly earlier: ReadonlyMap<string, number>;
  /** Outcomes of this run, by summary key. */
  readonly now: ReadonlyMap<string, number>;
  /** Users of the list neither finished earlier nor run now (the run was stopped); a resume runs them. */
  readonly notStarted: number;
  readonly seconds: number;
  readonly stoppedBy: NodeJS.Signals | undefined;
  /** Why the run stopped taking users before the end of the list, when no user could have succeeded. */
  readonly stoppedEarly: EarlyStop | undefined;
}

function count(map: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const value of map.values()) sum += value;
  return sum;
}

function allRuns(totals: BulkTotals): Map<string, number> {
  const all = new Map(totals.earlier);
  for (const [key, value] of totals.now) all.set(key, (all.get(key) ?? 0) + value);
  return all;
}

export function bulkExitCode(totals: BulkTotals): ExitCode {
  if (totals.stoppedBy !== undefined) return totals.stoppedBy === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  if (totals.stoppedEarly !== undefined) return ExitCode.stoppedEarly;
  const outcomes = [...allRuns(totals).keys()].map(outcomeOfKey);
  if (outcomes.includes('network')) return ExitCode.network;
  if (outcomes.some((outcome) => !DONE_OUTCOMES.has(outcome))) return ExitCode.failure;
  return ExitCode.ok;
}

/** A short reading of a summary key, from the spec's error table. */
function explain(key: string): string {
  const outcome = outcomeOfKey(key);
  const code = Number(key.split(' ')[1]);
  if (outcome === 'possibly-done-earlier') return 'an earlier run may have done it (its call was cut off); nothing to do';
  if (outcome === 'unclear') return 'an unanswered attempt may have done it; nothing to do';
  if (outcome === 'network') return 'no answer after retries; run again with --retry-failed';
  if (outcome === 'unexpected-answer') return 'not the service\'s answer; check baseUrl or region (see the results file)';
  if (outcome === 'usersig') return 'the userSig provider gave no UserSig; nothing was sent';
  const info = (errorCodes as Readonly<Record<number, ErrorCodeInfo>>)[code];
  if (info === undefined) return '';
  const firstSentence = /^[^.]*\./.exec(info.meaning)?.[0] ?? info.meaning;
  return firstSentence.length > 70 ? `${firstSentence.slice(0, 69)}…` : firstSentence;
}

function order(a: string, b: string): number {
  // Done outcomes first, then failures; within each, by key.
  const rank = (key: string): number => (key === 'ok' ? 0 : DONE_OUTCOMES.has(outcomeOfKey(key)) ? 1 : 2);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export function summaryText(totals: BulkTotals): string {
  const ran = count(totals.now);
  const rate = totals.seconds > 0 ? ran / totals.seconds : 0;
  const all = allRuns(totals);
  const keys = [...all.keys()].sort(order);
  const width = Math.max('outcome'.length, ...keys.map((key) => key.length));
  const lines = [
    `${totals.command}${totals.shard === undefined ? '' : ` (shard ${totals.shard})`}: ${formatCount(totals.users)} user${totals.users === 1 ? '' : 's'}` +
      (totals.shard === undefined ? '' : ` of this shard (${formatCount(totals.outsideShard)} of the list belong to other shards)`) +
      (totals.duplicates === 0 ? '' : ` (${formatCount(totals.duplicates)} duplicate line${totals.duplicates === 1 ? '' : 's'} ignored)`),
    `  ${formatCount(totals.skipped)} finished in earlier runs (skipped); ${formatCount(ran)} run now in ${formatDuration(totals.seconds)} (${rate.toFixed(1)}/s)` +
      (totals.notStarted === 0 ? '' : `; ${formatCount(totals.notStarted)} not run`),
    `  ${'outcome'.padEnd(width)}  ${'this run'.padStart(9)}  ${'all runs'.padStart(9)}`,
    ...keys.map(
      (key) =>
        `  ${key.padEnd(width)}  ${formatCount(totals.now.get(key) ?? 0).padStart(9)}  ${formatCount(all.get(key) ?? 0).padStart(9)}  ${explain(key)}`.trimEnd(),
    ),
  ];
  const exitCode = bulkExitCode(totals);
  lines.push(`Results: ${totals.resultsPath}`);
  if (totals.stoppedBy !== undefined) {
    lines.push(`Stopped by ${totals.stoppedBy}; run the same command with the same --results file to continue.`);
  } else if (totals.stoppedEarly !== undefined) {
    lines.push(
      `Stopped early: ${totals.stoppedEarly.problem}`,
      `${formatCount(totals.notStarted)} user${totals.notStarted === 1 ? '' : 's'} not run. Fix that, then run the same command with --retry-failed: ` +
        'it runs the users not run and those that failed.',
    );
  } else if (exitCode === ExitCode.network) {
    lines.push('Some users got no answer: run the same command with --retry-failed to try them again.');
  } else if (exitCode === ExitCode.failure) {
    lines.push(
      'Some users failed: see the lines with "done":false in the results file. Once the cause is fixed, run the same command ' +
        'with --retry-failed to run them again.',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function summaryJson(totals: BulkTotals): Record<string, unknown> {
  return {
    type: 'summary',
    command: totals.command,
    shard: totals.shard ?? null,
    outsideShard: totals.outsideShard,
    results: totals.resultsPath,
    users: totals.users,
    duplicates: totals.duplicates,
    skipped: totals.skipped,
    ran: count(totals.now),
    notStarted: totals.notStarted,
    seconds: Math.round(totals.seconds * 1000) / 1000,
    thisRun: Object.fromEntries(totals.now),
    allRuns: Object.fromEntries(allRuns(totals)),
    stoppedBy: totals.stoppedBy ?? null,
    stoppedEarly: totals.stoppedEarly ?? null,
    exitCode: bulkExitCode(totals),
  };
}
