/**
 * A bulk run: the same request for every user of a list, through one client, so its rate limiter paces the calls
 * (nothing here waits on purpose) and `concurrency` users are under way at once. Every user gets a `start` line
 * before its call and a `result` line when it ends, in the results file, which is also what a resume reads.
 */
import process from 'node:process';
import type { Readable } from 'node:stream';
import type { OperationId } from '../../../generated/operations.js';
import type { ChatGroupsClient } from '../../client.js';
import { ExitCode, type CliIo } from '../command.js';
import { USER_FIELD, type Paging } from '../operation-spec.js';
import { performOperation } from '../perform-operation.js';
import { readEarlierResults, type EarlierResults, type RunLine } from './earlier-results.js';
import { DONE_OUTCOMES, outcomeOfKey, resultLine, tallyKey, type ResultLine } from './outcome.js';
import { formatCount, ProgressReporter } from './progress.js';
import { ResultsFile } from './results-file.js';
import { lockResults, ResultsLockedError, type ResultsLock } from './results-lock.js';
import { watchStopSignals } from './stop-signals.js';
import { bulkExitCode, summaryJson, summaryText, type BulkTotals } from './summary.js';
import { openUserSource, readUserList } from './users-input.js';

export interface BulkRunInput {
  readonly io: CliIo;
  readonly command: string;
  readonly operationId: OperationId;
  /** The request every user gets, without the user field. */
  readonly template: Readonly<Record<string, unknown>>;
  readonly paging: Paging | undefined;
  readonly client: ChatGroupsClient;
  readonly usersPath: string;
  readonly resultsPath: string;
  readonly concurrency: number;
  /** For the opening line, e.g. "200/s" or "no rate limit". */
  readonly rateDescription: string;
  readonly progressIntervalMs: number;
  readonly retryFailed: boolean;
  readonly json: boolean;
}

/** Keys sorted at every level, so two requests that differ only in key order compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Why this results file cannot be resumed by this command, or undefined when it can. */
function mismatch(earlier: EarlierResults, input: BulkRunInput): string | undefined {
  const { firstRun } = earlier;
  if (firstRun === undefined) {
    return earlier.lines > 0 ? 'has no run line: it is not a results file of chat-groups; choose another --results file' : undefined;
  }
  if (firstRun.command !== input.command || canonical(firstRun.request) !== canonical(input.template)) {
    return (
      `holds results of "${firstRun.command}" with ${JSON.stringify(firstRun.request)}, not of "${input.command}" with ` +
      `${JSON.stringify(input.template)}; a resume must repeat the same request. Choose another --results file for a new job`
    );
  }
  return undefined;
}

