/**
 * Bulk runs end to end: the real program as a child process against sandboxes started here, reading users from a
 * file or stdin, writing a results file, resuming from it, stopping on Ctrl-C, and the exit code of each ending.
 * Every test has its own users (and, where it injects faults, its own sandbox), so the tests run side by side.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DONE_OUTCOMES, resultLine, tallyKey } from '../../src/cli/bulk/outcome.js';
import { ProgressReporter } from '../../src/cli/bulk/progress.js';
import { createChatGroupsClient } from '../../src/client/client.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv, startCli } from '../support/cli-process.js';
import { waitUntil } from '../support/wait.js';
import { countResults, linesOf, type Line } from '../support/results-lines.js';
import { fixtureFor, range } from '../support/bulk-fixture.js';


const sandboxes: RunningSandbox[] = [];
let dir: string;
let shared: RunningSandbox;

/** A sandbox of its own, for tests that inject faults (faults hit the next calls of anyone). */
async function ownSandbox(users: readonly string[]): Promise<RunningSandbox> {
  const sandbox = await startSandbox({ fixture: fixtureFor(users, ['home']), rateLimit: 'off', allowFaults: true });
  sandboxes.push(sandbox);
  return sandbox;
}

async function fault(sandbox: RunningSandbox, spec: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(spec) });
  expect(response.status).toBe(201);
}

const SHARED_USERS = [...range('file', 150), ...range('stdin', 50), ...range('bad', 10), ...range('sig', 100), ...range('quit', 100), ...range('cut', 5), ...range('lock', 5)];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-bulk-'));
  shared = await startSandbox({ fixture: fixtureFor(SHARED_USERS, ['home']), rateLimit: 'off' });
  sandboxes.push(shared);
});
afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.close()));
  await rm(dir, { recursive: true, force: true });
});

function path(name: string): string {
  return join(dir, name);
}


function resultsOf(file: string): Line[] {
  return linesOf(file).filter((line) => line.type === 'result');
}

/** Each user's result lines, to check that every user has exactly one. */
function perUser(results: readonly Line[]): Map<string, Line[]> {
  const byUser = new Map<string, Line[]>();
  for (const line of results) byUser.set(line.user as string, [...(byUser.get(line.user as string) ?? []), line]);
  return byUser;
}

function groupsOf(sandbox: RunningSandbox, user: string): string[] {
  return Object.keys(sandbox.state.snapshot().users[user]?.groups ?? {});
}

const FAST = ['--rate', 'off', '--progress-interval', '60'];
/** For tests that start the program several times: each start costs about a second of CPU on a small machine. */
const SEVERAL_RUNS_MS = 45_000;

