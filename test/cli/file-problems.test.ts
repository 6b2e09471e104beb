/**
 * Files named on the command line that cannot be used: each is a settings problem (exit 2), reported in a sentence
 * that names the flag, the path and what is wrong, before any call is sent. The real program runs as a child
 * process against a sandbox; where permissions matter it runs as an ordinary user, since root may write anything.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Fixture, type RunningSandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv, UNPRIVILEGED } from '../support/cli-process.js';

let dir: string;
let sandbox: RunningSandbox;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-files-'));
  const fixture: Fixture = {
    sdkAppId: 1400000000,
    admins: ['administrator'],
    edition: 'ultimate',
    users: { administrator: { groups: {} }, alice: { groups: { work: [{ Type: 1, To_Account: 'administrator' }] } } },
  };
  sandbox = await startSandbox({ fixture, rateLimit: 'off' });
  env = sandboxEnv(sandbox.url);
  await writeFile(join(dir, 'users.txt'), 'alice\n');
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

function path(name: string): string {
  return join(dir, name);
}

function bulk(usersFile: string, results: string): string[] {
  return ['delete-group', '--group', 'work', '--users-file', usersFile, '--results', results, '--rate', 'off', '--progress-interval', '60'];
}

/** Exit 2 with the sentence, and the sandbox got no call: alice still has her group. */
function expectSettingsProblem(result: { code: number | null; stdout: string; stderr: string }, sentence: string): void {
  expect(result.stderr).toContain(`chat-groups delete-group: ${sentence}`);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(Object.keys(sandbox.state.snapshot().users['alice']?.groups ?? {})).toEqual(['work']);
}

describe('a file that cannot be used is a settings problem (exit 2), named, before any call', () => {
  it('a directory as --users-file', async () => {
    mkdirSync(path('users-dir'));
    const result = await runCli(bulk(path('users-dir'), path('a.ndjson')), env);
    expectSettingsProblem(result, `--users-file ${path('users-dir')} is a directory; give a file`);
  });

  it('a --users-file that cannot be read', async () => {
    await writeFile(path('secret-users.txt'), 'alice\n', { mode: 0o000 });
    const result = await runCli(bulk(path('secret-users.txt'), path('b.ndjson')), env, undefined, { runAs: UNPRIVILEGED });
    expectSettingsProblem(result, `--users-file ${path('secret-users.txt')} cannot be read: permission denied`);
  });

  it('a read-only results file', async () => {
    await writeFile(path('read-only.ndjson'), '', { mode: 0o444 });
    const result = await runCli(bulk(path('users.txt'), path('read-only.ndjson')), env, undefined, { runAs: UNPRIVILEGED });
    expectSettingsProblem(result, `--results ${path('read-only.ndjson')} cannot be written: permission denied (is the file read-only?)`);
    expect(readFileSync(path('read-only.ndjson'), 'utf8')).toBe('');
  });

  it('a results file that cannot be read', async () => {
    await writeFile(path('unreadable.ndjson'), '', { mode: 0o200 });
    const result = await runCli(bulk(path('users.txt'), path('unreadable.ndjson')), env, undefined, { runAs: UNPRIVILEGED });
    expectSettingsProblem(result, `--results ${path('unreadable.ndjson')} cannot be read: permission denied`);
  });

  it('a results file in a directory that does not exist', async () => {
    const result = await runCli(bulk(path('users.txt'), path('missing/results.ndjson')), env);
    expectSettingsProblem(result, `the directory ${path('missing')} of --results ${path('missing/results.ndjson')} does not exist; create it or choose another path`);
  });

  it('a directory as --results', async () => {
    mkdirSync(path('results-dir'));
    const result = await runCli(bulk(path('users.txt'), path('results-dir')), env);
    expectSettingsProblem(result, `--results ${path('results-dir')} is a directory; give a file`);
    expect(existsSync(`${path('results-dir')}.lock`)).toBe(false);
  });

  it('a pipe as --results, which a run would otherwise wait on for ever', async () => {
    execFileSync('mkfifo', [path('results.fifo')]);
    const result = await runCli(bulk(path('users.txt'), path('results.fifo')), env);
    expectSettingsProblem(result, `--results ${path('results.fifo')} is not a regular file (a pipe, socket or device); give a file`);
  });

  it('a results file in a directory that cannot be written (where the lock goes)', async () => {
    mkdirSync(path('locked-dir'), { mode: 0o555 });
    chmodSync(path('locked-dir'), 0o555);
    const result = await runCli(bulk(path('users.txt'), path('locked-dir/results.ndjson')), env, undefined, { runAs: UNPRIVILEGED });
    expectSettingsProblem(
      result,
      `cannot create files in ${path('locked-dir')}, the directory of --results ${path('locked-dir/results.ndjson')}: permission denied (a run writes its results and a lock file there)`,
    );
  });

  it('a lock file next to the results that cannot be read', async () => {
    await writeFile(path('foreign.ndjson.lock'), '1\n', { mode: 0o000 });
    const result = await runCli(bulk(path('users.txt'), path('foreign.ndjson')), env, undefined, { runAs: UNPRIVILEGED });
    expectSettingsProblem(result, `the lock file of --results ${path('foreign.ndjson.lock')} cannot be read: permission denied`);
    expect(readdirSync(dir).filter((name) => name.startsWith('foreign'))).toEqual(['foreign.ndjson.lock']);
  });

  it('a directory as --body @FILE', async () => {
    mkdirSync(path('body-dir'));
    const result = await runCli(['delete-group', '--user', 'alice', '--body', `@${path('body-dir')}`], env);
    expectSettingsProblem(result, `--body @${path('body-dir')} is a directory; give a file`);
  });
});

