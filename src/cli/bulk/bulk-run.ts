/**
 * A bulk run: the same request for every user of a list, through one client, so its rate limiter paces the calls
 * (nothing here waits on purpose) and `concurrency` users are under way at once. Every user gets a `start` line
 * before its call and a `result` line when it ends, in the results file, which is also what a resume reads.
 */
import { statSync } from 'node:fs';
import process from 'node:process';
import type { Readable } from 'node:stream';
import type { OperationId } from '../../../generated/operations.js';
import type { ChatGroupsClient } from '../../client/client.js';
import { ExitCode, type CliIo } from '../command.js';
import { fileError, fileProblem } from '../file-problems.js';
import { USER_FIELD, type Paging } from '../operations/entry.js';
import { performOperation, type Performance } from '../operations/perform.js';
import { readEarlierResults, type EarlierResults, type RunLine } from './earlier-results.js';
import { earlyStop, type EarlyStop } from './early-stop.js';
import { DONE_OUTCOMES, outcomeOfKey, resultLine, tallyKey, type ResultLine } from './outcome.js';
import { formatCount, ProgressReporter } from './progress.js';
import { ResultsFile } from './results-file.js';
import { LockFileError, lockResults, ResultsLockedError, type ResultsLock } from './results-lock.js';
import { watchStopSignals } from './stop-signals.js';
import { bulkExitCode, summaryJson, summaryText, type BulkTotals } from './summary.js';
import { openUserSource, readUserList } from './users-input.js';
import { inShard, shardName, type Shard } from './shard.js';

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
  /** Only the users of this part of the list; undefined for all of them. */
  readonly shard: Shard | undefined;
  readonly json: boolean;
  /** How to name the setting of the host, when no call can reach it. */
  readonly endpointSetting: string;
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
  const shard = input.shard === undefined ? undefined : shardName(input.shard);
  if ((firstRun.shard ?? undefined) !== shard) {
    const held = firstRun.shard === undefined ? 'the whole list (no --shard)' : `shard ${firstRun.shard}`;
    return `holds results of ${held}, not of ${shard === undefined ? 'the whole list' : `shard ${shard}`}; each shard resumes from its own --results file`;
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
    return usageError(fileProblem('--users-file', input.usersPath, 'read', error));
  }
  let lock: ResultsLock;
  try {
    lock = lockResults(input.resultsPath);
  } catch (error) {
    source.destroy();
    if (error instanceof ResultsLockedError) return usageError(error.message);
    if (error instanceof LockFileError) {
      return usageError(
        error.use === 'create'
          ? fileProblem('--results', input.resultsPath, 'create', error.cause)
          : fileProblem('the lock file of --results', error.path, 'read', error.cause),
      );
    }
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
    resultsMustBeAFile(input.resultsPath);
    earlier = await readEarlierResults(input.resultsPath);
  } catch (error) {
    source.destroy();
    return usageError(fileProblem('--results', input.resultsPath, 'read', error));
  }
  const problem = mismatch(earlier, input);
  if (problem !== undefined) {
    source.destroy();
    return usageError(`${input.resultsPath} ${problem}`);
  }

  let list;
  try {
    list = await readUserList(source, input.shard === undefined ? undefined : inShard(input.shard));
  } catch (error) {
    source.destroy();
    return usageError(fileProblem('--users-file', input.usersPath, 'read', error));
  }
  if (list.users.size === 0) {
    io.stderr.write(
      `${label}: warning: --users-file ${input.usersPath} lists no users` +
        (list.ignoredLines === 0 ? ' (it is empty)' : ` (only ${list.ignoredLines} blank or comment line${list.ignoredLines === 1 ? '' : 's'})`) +
        '; nothing to run\n',
    );
  }
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

  const runLine: RunLine = {
    type: 'run',
    command: input.command,
    operationId: input.operationId,
    request: input.template,
    at: new Date().toISOString(),
    pid: process.pid,
    ...(input.shard === undefined ? {} : { shard: shardName(input.shard) }),
  };
  let results: ResultsFile;
  try {
    results = ResultsFile.open(input.resultsPath);
  } catch (error) {
    return usageError(fileProblem('--results', input.resultsPath, 'write', error));
  }
  try {
    results.append(runLine);
  } catch (error) {
    closeQuietly(results);
    return usageError(fileProblem('--results', input.resultsPath, 'write', error));
  }
  io.stderr.write(
    `${label}: ${formatCount(total)} user${total === 1 ? '' : 's'}` +
      (list.duplicates === 0 ? '' : ` (${formatCount(list.duplicates)} duplicate line${list.duplicates === 1 ? '' : 's'} ignored)`) +
      `; ${formatCount(skipped)} finished earlier, skipped; ${formatCount(users.size)} to run, ${input.concurrency} at a time, ${input.rateDescription}\n`,
  );

  const progress = new ProgressReporter(io.stderr, { label, total: users.size, intervalMs: input.progressIntervalMs });
  const counts = new Map<string, number>();
  let inFlight = 0;
  const stop = watchStopSignals(
    () => progress.note(`stopping: finishing ${inFlight} call${inFlight === 1 ? '' : 's'} in flight (Ctrl-C again quits at once)`),
    (signal) => {
      progress.finish();
      io.stderr.write(`${label}: quitting at once on a second ${signal}; the ${inFlight} call${inFlight === 1 ? '' : 's'} cut off will be recognised on resume\n`);
      closeQuietly(results);
      // The lock is released by its owner's finally in the normal path; here the process ends before that runs.
      process.exit(signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    },
  );

  const started = performance.now();
  const queue = users.values();
  let failure: unknown;
  /** Set once an answer or the results file says no other user can succeed now; no user is taken after it. */
  let stopped: EarlyStop | undefined;
  let answered = false;
  const stopEarly = (reason: EarlyStop): void => {
    if (stopped !== undefined) return;
    stopped = reason;
    const finishing = inFlight === 0 ? '' : `finishing ${inFlight} call${inFlight === 1 ? '' : 's'} in flight; `;
    progress.note(`stopping: ${finishing}no other user can succeed now (the summary says why)`);
  };
  /** Appends a line; false (and the run stops) when the file cannot take it: what is written so far stays usable. */
  const record = (line: object): boolean => {
    try {
      results.append(line);
      return true;
    } catch (error) {
      stopEarly({ problem: `${fileProblem('--results', input.resultsPath, 'write', error)}.` });
      return false;
    }
  };
  const worker = async (): Promise<void> => {
    for (;;) {
      if (stop.requested !== undefined || failure !== undefined || stopped !== undefined) return;
      const next = queue.next();
      if (next.done === true) return;
      const user = next.value;
      const userStarted = performance.now();
      // Written before the call may leave: if this process dies before the result line, the resume knows it was under way.
      if (!record({ type: 'start', user, at: new Date().toISOString() })) return;
      inFlight++;
      let line: ResultLine;
      let performed: Performance;
      try {
        const request = { [USER_FIELD]: user, ...input.template };
        performed = await performOperation(input.client, input.operationId, request, input.paging);
        line = resultLine(user, performed, request, mayHaveActed(user), userStarted);
      } catch (error) {
        failure ??= error;
        return;
      } finally {
        inFlight--;
      }
      const reason = earlyStop(performed, answered, input);
      if (performed.last.ok || performed.last.error.kind === 'api' || performed.last.error.kind === 'unclear') answered = true;
      if (reason !== undefined) stopEarly(reason);
      // A user whose result cannot be written keeps its start line: a resume treats it as cut off, which it was.
      if (!record(line)) return;
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
    shard: input.shard === undefined ? undefined : shardName(input.shard),
    outsideShard: list.outsideShard,
    resultsPath: input.resultsPath,
    users: total,
    duplicates: list.duplicates,
    skipped,
    earlier: earlierCounts,
    now: counts,
    notStarted: total - skipped - ran,
    seconds,
    stoppedBy: stop.requested,
    stoppedEarly: stopped,
  };
  const summary = summaryJson(totals);
  record({ ...summary, type: 'end', at: new Date().toISOString() });
  closeQuietly(results);
  if (failure !== undefined) throw failure;
  io.stdout.write(input.json ? `${JSON.stringify(summary)}\n` : summaryText(totals));
  return bulkExitCode(totals);
}

/**
 * A results file is read to its end and appended to: a pipe would block the read until something writes to it, and
 * a device (/dev/zero) would never end, so anything but a regular file (or none yet) is refused.
 */
function resultsMustBeAFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (stats.isDirectory()) throw fileError('EISDIR', `${path} is a directory`);
  if (!stats.isFile()) throw fileError('EFTYPE', `${path} is not a regular file`);
}

/** Closing syncs the file to disk; a disk that fails now has already been reported by the append that met it. */
function closeQuietly(results: ResultsFile): void {
  try {
    results.close();
  } catch {
    // Nothing more can be written; the lines appended so far are in the file.
  }
}