describe('a bulk run', () => {
  it.concurrent('reads a users file (comments, blanks and duplicates ignored), writes one line per user and a summary', async () => {
    const users = range('file', 120);
    await writeFile(path('file-users.txt'), ['# product change 42', ...users.slice(0, 60), '', '  file-7  ', 'file-7', ...users.slice(60), 'file-0\r'].join('\n'));
    const results = path('file-results.ndjson');
    const result = await runCli(['delete-group', '--group', 'work', '--users-file', path('file-users.txt'), '--results', results, ...FAST], sandboxEnv(shared.url));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('120 users (3 duplicate lines ignored); 0 finished earlier, skipped; 120 to run');
    expect(result.stdout).toMatch(/^delete-group: 120 users \(3 duplicate lines ignored\)\n/);
    expect(result.stdout).toMatch(/\n {2}ok +120 +120\n/);
    const lines = linesOf(results);
    expect(lines[0]).toMatchObject({ type: 'run', command: 'delete-group', operationId: 'delContactGroup', request: { GroupName: ['work'] } });
    expect(lines.at(-1)).toMatchObject({ type: 'end', ran: 120, thisRun: { ok: 120 }, exitCode: 0 });
    const byUser = perUser(resultsOf(results));
    expect([...byUser.keys()].sort()).toEqual([...users].sort());
    for (const [user, [line, ...more]] of byUser) {
      expect(more).toEqual([]);
      expect(line).toMatchObject({ user, outcome: 'ok', ok: true, done: true, code: 0, attempts: 1, data: { GroupItem: [{ GroupName: 'work' }] } });
      expect(line?.['random']).toEqual(expect.any(Number));
      expect(Date.parse(line?.['at'] as string)).not.toBeNaN();
      expect(groupsOf(shared, user)).toEqual(['home']);
    }
    expect(linesOf(results).filter((line) => line.type === 'start')).toHaveLength(120);

    // Resume with the same file: nothing is run again, and the summary still covers every user.
    const again = await runCli(['delete-group', '--group', 'work', '--users-file', path('file-users.txt'), '--results', results, ...FAST], sandboxEnv(shared.url));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('120 finished in earlier runs (skipped); 0 run now');
    expect(again.stdout).toMatch(/\n {2}ok +0 +120\n/);
    expect(resultsOf(results)).toHaveLength(120);

    // More users in the list: only the new ones are run.
    await writeFile(path('file-users.txt'), range('file', 150).join('\n'));
    const more = await runCli(['delete-group', '--group', 'work', '--users-file', path('file-users.txt'), '--results', results, ...FAST], sandboxEnv(shared.url));
    expect(more.code).toBe(0);
    expect(more.stdout).toContain('120 finished in earlier runs (skipped); 30 run now');
    expect(perUser(resultsOf(results)).size).toBe(150);
    expect(resultsOf(results)).toHaveLength(150);
    expect(shared.state.deletionReport().deletedTwice.filter((record) => record.user.startsWith('file-'))).toEqual([]);

    // Another request with the same results file is refused: it would skip users that never got this request.
    const other = await runCli(['delete-group', '--group', 'home', '--users-file', path('file-users.txt'), '--results', results, ...FAST], sandboxEnv(shared.url));
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds results of "delete-group" with \{"GroupName":\["work"\]\}, not of "delete-group" with \{"GroupName":\["home"\]\}/);
  }, SEVERAL_RUNS_MS);

  it.concurrent('reads users from stdin and, with --json, prints every result line and a summary line', async () => {
    const users = range('stdin', 50);
    const results = path('stdin-results.ndjson');
    const result = await runCli(['delete-group', '--group', 'work', '--users-file', '-', '--results', results, '--json', ...FAST], sandboxEnv(shared.url), `${users.join('\n')}\n`);
    expect(result.code).toBe(0);
    const printed = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Line);
    expect(printed).toHaveLength(51);
    expect(printed.slice(0, 50).map((line) => line.user).sort()).toEqual([...users].sort());
    expect(printed.at(-1)).toMatchObject({ type: 'summary', users: 50, ran: 50, skipped: 0, thisRun: { ok: 50 }, exitCode: 0 });
    expect(resultsOf(results)).toEqual(printed.slice(0, 50));
  });

  it.concurrent('exits 1 when a user failed with an ErrorCode, and counts failures by code', async () => {
    const users = [...range('bad', 10), 'nobody-1', 'nobody-2'];
    await writeFile(path('bad-users.txt'), users.join('\n'));
    const results = path('bad-results.ndjson');
    const result = await runCli(['delete-group', '--group', 'work', '--users-file', path('bad-users.txt'), '--results', results, ...FAST], sandboxEnv(shared.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n {2}ok +10 +10\n/);
    expect(result.stdout).toMatch(/\n {2}api-error 50001 +2 +2 +The UserID in From_Account has not been imported into Chat\.\n/);
    expect(result.stdout).toContain('Some users failed');
    expect(resultsOf(results).filter((line) => line.outcome === 'api-error')).toEqual([
      expect.objectContaining({ user: 'nobody-1', ok: false, done: false, code: 50001, retryable: false }),
      expect.objectContaining({ user: 'nobody-2', ok: false, done: false, code: 50001, retryable: false }),
    ]);
  });

  it.concurrent('exits 3 while users got no answer; --retry-failed runs them again and tells a delete that already happened', async () => {
    const users = range('net', 20);
    const sandbox = await ownSandbox(users);
    // The first five calls are carried out, but their answers are lost to a gateway error.
    await fault(sandbox, { count: 5, httpStatus: 502, afterProcessing: true });
    await writeFile(path('net-users.txt'), users.join('\n'));
    const results = path('net-results.ndjson');
    const args = ['delete-group', '--group', 'work', '--users-file', path('net-users.txt'), '--results', results, '--concurrency', '1', '--max-attempts', '1', ...FAST];
    const first = await runCli(args, sandboxEnv(sandbox.url));
    expect(first.code).toBe(3);
    expect(first.stdout).toMatch(/\n {2}network http-status +5 +5 +no answer after retries; run again with --retry-failed\n/);
    expect(first.stdout).toContain('--retry-failed');
    const failed = resultsOf(results).filter((line) => line.outcome === 'network');
    expect(failed.map((line) => line.user)).toEqual(users.slice(0, 5));
    expect(failed[0]).toMatchObject({ ok: false, done: false, code: null, reason: 'http-status', status: 502, delivery: 'unknown' });

    // Without --retry-failed a resume leaves them alone, and still exits 3.
    const resumed = await runCli(args, sandboxEnv(sandbox.url));
    expect(resumed.code).toBe(3);
    expect(resumed.stdout).toContain('20 finished in earlier runs (skipped); 0 run now');

    const retried = await runCli([...args, '--retry-failed'], sandboxEnv(sandbox.url));
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/\n {2}possibly-done-earlier 51009 +5 +5 +an earlier run may have done it/);
    const byUser = perUser(resultsOf(results));
    for (const user of users.slice(0, 5)) {
      expect(byUser.get(user)?.map((line) => line.outcome)).toEqual(['network', 'possibly-done-earlier']);
      expect(byUser.get(user)?.[1]).toMatchObject({ ok: false, done: true, code: 51009, effect: expect.stringContaining('may have been deleted') });
    }
    // Each group was deleted exactly once; the retries only met 51009.
    const report = sandbox.state.deletionReport();
    expect(report.totalDeletions).toBe(20);
    expect(report.groups.every((record) => record.deletions === 1)).toBe(true);
  }, SEVERAL_RUNS_MS);

  it.concurrent('records a lost answer within a call as unclear, not as a failure (exit 0)', async () => {
    const users = range('unclear', 10);
    const sandbox = await ownSandbox(users);
    // The first call is carried out and its connection dropped; the client's retry then meets 51009.
    await fault(sandbox, { count: 1, drop: true, afterProcessing: true });
    await writeFile(path('unclear-users.txt'), users.join('\n'));
    const results = path('unclear-results.ndjson');
    const result = await runCli(['delete-group', '--group', 'work', '--users-file', path('unclear-users.txt'), '--results', results, '--concurrency', '1', ...FAST], sandboxEnv(sandbox.url));
    expect(result.code).toBe(0);
    const unclear = resultsOf(results).filter((line) => line.outcome === 'unclear');
    expect(unclear.map((line) => line.user)).toEqual(['unclear-0']);
    expect(result.stdout).toMatch(/\n {2}ok +9 +9\n {2}unclear 51009 +1 +1 +an unanswered attempt may have done it; nothing to do\n/);
    expect(unclear[0]).toMatchObject({ done: true, code: 51009, attempts: 2, history: [{ outcome: 'connection' }, { outcome: 51009 }] });
  });

  it.concurrent('Ctrl-C stops taking users, finishes the calls in flight, prints the summary and exits 130; a resume finishes', async () => {
    const users = range('sig', 100);
    await writeFile(path('sig-users.txt'), users.join('\n'));
    const results = path('sig-results.ndjson');
    const args = ['delete-group', '--group', 'work', '--users-file', path('sig-users.txt'), '--results', results, '--progress-interval', '0.2'];
    const running = startCli([...args, '--rate', '50'], sandboxEnv(shared.url));
    await waitUntil(() => countResults(results) >= 20, 15_000);
    running.child.kill('SIGINT');
    const stopped = await running.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/stopping: finishing \d+ calls? in flight/);
    // Plain progress lines, as stderr is not a terminal here.
    expect(stopped.stderr).toMatch(/chat-groups delete-group: [\d,]+\/100 \d+% [\d.]+\/s ETA (\d+:\d\d|\?)/);
    expect(stopped.stdout).toContain('Stopped by SIGINT; run the same command with the same --results file to continue.');
    const lines = linesOf(results);
    const started = lines.filter((line) => line.type === 'start').map((line) => line.user);
    const finished = lines.filter((line) => line.type === 'result').map((line) => line.user);
    expect(finished.sort()).toEqual(started.sort());
    expect(finished.length).toBeLessThan(100);
    expect(lines.at(-1)).toMatchObject({ type: 'end', stoppedBy: 'SIGINT', exitCode: 130 });

    const resumed = await runCli([...args, '--rate', 'off'], sandboxEnv(shared.url));
    expect(resumed.code).toBe(0);
    const byUser = perUser(resultsOf(results));
    expect(byUser.size).toBe(100);
    for (const [, userLines] of byUser) expect(userLines.map((line) => line.outcome)).toEqual(['ok']);
  }, SEVERAL_RUNS_MS);

  it.concurrent('a second Ctrl-C quits at once; the users cut off are run on resume and none is done twice', async () => {
    const users = range('quit', 100);
    await writeFile(path('quit-users.txt'), users.join('\n'));
    const results = path('quit-results.ndjson');
    const args = ['delete-group', '--group', 'work', '--users-file', path('quit-users.txt'), '--results', results, '--progress-interval', '60'];
    const running = startCli([...args, '--rate', '20'], sandboxEnv(shared.url));
    await waitUntil(() => countResults(results) >= 5, 15_000);
    running.child.kill('SIGINT');
    await waitUntil(() => running.stderr().includes('stopping'), 5_000);
    running.child.kill('SIGINT');
    const quit = await running.done;
    expect(quit.code).toBe(130);
    expect(quit.stderr).toMatch(/quitting at once on a second SIGINT; the \d+ calls? cut off will be recognised on resume/);
    const lines = linesOf(results);
    expect(lines.filter((line) => line.type === 'start').length).toBeGreaterThan(lines.filter((line) => line.type === 'result').length);

    const resumed = await runCli([...args, '--rate', 'off'], sandboxEnv(shared.url));
    expect(resumed.code).toBe(0);
    const byUser = perUser(resultsOf(results));
    expect(byUser.size).toBe(100);
    for (const [, userLines] of byUser) {
      expect(userLines).toHaveLength(1);
      expect(['ok', 'possibly-done-earlier']).toContain(userLines[0]?.outcome);
    }
    expect(shared.state.deletionReport().groups.filter((record) => record.user.startsWith('quit-') && record.deletions > 1)).toEqual([]);
  }, SEVERAL_RUNS_MS);
});