describe('an empty users file', () => {
  it('warns that there is nothing to run, and exits 0', async () => {
    await writeFile(path('empty-users.txt'), '# nobody yet\n\n');
    const result = await runCli(bulk(path('empty-users.txt'), path('empty.ndjson')), env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`warning: --users-file ${path('empty-users.txt')} lists no users (only 2 blank or comment lines); nothing to run`);
    expect(result.stdout).toContain('delete-group: 0 users');
  });
});

describe('a results file that stops taking lines during a run', () => {
  it('stops the run (exit 4), names the file and the problem, and a resume finishes with no user run twice', async () => {
    const users = Array.from({ length: 400 }, (_, index) => `full-${index}`);
    const full = await startSandbox({
      fixture: {
        sdkAppId: 1400000000,
        admins: ['administrator'],
        edition: 'ultimate',
        users: { administrator: { groups: {} }, ...Object.fromEntries(users.map((user) => [user, { groups: { work: [] } }])) },
      },
      rateLimit: 'off',
    });
    try {
      await writeFile(path('full-users.txt'), users.join('\n'));
      const args = bulk(path('full-users.txt'), path('full.ndjson'));
      // 100 blocks are 50 or 100 KiB, depending on the shell; 400 users write well over that.
      const stopped = await runCli(args, sandboxEnv(full.url), undefined, { fileSizeLimitBlocks: 100 });
      expect(stopped.stderr).toContain('no other user can succeed now');
      expect(stopped.stdout).toContain(`Stopped early: --results ${path('full.ndjson')} has reached the largest file this process may write (EFBIG`);
      expect(stopped.stdout).toMatch(/; [\d,]+ not run\n/);
      expect(stopped.code).toBe(4);

      const resumed = await runCli(args, sandboxEnv(full.url));
      expect(resumed.code).toBe(0);
      const deleted = full.state.deletionReport();
      expect(deleted.totalDeletions).toBe(users.length);
      expect(deleted.groups.every((record) => record.deletions === 1)).toBe(true);
    } finally {
      await full.close();
    }
  }, 60_000);
});
