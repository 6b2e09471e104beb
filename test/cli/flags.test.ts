/**
 * The flag table's promises to a user at the keyboard: a mistyped flag gets the flag it most likely meant, and a
 * usage line tells the flags a request needs from those it may leave out.
 */
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/dispatch.js';
import { closestFlag, editDistance } from '../../src/cli/flags.js';

async function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) }, env: {} },
    commands,
  );
  return { code, stdout, stderr };
}

describe('an unknown flag', () => {
  it.each([
    ['delete-group', '--jsn', '--json'],
    ['delete-group', '--grup', '--group'],
    ['mark', '--custom-mrak', '--custom-mark'],
    ['usersig', '--identifer', '--identifier'],
    ['usersig', '--admn', '--admin'],
    ['sandbox', '--fixtur', '--fixture'],
    ['verify-contract', '--user', '--users'],
  ])('given to %s as %s is answered with "did you mean %s?"', async (command, typo, meant) => {
    const result = await run([command, typo]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Unknown option '${typo}': did you mean ${meant}?`);
  });

  it('far from every known flag gets no guess, only the plain refusal', async () => {
    const result = await run(['delete-group', '--colour']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
    expect(result.stderr).not.toContain('did you mean');
  });

  it('is never repeated with its value', async () => {
    const result = await run(['delete-group', '--jsn=hunter2']);
    expect(result.stderr).toContain('did you mean --json?');
    expect(result.stderr).not.toContain('hunter2');
  });
});

describe('the nearest flag', () => {
  it('is measured in single-character edits', () => {
    expect(editDistance('grup', 'group')).toBe(1);
    expect(editDistance('custom-mrak', 'custom-mark')).toBe(2);
    expect(editDistance('', 'json')).toBe(4);
  });

  it('is only offered when the name is close enough to be a typo', () => {
    expect(closestFlag('jsn', ['json', 'user'])).toBe('json');
    expect(closestFlag('x', ['json', 'user'])).toBeUndefined();
    expect(closestFlag('colour', ['json', 'user', 'group'])).toBeUndefined();
  });
});

describe('usage lines', () => {
  it('mark the flags a request may leave out as optional, and the ones it needs as plain', async () => {
    const { stdout } = await run(['mark', '--help']);
    const usage = stdout.split('\n')[0] ?? '';
    expect(usage).toMatch(/ --user ID /);
    expect(usage).toMatch(/ --contact user:ID\|group:ID … /);
    expect(usage).toContain('[--custom-mark TEXT]');
    expect(usage).toContain('[--set MARKS …]');
    expect(usage).not.toMatch(/ --custom-mark TEXT(?!\])/);
  });

  it.each([
    ['usersig', 'Usage: chat-groups usersig [--sdkappid N] [--admin ID] [--expire SECONDS] [--json]'],
    ['verify-contract', 'Usage: chat-groups verify-contract --users OWNER,PEER [--rate N] [--probe-rate-limit] [--dry-run] [--json] [options]'],
  ])('of %s come from its flag table: settings with an environment default are optional', async (command, usage) => {
    const { stdout } = await run([command, '--help']);
    expect(stdout.split('\n')[0]).toBe(usage);
  });

  it('leave out an earlier flag name, which the help still lists', async () => {
    const { stdout } = await run(['usersig', '--help']);
    expect(stdout.split('\n')[0]).not.toContain('--identifier');
    expect(stdout).toMatch(/\n {2}--identifier ID +the earlier name of --admin/);
  });

  it('show a required flag of a nested field as required (create-group --group)', async () => {
    const { stdout } = await run(['create-group', '--help']);
    const usage = stdout.split('\n')[0] ?? '';
    expect(usage).toContain(' --group NAME ');
    expect(usage).toContain('[--contact user:ID|group:ID …]');
  });
});
