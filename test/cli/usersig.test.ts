import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ExitCode, type Command } from '../../src/cli/command.js';
import { commands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/dispatch.js';
import { SECRET_KEY_ENV } from '../../src/cli/settings.js';
import { decodeUserSig, userSigHmac, verifyUserSig } from '../../src/usersig/usersig.js';
import { seededRandom } from '../../scripts/seeded-random.js';
import { cliCommand, ROOT } from '../support/cli-process.js';

const KEY = randomBytes(32).toString('hex');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: Record<string, string | undefined> = { [SECRET_KEY_ENV]: KEY }, table: readonly Command[] = commands): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) }, env },
    table,
  );
  // Every run, successful or not, must keep the key off both streams.
  expect(stdout).not.toContain(KEY);
  expect(stderr).not.toContain(KEY);
  return { code, stdout, stderr };
}


describe('chat-groups usersig (in-process)', () => {
  it('prints a single-line UserSig that verifies against the key for 60 random valid inputs', async () => {
    const random = seededRandom(42);
    const idChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
    for (let i = 0; i < 60; i += 1) {
      const sdkAppId = 1 + Math.floor(random() * 4294967295);
      const identifier = Array.from({ length: 1 + Math.floor(random() * 32) }, () => idChars[Math.floor(random() * idChars.length)]).join('');
      const expire = 1 + Math.floor(random() * 1576800000);
      const before = Math.floor(Date.now() / 1000);
      const { code, stdout, stderr } = await cli(['usersig', '--sdkappid', String(sdkAppId), `--identifier=${identifier}`, '--expire', String(expire)]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.endsWith('\n')).toBe(true);
      const userSig = stdout.trimEnd();
      expect(userSig).not.toContain('\n');
      const result = verifyUserSig(KEY, userSig, { sdkAppId, identifier });
      expect(result.ok).toBe(true);
      const decoded = decodeUserSig(userSig);
      expect(decoded.expire).toBe(expire);
      expect(decoded.time).toBeGreaterThanOrEqual(before);
      expect(decoded.sig).toBe(userSigHmac(KEY, { identifier, sdkAppId, time: decoded.time, expire }));
    }
  });

  it('defaults the validity to 86400 seconds', async () => {
    const { code, stdout } = await cli(['usersig', '--sdkappid', '1400000000', '--identifier', 'administrator']);
    expect(code).toBe(0);
    expect(decodeUserSig(stdout.trim()).expire).toBe(86400);
  });

  it('prints userSig, sdkAppId, identifier, time, expire and expiresAt with --json', async () => {
    const { code, stdout } = await cli(['usersig', '--sdkappid', '1400000000', '--identifier', 'administrator', '--expire', '600', '--json']);
    expect(code).toBe(0);
    const output = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(output)).toEqual(['userSig', 'sdkAppId', 'identifier', 'time', 'expire', 'expiresAt']);
    expect(output).toMatchObject({ sdkAppId: 1400000000, identifier: 'administrator', expire: 600 });
    expect(output['expiresAt']).toBe((output['time'] as number) + 600);
    const verified = verifyUserSig(KEY, output['userSig'] as string, { sdkAppId: 1400000000, identifier: 'administrator' });
    expect(verified).toMatchObject({ ok: true, expiresAt: output['expiresAt'] });
  });

  it('prints usage with an example and the default validity for --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout } = await cli(['usersig', flag], {});
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: chat-groups usersig [--sdkappid N] [--admin ID] [--expire SECONDS] [--json]');
      expect(stdout).toMatch(/--admin ID +app admin account .*\(default: \$TENCENT_CHAT_ADMIN\)/);
      expect(stdout).toContain('Example:');
      expect(stdout).toContain('default 86400');
      expect(stdout).toContain(SECRET_KEY_ENV);
    }
  });

  it.each([
    ['unset', {}],
    ['empty', { [SECRET_KEY_ENV]: '' }],
  ])('exits 2 and names the key environment variable when it is %s', async (_label, env) => {
    const { code, stdout, stderr } = await cli(['usersig', '--sdkappid', '1400000000', '--identifier', 'admin'], env);
    expect(code).toBe(ExitCode.usage);
    expect(stdout).toBe('');
    expect(stderr).toContain(SECRET_KEY_ENV);
  });

  it.each<[string, string[], RegExp]>([
    ['a missing --sdkappid', ['--identifier', 'a'], /--sdkappid/],
    ['--sdkappid in exponent form', ['--sdkappid', '1e9', '--identifier', 'a'], /--sdkappid must be a decimal integer from 1 to 4294967295/],
    ['--sdkappid with trailing letters', ['--sdkappid', '12abc', '--identifier', 'a'], /--sdkappid must be/],
    ['--sdkappid 0', ['--sdkappid', '0', '--identifier', 'a'], /--sdkappid must be/],
    ['--sdkappid above 2^32-1', ['--sdkappid', '4294967296', '--identifier', 'a'], /--sdkappid must be/],
    ['a negative --sdkappid', ['--sdkappid=-5', '--identifier', 'a'], /--sdkappid must be/],
    ['a fractional --sdkappid', ['--sdkappid', '1.0', '--identifier', 'a'], /--sdkappid must be/],
    ['a hex --sdkappid', ['--sdkappid', '0x10', '--identifier', 'a'], /--sdkappid must be/],
    ['a padded --sdkappid', ['--sdkappid', ' 1', '--identifier', 'a'], /--sdkappid must be/],
    ['--sdkappid without a value', ['--sdkappid'], /--sdkappid/],
    ['a missing admin', ['--sdkappid', '1'], /TENCENT_CHAT_ADMIN \(or --admin\) is not set/],
    ['an empty --identifier', ['--sdkappid', '1', '--identifier='], /--identifier must not be empty/],
    ['an empty --admin', ['--sdkappid', '1', '--admin='], /--admin must not be empty/],
    ['both --admin and its earlier name --identifier', ['--sdkappid', '1', '--admin', 'a', '--identifier', 'a'], /--identifier is the earlier name of --admin: give only one of them/],
    ['--expire 0', ['--sdkappid', '1', '--identifier', 'a', '--expire', '0'], /--expire must be a whole number of seconds from 1 to 1576800000/],
    ['--expire beyond 50 years', ['--sdkappid', '1', '--identifier', 'a', '--expire', '1576800001'], /--expire must be/],
    ['--expire in exponent form', ['--sdkappid', '1', '--identifier', 'a', '--expire', '1e3'], /--expire must be/],
    ['an unknown flag', ['--sdkappid', '1', '--identifier', 'a', '--region', 'sgp'], /--region/],
    ['a positional argument', ['--sdkappid', '1', '--identifier', 'a', 'extra'], /positional/],
  ])('exits 2 with a message naming the problem for %s', async (_label, args, message) => {
    const { code, stdout, stderr } = await cli(['usersig', ...args]);
    expect(code).toBe(ExitCode.usage);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: chat-groups usersig');
  });

  it('reads the SDKAppID and the admin from TENCENT_CHAT_SDKAPPID and TENCENT_CHAT_ADMIN, like every other command', async () => {
    const { code, stdout, stderr } = await cli(['usersig'], { [SECRET_KEY_ENV]: KEY, TENCENT_CHAT_SDKAPPID: '1400000001', TENCENT_CHAT_ADMIN: 'ops_admin' });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(verifyUserSig(KEY, stdout.trim(), { sdkAppId: 1400000001, identifier: 'ops_admin' }).ok).toBe(true);
  });

  it('lets --sdkappid and --admin override the environment', async () => {
    const env = { [SECRET_KEY_ENV]: KEY, TENCENT_CHAT_SDKAPPID: '1400000001', TENCENT_CHAT_ADMIN: 'ops_admin' };
    const { code, stdout } = await cli(['usersig', '--sdkappid', '1400000002', '--admin', 'administrator', '--json'], env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ sdkAppId: 1400000002, identifier: 'administrator' });
  });

  it('reports every bad setting at once, each by the flag or variable to fix and without its value', async () => {
    const { code, stdout, stderr } = await cli(['usersig', '--expire', '0'], { TENCENT_CHAT_SDKAPPID: 'app-1e9' });
    expect(code).toBe(ExitCode.usage);
    expect(stdout).toBe('');
    expect(stderr).toContain('4 problems, nothing was done:\n');
    expect(stderr).toContain('\n  TENCENT_CHAT_SDKAPPID must be a decimal integer from 1 to 4294967295\n');
    expect(stderr).toContain('\n  TENCENT_CHAT_ADMIN (or --admin) is not set');
    expect(stderr).toContain(`\n  ${SECRET_KEY_ENV} is not set`);
    expect(stderr).toContain('\n  --expire must be a whole number of seconds');
    expect(stderr).not.toContain('app-1e9');
  });

  it.each<[string, string[]]>([
    ['--secret-key <value>', ['--secret-key', KEY]],
    ['--secret-key=<value>', [`--secret-key=${KEY}`]],
    ['--key <value>', ['--key', KEY]],
    ['--key=<value>', [`--key=${KEY}`]],
    ['--secretkey <value>', ['--secretkey', KEY]],
  ])('refuses %s and says the key is read from the environment only', async (_label, flag) => {
    const { code, stderr } = await cli(['usersig', '--sdkappid', '1', '--identifier', 'a', ...flag], {});
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toContain(`environment variable ${SECRET_KEY_ENV} only`);
  });

  it('does not echo a secret pasted as a positional argument', async () => {
    const { code, stderr } = await cli(['usersig', '--sdkappid', '1', '--identifier', 'a', KEY]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toMatch(/positional/);
  });
});