describe('the results file', () => {
  it.concurrent('tolerates a last line cut short, and appends after it on a line of its own', async () => {
    const results = path('cut-results.ndjson');
    const run = { type: 'run', command: 'delete-group', operationId: 'delContactGroup', request: { GroupName: ['work'] }, at: new Date().toISOString(), pid: 1 };
    const done = (user: string): Line => ({ type: 'result', user, outcome: 'ok', ok: true, done: true, code: 0, info: '', attempts: 1, ms: 1, at: new Date().toISOString() });
    await writeFile(results, `${[run, done('cut-0'), done('cut-1')].map((line) => JSON.stringify(line)).join('\n')}\n{"type":"result","user":"cut-2","outc`);
    await writeFile(path('cut-users.txt'), range('cut', 5).join('\n'));
    const result = await runCli(['delete-group', '--group', 'work', '--users-file', path('cut-users.txt'), '--results', results, ...FAST], sandboxEnv(shared.url));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('ignored 1 unreadable line of');
    expect(result.stdout).toContain('2 finished in earlier runs (skipped); 3 run now');
    const lines = linesOf(results);
    expect(lines.filter((line) => line.type === 'unreadable')).toHaveLength(1);
    expect([...perUser(resultsOf(results)).keys()].sort()).toEqual(range('cut', 5));
  });

  it.concurrent('is locked while a run uses it; a lock left by a dead process is taken over', async () => {
    const results = path('lock-results.ndjson');
    await writeFile(path('lock-users.txt'), range('lock', 5).join('\n'));
    const args = ['delete-group', '--group', 'work', '--users-file', path('lock-users.txt'), '--results', results, ...FAST];
    // This test's own process stands for a run that is still going.
    await writeFile(`${results}.lock`, `${process.pid}\n`);
    const locked = await runCli(args, sandboxEnv(shared.url));
    expect(locked.code).toBe(2);
    expect(locked.stderr).toContain(`is in use by another run (process ${process.pid})`);
    expect(groupsOf(shared, 'lock-0')).toContain('work');

    await writeFile(`${results}.lock`, '2147483646\n');
    const taken = await runCli(args, sandboxEnv(shared.url));
    expect(taken.code).toBe(0);
    expect(resultsOf(results)).toHaveLength(5);
  });

  it.concurrent('refuses a file that is not a results file, and a users file that cannot be read', async () => {
    await writeFile(path('notes.txt'), 'shopping list\n');
    const notResults = await runCli(['delete-group', '--group', 'work', '--users-file', '-', '--results', path('notes.txt')], sandboxEnv(shared.url), 'lock-0\n');
    expect(notResults.code).toBe(2);
    expect(notResults.stderr).toContain('is not a results file of chat-groups');
    expect(readFileSync(path('notes.txt'), 'utf8')).toBe('shopping list\n');

    const missing = await runCli(['delete-group', '--group', 'work', '--users-file', path('nowhere.txt'), '--results', path('nowhere.ndjson')], sandboxEnv(shared.url));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--users-file .*nowhere\.txt does not exist/);
  });
});