export async function runBulk(input: BulkRunInput): Promise<ExitCode> {
  const { io } = input;
  const label = `chat-groups ${input.command}`;
  const usageError = (message: string): ExitCode => {
    io.stderr.write(`${label}: ${message}\n`);
    return ExitCode.usage;
  };

  let source;
  try {
    source = await openUserSource(input.usersPath, io.stdin);
  } catch (error) {
    return usageError(`cannot read --users-file ${input.usersPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let lock: ResultsLock;
  try {
    lock = lockResults(input.resultsPath);
  } catch (error) {
    source.destroy();
    if (error instanceof ResultsLockedError) return usageError(error.message);
    return usageError(`cannot use --results ${input.resultsPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return await runLocked(input, source, label, usageError);
  } finally {
    lock.release();
  }
}

async function runLocked(
  input: BulkRunInput,
  source: Readable,
  label: string,
  usageError: (message: string) => ExitCode,
): Promise<ExitCode> {
  const { io } = input;
  let earlier: EarlierResults;
  try {
    earlier = await readEarlierResults(input.resultsPath);
  } catch (error) {
    source.destroy();
    return usageError(`cannot read --results ${input.resultsPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const problem = mismatch(earlier, input);
  if (problem !== undefined) {
    source.destroy();
    return usageError(`${input.resultsPath} ${problem}`);
  }

  const list = await readUserList(source);
  // The list becomes the to-do list: users finished earlier leave it, so memory only shrinks from here on.
  const users = list.users;
  const total = users.size;
  const earlierCounts = new Map<string, number>();
  for (const user of users) {
    const key = earlier.latest.get(user);
    if (key === undefined) continue;
    if (input.retryFailed && !DONE_OUTCOMES.has(outcomeOfKey(key))) continue;
    earlierCounts.set(key, (earlierCounts.get(key) ?? 0) + 1);
    users.delete(user);
  }
  const skipped = total - users.size;
  // Only users whose earlier call may have acted matter from here; the map of earlier results can go.
  const mayHaveActed = (user: string): boolean => earlier.interrupted.has(user) || (input.retryFailed && earlier.unanswered.has(user));
  earlier.latest.clear();

  if (earlier.unreadableLines > 0) {
    io.stderr.write(
      `${label}: ignored ${earlier.unreadableLines} unreadable line${earlier.unreadableLines === 1 ? '' : 's'} of ${input.resultsPath} (e.g. one cut short when a machine went down)\n`,
    );
  }
  io.stderr.write(
    `${label}: ${formatCount(total)} user${total === 1 ? '' : 's'}` +
      (list.duplicates === 0 ? '' : ` (${formatCount(list.duplicates)} duplicate line${list.duplicates === 1 ? '' : 's'} ignored)`) +
      `; ${formatCount(skipped)} finished earlier, skipped; ${formatCount(users.size)} to run, ${input.concurrency} at a time, ${input.rateDescription}\n`,
  );

  const results = ResultsFile.open(input.resultsPath);
  const runLine: RunLine = {
    type: 'run',
    command: input.command,
    operationId: input.operationId,
    request: input.template,
    at: new Date().toISOString(),
    pid: process.pid,
  };
  results.append(runLine);

  const progress = new ProgressReporter(io.stderr, { label, total: users.size, intervalMs: input.progressIntervalMs });
  const counts = new Map<string, number>();
  let inFlight = 0;
  const stop = watchStopSignals(
    () => progress.note(`stopping: finishing ${inFlight} call${inFlight === 1 ? '' : 's'} in flight (Ctrl-C again quits at once)`),
    (signal) => {
      progress.finish();
      io.stderr.write(`${label}: quitting at once on a second ${signal}; the ${inFlight} call${inFlight === 1 ? '' : 's'} cut off will be recognised on resume\n`);
      results.close();
      // The lock is released by its owner's finally in the normal path; here the process ends before that runs.
      process.exit(signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    },
  );

  const started = performance.now();
  const queue = users.values();
  let failure: unknown;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (stop.requested !== undefined || failure !== undefined) return;
      const next = queue.next();
      if (next.done === true) return;
      const user = next.value;
      const userStarted = performance.now();
      // Written before the call may leave: if this process dies before the result line, the resume knows it was under way.
      results.append({ type: 'start', user, at: new Date().toISOString() });
      inFlight++;
      let line: ResultLine;
      try {
        const request = { [USER_FIELD]: user, ...input.template };
        const performed = await performOperation(input.client, input.operationId, request, input.paging);
        line = resultLine(user, performed, request, mayHaveActed(user), userStarted);
      } catch (error) {
        failure ??= error;
        return;
      } finally {
        inFlight--;
      }
      results.append(line);
      if (input.json) io.stdout.write(`${JSON.stringify(line)}\n`);
      const key = tallyKey(line as { outcome: ResultLine['outcome']; code: number | null; reason?: unknown });
      counts.set(key, (counts.get(key) ?? 0) + 1);
      progress.record(!line.done);
    }
  };

  progress.start();
  try {
    await Promise.all(Array.from({ length: Math.min(input.concurrency, Math.max(1, users.size)) }, worker));
  } finally {
    stop.dispose();
    progress.finish();
  }
  const seconds = (performance.now() - started) / 1000;
  let ran = 0;
  for (const value of counts.values()) ran += value;

  const totals: BulkTotals = {
    command: input.command,
    resultsPath: input.resultsPath,
    users: total,
    duplicates: list.duplicates,
    skipped,
    earlier: earlierCounts,
    now: counts,
    notStarted: total - skipped - ran,
    seconds,
    stoppedBy: stop.requested,
  };
  const summary = summaryJson(totals);
  results.append({ ...summary, type: 'end', at: new Date().toISOString() });
  results.close();
  if (failure !== undefined) throw failure;
  io.stdout.write(input.json ? `${JSON.stringify(summary)}\n` : summaryText(totals));
  return bulkExitCode(totals);
}