describe('chat-groups dispatcher (in-process)', () => {
  it('lists the commands for --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout } = await cli([flag]);
      expect(code).toBe(ExitCode.ok);
      expect(stdout).toMatch(/Commands:\n\s+usersig\s+\S/);
    }
  });

  it('lists the commands on stderr and exits 2 when no command is given', async () => {
    const { code, stdout, stderr } = await cli([]);
    expect(code).toBe(ExitCode.usage);
    expect(stdout).toBe('');
    expect(stderr).toContain('usersig');
  });

  it('shows a command help for "help <command>"', async () => {
    const { code, stdout } = await cli(['help', 'usersig']);
    expect(code).toBe(ExitCode.ok);
    expect(stdout).toContain('Usage: chat-groups usersig');
  });

  it('exits 2 and names an unknown command', async () => {
    const { code, stderr } = await cli(['sandbox-typo']);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).toContain("unknown command 'sandbox-typo'");
    expect(stderr).toContain('--help');
  });

  it('does not echo an unknown command that does not look like a command name', async () => {
    const { code, stderr } = await cli([KEY.toUpperCase()]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr).not.toContain(KEY.toUpperCase());
  });

  it('runs any command added to the table and turns its thrown errors into exit code 1', async () => {
    const seen: string[][] = [];
    const table: Command[] = [
      { name: 'echo', summary: 'records argv', run: (argv) => (seen.push([...argv]), ExitCode.ok) },
      { name: 'boom', summary: 'always fails', run: () => Promise.reject(new Error('backend unreachable')) },
    ];
    expect((await cli(['echo', '--x', 'y'], {}, table)).code).toBe(ExitCode.ok);
    expect(seen).toEqual([['--x', 'y']]);
    const failed = await cli(['boom'], {}, table);
    expect(failed.code).toBe(ExitCode.failure);
    expect(failed.stderr).toContain('chat-groups boom: backend unreachable');
    expect((await cli(['--help'], {}, table)).stdout).toMatch(/echo\s+records argv\n\s+boom\s+always fails/);
  });
});

describe('chat-groups as a child process', () => {
  const run = (args: string[], env: Record<string, string>) => {
    const inherited = { ...process.env };
    delete inherited[SECRET_KEY_ENV];
    const [node, program] = cliCommand();
    const child = spawnSync(node, [program, ...args], { cwd: ROOT, env: { ...inherited, ...env }, encoding: 'utf8', timeout: 15_000 });
    expect(child.stdout).not.toContain(KEY);
    expect(child.stderr).not.toContain(KEY);
    return child;
  };

  it('prints a verifiable UserSig and exits 0', () => {
    const child = run(['usersig', '--sdkappid', '1400000000', '--admin', 'administrator', '--expire', '3600'], { [SECRET_KEY_ENV]: KEY });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const verified = verifyUserSig(KEY, child.stdout.trim(), { sdkAppId: 1400000000, identifier: 'administrator' });
    expect(verified.ok).toBe(true);
  });

  it('exits 2 and names the environment variable when the key is missing', () => {
    const child = run(['usersig', '--sdkappid', '1400000000', '--identifier', 'administrator'], {});
    expect(child.status).toBe(2);
    expect(child.stdout).toBe('');
    expect(child.stderr).toContain(SECRET_KEY_ENV);
  });
});