describe('progress on a terminal', () => {
  it('redraws one line in place, at most ten times a second, with count, percentage, rate and ETA', () => {
    // A fake clock: the count of frames over exactly 1.14 s of its time says whether the redraws are throttled.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      let output = '';
      const terminal = { isTTY: true, columns: 120, write: (chunk: string) => (output += chunk) };
      const progress = new ProgressReporter(terminal, { label: 'chat-groups delete-group', total: 10_000, intervalMs: 10_000 });
      progress.start();
      let elapsedMs = 0;
      for (let done = 0; done < 4210; done++) {
        progress.record(false);
        if (done % 500 === 0) {
          vi.advanceTimersByTime(60);
          elapsedMs += 60;
        }
      }
      vi.advanceTimersByTime(600);
      elapsedMs += 600;
      progress.finish();
      const frames = output.split('\r').filter((frame) => frame !== '');
      expect(frames.length).toBeGreaterThan(1);
      expect(frames.length).toBeLessThanOrEqual(Math.ceil((elapsedMs / 1000) * 10) + 2);
      expect(frames.at(-1)).toMatch(/^\[########\.{12}\] 4,210\/10,000 42% [\d.]+\/s ETA \d+:\d\d\x1b\[K\n$/);
      expect(output).not.toContain('\n\r');
    } finally {
      vi.useRealTimers();
    }
  });
});



describe('result lines of calls that got no usable answer', () => {
  /** A real failed call: the client against an injected fetch. */
  async function failedCall(fetch: () => Promise<Response>, userSig?: () => unknown) {
    const client = createChatGroupsClient({
      sdkAppId: 1400000000,
      identifier: 'administrator',
      ...(userSig === undefined ? { secretKey: 'k'.repeat(32) } : { userSig: userSig as () => string }),
      baseUrl: 'https://chat.test',
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    const result = await client.delContactGroup({ From_Account: 'user1', GroupName: ['work'] });
    return { last: result, calls: [result], data: undefined };
  }

  it('records a redirect as an unexpected answer to fix, not as a network failure to retry', async () => {
    const performed = await failedCall(async () => new Response(null, { status: 301, headers: { location: 'https://elsewhere.test/' } }));
    const line = resultLine('user1', performed, { From_Account: 'user1', GroupName: ['work'] }, false, performance.now());
    expect(line).toMatchObject({ outcome: 'unexpected-answer', ok: false, done: false, code: null, reason: 'redirect', status: 301 });
    expect(tallyKey(line)).toBe('unexpected-answer redirect');
    expect(DONE_OUTCOMES.has(line.outcome)).toBe(false);
  });

  it('records a failing UserSig provider as usersig, nothing sent', async () => {
    const performed = await failedCall(async () => new Response('{}'), () => 42);
    const line = resultLine('user1', performed, { From_Account: 'user1', GroupName: ['work'] }, false, performance.now());
    expect(line).toMatchObject({ outcome: 'usersig', ok: false, done: false, code: null, reason: 'invalid-value' });
    expect(tallyKey(line)).toBe('usersig invalid-value');
  });
});
