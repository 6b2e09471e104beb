/**
 * `chat-groups verify-contract` as a user runs it: the real program as a child process against a sandbox started
 * here. The plan comes before any call, --dry-run stops there, the JSON report never holds the secret key, and
 * Ctrl-C in the middle of a run stops it, cleans up and exits 130.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFaultRequest } from '../../src/sandbox/faults.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv, startCli } from '../support/cli-process.js';

let target: RunningSandbox;
beforeAll(async () => {
  target = await startSandbox({ allowFaults: true });
});
afterAll(async () => {
  await target.close();
});

/** The sandbox's data for alice without the timestamps a restore moves on. */
function aliceData(): unknown {
  const alice = target.state.snapshot().users['alice'];
  return { groups: alice?.groups, conversations: alice?.conversations.map(({ timestamp: _timestamp, ...rest }) => rest) };
}

const SLOW_MS = 60_000;

describe('chat-groups verify-contract', () => {
  it('prints the plan and sends nothing with --dry-run', async () => {
    // Nothing listens on port 9 of loopback: any call would fail and change the exit code.
    const result = await runCli(['verify-contract', '--users', 'alice,bob', '--dry-run'], sandboxEnv('http://127.0.0.1:9'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Contract check of document [\d.]+ against http:\/\/127\.0\.0\.1:9, signed as admin administrator/);
    expect(result.stdout).toMatch(/Run id [0-9a-f]{8}: every group and mark the run makes is named with vc[0-9a-f]{8}/);
    expect(result.stdout).toContain('Rate: at most 20 calls per second per operation');
    expect(result.stdout).toContain('probe group-name-bytes');
    expect(result.stdout).toContain('not probed (needs --probe-rate-limit)');
    expect(result.stdout).toContain('Dry run: nothing was sent.');
  }, SLOW_MS);

  it('--help shows the usage, the flags, every exit code and an example', async () => {
    const result = await runCli(['verify-contract', '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: chat-groups verify-contract --users OWNER,PEER /);
    for (const flag of ['--rate N', '--probe-rate-limit', '--dry-run', '--json', '--base-url URL']) expect(result.stdout).toContain(flag);
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 [\s\S]*\n {2}1 [\s\S]*\n {2}2 [\s\S]*\n {2}130 /);
    expect(result.stdout).toContain('Example:\n  chat-groups verify-contract --users test_owner,test_peer --dry-run');
  }, SLOW_MS);

  it('refuses bad flags before anything else', async () => {
    const one = await runCli(['verify-contract', '--users', 'alice'], sandboxEnv(target.url));
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--users must name exactly two users, OWNER,PEER');
    const fast = await runCli(['verify-contract', '--users', 'alice,bob', '--rate', '500'], sandboxEnv(target.url));
    expect(fast.code).toBe(2);
    expect(fast.stderr).toContain('--rate must be an integer from 1 to 200');
  }, SLOW_MS);

  it('reports every bad flag and setting at once, each by the flag or variable to fix and without its value', async () => {
    const result = await runCli(['verify-contract', '--users', 'alice', '--rate', '500'], { TENCENT_CHAT_SDKAPPID: 'app-1e9', TENCENT_CHAT_REGION: 'mars' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('6 problems, nothing was done:\n');
    for (const named of [
      '--users must name exactly two users',
      '--rate must be an integer from 1 to 200',
      'TENCENT_CHAT_SDKAPPID must be a decimal integer',
      'TENCENT_CHAT_ADMIN (or --admin) is not set',
      'TENCENT_CHAT_SECRET_KEY is not set',
      'TENCENT_CHAT_REGION must be one of',
    ]) {
      expect(result.stderr).toContain(`\n  ${named}`);
    }
    expect(result.stderr).not.toMatch(/app-1e9|mars/);
    expect(result.stderr).toContain('Usage: chat-groups verify-contract --users OWNER,PEER [--rate N] [--probe-rate-limit] [--dry-run] [--json] [options]');
  }, SLOW_MS);

  it('runs against the sandbox, prints the JSON report without the secret key, and exits 0 when all held', async () => {
    const before = aliceData();
    const result = await runCli(['verify-contract', '--users', 'alice,bob', '--rate', '200', '--json'], sandboxEnv(target.url));
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { passed: boolean; tally: Record<string, number>; checks: { status: string; evidence: { calls: { random?: number }[] } }[] };
    expect(report).toMatchObject({ format: 1, passed: true, interrupted: false, cleanup: { complete: true, left: [] } });
    expect(report.tally['contradicted']).toBe(0);
    expect(report.checks.every((check) => check.evidence.calls.every((call) => typeof call.random === 'number'))).toBe(true);
    // The plan and the progress go to stderr, so stdout is one JSON document.
    expect(result.stderr).toContain('Contract check of document');
    expect(result.stderr).toMatch(/create_contact_group random=\d+: ErrorCode 0/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(DEVELOPMENT_SECRET_KEY);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/usersig=(?!REDACTED)/i);
    expect(aliceData()).toEqual(before);
  }, SLOW_MS);

  it('stops on Ctrl-C during a call, cleans up what it made and exits 130', async () => {
    const before = aliceData();
    // The rename, right after the group is made, hangs until the run is interrupted.
    const parsed = parseFaultRequest({ operation: 'update_contact_group', delayMs: 30_000 });
    if (!parsed.ok) throw new Error(parsed.message);
    target.faults?.add(parsed.spec);
    const running = startCli(['verify-contract', '--users', 'alice,bob', '--rate', '200'], sandboxEnv(target.url));
    await expect.poll(() => running.stderr(), { timeout: 30_000, interval: 100 }).toMatch(/create_contact_group random=\d+: ErrorCode 0/);
    expect(Object.keys(target.state.snapshot().users['alice']?.groups ?? {}).some((name) => name.startsWith('vc'))).toBe(true);
    running.child.kill('SIGINT');
    const result = await running.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('SIGINT: stopping after the call in flight, then cleaning up');
    expect(result.stdout).toContain('Interrupted: the run stopped before its end.');
    expect(result.stdout).toContain('Cleanup: complete, nothing of the run is left.');
    expect(aliceData()).toEqual(before);
    target.faults?.clear();
  }, SLOW_MS);
});
