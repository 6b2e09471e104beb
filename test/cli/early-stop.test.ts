/**
 * Bulk runs that cannot succeed for anyone: a wrong secret key, an identifier that is not an app admin, a host no
 * call reaches. The real program runs against a sandbox and stops after the first such answer instead of calling
 * every user, says what to fix, exits 4, and leaves the users it did not run to a resume.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv } from '../support/cli-process.js';
import { freePort } from '../support/free-port.js';
import { fixtureFor, range } from '../support/bulk-fixture.js';

type Line = Record<string, unknown> & { type: string; user?: string; outcome?: string };

const USERS = 40;
let dir: string;
let sandbox: RunningSandbox;

const PREFIXES = ['key', 'admin', 'down', 'fail'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-early-stop-'));
  sandbox = await startSandbox({ fixture: fixtureFor(PREFIXES.flatMap((prefix) => range(prefix, USERS))), rateLimit: 'off' });
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

function linesOf(file: string): Line[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
}

function groupsOf(user: string): string[] {
  return Object.keys(sandbox.state.snapshot().users[user]?.groups ?? {});
}

const FAST = ['--rate', 'off', '--progress-interval', '60', '--concurrency', '2'];

async function bulkArgs(prefix: string): Promise<string[]> {
  await writeFile(join(dir, `${prefix}-users.txt`), range(prefix, USERS).join('\n'));
  return ['delete-group', '--group', 'work', '--users-file', join(dir, `${prefix}-users.txt`), '--results', join(dir, `${prefix}-results.ndjson`), ...FAST];
}

describe('a bulk run that no user can succeed in', () => {
  it.concurrent('stops after the first answer of a wrong key, says what to fix, exits 4, and a resume with the right key finishes', async () => {
    const args = await bulkArgs('key');
    const results = join(dir, 'key-results.ndjson');
    const wrong = await runCli(args, { ...sandboxEnv(sandbox.url), TENCENT_CHAT_SECRET_KEY: 'a-key-of-another-app' });
    expect(wrong.code).toBe(4);
    expect(wrong.stdout).toMatch(/Stopped early: ErrorCode 70009 concerns the whole app, so every other call would get it too: .*Likely cause: the signature does not verify/);
    expect(wrong.stdout).toContain('not run. Fix that, then run the same command with --retry-failed');
    expect(wrong.stderr).toContain('no other user can succeed now (the summary says why)');
    expect(wrong.stdout).not.toContain('a-key-of-another-app');
    expect(wrong.stderr).not.toContain('a-key-of-another-app');
    const failed = linesOf(results).filter((line) => line.type === 'result');
    // Only the calls already under way when the first answer came (at most --concurrency of them) were made.
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeLessThanOrEqual(2);
    expect(failed.every((line) => line.code === 70009)).toBe(true);
    const end = linesOf(results).at(-1);
    expect(end).toMatchObject({ type: 'end', exitCode: 4, notStarted: USERS - failed.length, stoppedEarly: { code: 70009 } });
    expect(wrong.stdout).toContain(`; ${USERS - failed.length} not run`);
    expect(range('key', USERS).filter((user) => groupsOf(user).length === 0)).toEqual([]);

    const fixed = await runCli([...args, '--retry-failed'], sandboxEnv(sandbox.url));
    expect(fixed.code).toBe(0);
    expect(range('key', USERS).filter((user) => groupsOf(user).length > 0)).toEqual([]);
  }, 45_000);

  it.concurrent('stops after the first answer for an identifier that is not an app admin', async () => {
    const args = await bulkArgs('admin');
    const result = await runCli(args, { ...sandboxEnv(sandbox.url), TENCENT_CHAT_ADMIN: 'admin-0' });
    expect(result.code).toBe(4);
    expect(result.stdout).toMatch(/Stopped early: ErrorCode \d+ concerns the whole app, so every other call would get it too: .*admin/);
    const ran = linesOf(join(dir, 'admin-results.ndjson')).filter((line) => line.type === 'result');
    expect(ran.length).toBeLessThanOrEqual(2);
  });

  it.concurrent('stops when no call reaches the host, naming the setting to check', async () => {
    // A port that was free a moment ago: nothing listens there, so every connection is refused.
    const closed = await freePort();
    const args = await bulkArgs('down');
    const result = await runCli([...args, '--max-attempts', '1'], { ...sandboxEnv(sandbox.url), TENCENT_CHAT_BASE_URL: `http://127.0.0.1:${closed}` });
    expect(result.code).toBe(4);
    expect(result.stdout).toContain(`Stopped early: no call can reach the service: connection refused by 127.0.0.1:${closed}: is the server at http://127.0.0.1:${closed} running? (TENCENT_CHAT_BASE_URL).`);
    const ran = linesOf(join(dir, 'down-results.ndjson')).filter((line) => line.type === 'result');
    expect(ran.length).toBeLessThanOrEqual(2);
  });

  it.concurrent('keeps going past per-user failures, and its summary points to --retry-failed', async () => {
    const users = [...range('fail', 5), 'nobody-1'];
    await writeFile(join(dir, 'fail-users.txt'), users.join('\n'));
    const result = await runCli(['delete-group', '--group', 'work', '--users-file', join(dir, 'fail-users.txt'), '--results', join(dir, 'fail-results.ndjson'), ...FAST], sandboxEnv(sandbox.url));
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Once the cause is fixed, run the same command with --retry-failed to run them again.');
    expect(linesOf(join(dir, 'fail-results.ndjson')).filter((line) => line.type === 'result')).toHaveLength(6);
  });
});

