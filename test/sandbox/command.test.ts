import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/dispatch.js';
import { sandboxCommand } from '../../src/cli/sandbox-command.js';
import { SECRET_KEY_ENV } from '../../src/cli/settings.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox } from '../../src/sandbox/index.js';
import { generateUserSig } from '../../src/usersig/usersig.js';
import { cliCommand, ROOT } from '../support/cli-process.js';

const DELETE_PATH = '/v4/recentcontact/del_contact_group';

interface Spawned {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  kill(signal: NodeJS.Signals): number;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function spawnSandbox(argv: string[], env: Record<string, string> = {}): Promise<Spawned> {
  const [node, program] = cliCommand();
  const child = spawn(node, [program, 'sandbox', ...argv], {
    cwd: ROOT,
    env: { ...process.env, [SECRET_KEY_ENV]: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  let killedAt = 0;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, afterMs: performance.now() - killedAt })),
  );
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /Sandbox listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] === undefined) return;
      clearInterval(poll);
      resolve({
        child,
        url: match[1],
        stdout: () => stdout,
        stderr: () => stderr,
        exit,
        kill: (signal) => {
          killedAt = performance.now();
          child.kill(signal);
          return killedAt;
        },
      });
    }, 20);
    void exit.then(({ code }) => {
      clearInterval(poll);
      reject(new Error(`the sandbox exited (${code}) before listening:\n${stdout}\n${stderr}`));
    });
  });
}

function signedUrl(base: string, secretKey = DEVELOPMENT_SECRET_KEY): string {
  const usersig = generateUserSig({ secretKey, sdkAppId: 1400000000, identifier: 'administrator', expireSeconds: 600 });
  return `${base}${DELETE_PATH}?sdkappid=1400000000&identifier=administrator&usersig=${usersig}&random=7&contenttype=json`;
}

async function errorCode(url: string, body: unknown): Promise<number> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  return ((await response.json()) as { ErrorCode: number }).ErrorCode;
}

async function inProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    ['sandbox', ...argv],
    { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) }, env: {} },
    [sandboxCommand],
  );
  return { code, stdout, stderr };
}

describe('chat-groups sandbox, as a process', () => {
  it('prints its URL, app and admin, labels the development key, serves calls, and exits 0 promptly on SIGTERM', async () => {
    const sandbox = await spawnSandbox(['--port', '0']);
    expect(sandbox.stdout()).toContain('SDKAppID:   1400000000');
    expect(sandbox.stdout()).toContain('admin:      administrator');
    expect(sandbox.stdout()).toContain(`development key, public and not a secret (set ${SECRET_KEY_ENV} to use your own): ${DEVELOPMENT_SECRET_KEY}`);
    expect(sandbox.stdout()).toContain('rate limit: 200 calls per second per API');
    expect(sandbox.stdout()).toContain(`sign with:  ${SECRET_KEY_ENV}=${DEVELOPMENT_SECRET_KEY} chat-groups usersig --sdkappid 1400000000 --admin administrator`);
    expect(await errorCode(signedUrl(sandbox.url), { From_Account: 'alice', GroupName: ['work'] })).toBe(0);

    sandbox.kill('SIGTERM');
    const exit = await sandbox.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.afterMs).toBeLessThan(2000);
  });

  it('finishes a call in flight before exiting on SIGINT', async () => {
    const sandbox = await spawnSandbox(['--port', '0', '--allow-faults']);
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ delayMs: 400 }) });
    const inFlight = errorCode(signedUrl(sandbox.url), { From_Account: 'alice', GroupName: ['work'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    sandbox.kill('SIGINT');
    expect(await inFlight).toBe(0);
    expect((await sandbox.exit).code).toBe(0);
  });

  it('verifies with the key from the environment and never prints it', async () => {
    const secretKey = 'a-real-looking-key-0123456789abcdef';
    const sandbox = await spawnSandbox(['--port', '0', '--rate-limit', 'off'], { [SECRET_KEY_ENV]: secretKey });
    expect(sandbox.stdout()).toContain(`secret key: from ${SECRET_KEY_ENV} (not shown)`);
    expect(sandbox.stdout()).toContain('rate limit: off');
    expect(await errorCode(signedUrl(sandbox.url, secretKey), { From_Account: 'carol', GroupName: ['x'] })).toBe(51009);
    expect(await errorCode(signedUrl(sandbox.url), { From_Account: 'carol', GroupName: ['x'] })).toBe(70009);
    sandbox.kill('SIGTERM');
    await sandbox.exit;
    expect(sandbox.stdout() + sandbox.stderr()).not.toContain(secretKey);
  });
});

describe('chat-groups sandbox, with its deadline flags', () => {
  it('answers 408 and closes the connection of a body that stalls past --body-timeout', async () => {
    const sandbox = await spawnSandbox(['--port', '0', '--body-timeout', '200']);
    const { hostname, port } = new URL(sandbox.url);
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(`POST ${new URL(signedUrl(sandbox.url)).pathname}${new URL(signedUrl(sandbox.url)).search} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"From_Account"`);
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    sandbox.kill('SIGTERM');
    await sandbox.exit;
  });
});

describe('chat-groups sandbox, refusing to start', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sandbox-cli-'));
  });
  afterAll(() => rm(directory, { recursive: true }));

  it('exits 2 naming the bad entry of a fixture file', async () => {
    const file = join(directory, 'bad.json');
    const users = { alice: { groups: { work: [{ Type: 1, To_Account: 'bob' }, { Type: 3, ToGroupId: '@TGS#1' }] } } };
    await writeFile(file, JSON.stringify({ sdkAppId: 1400000000, admins: ['administrator'], users }));
    const failed = spawnSandbox(['--port', '0', '--fixture', file]);
    await expect(failed).rejects.toThrow(/exited \(2\)/);
    await expect(failed).rejects.toThrow(`${file} is not a valid sandbox fixture:\n  - users.alice.groups.work[1].Type must be 1 or 2, got 3`);
  });

  it('exits 2 naming the file when the fixture is not JSON', async () => {
    const file = join(directory, 'not-json.json');
    await writeFile(file, 'users: alice');
    const run = await inProcess(['--fixture', file]);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain(`${file} is not a valid sandbox fixture:\n  - is not JSON`);
  });

  it.each([
    [['--rate-limit', '0'], '--rate-limit'],
    [['--rate-limit', 'fast'], '--rate-limit'],
    [['--port', '70000'], '--port'],
    [['--port', 'http'], '--port'],
    [['--verbose'], '--verbose'],
    [['--body-timeout', '0'], '--body-timeout'],
    [['--keep-alive-timeout', 'soon'], '--keep-alive-timeout'],
    [['--headers-timeout', '5000', '--request-timeout', '1000'], 'must not exceed --request-timeout'],
    [['--max-state-bytes', '-1'], '--max-state-bytes'],
  ])('exits 2 for %j', async (argv, named) => {
    const run = await inProcess(argv);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain(named);
  });

  it('reports every bad flag and the bad fixture at once, each by name, before starting', async () => {
    const file = join(directory, 'several.json');
    await writeFile(file, 'users: alice');
    const run = await inProcess(['--port', '70000', '--rate-limit', 'fast', '--body-timeout', '0', '--max-state-bytes=-1', '--fixture', file]);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('5 problems, nothing was done:\n');
    for (const named of ['--port must be', '--rate-limit must be', '--body-timeout must be', '--max-state-bytes must be', `${file} is not a valid sandbox fixture:\n    - is not JSON`]) {
      expect(run.stderr).toContain(`\n  ${named}`);
    }
  });

  it('refuses a secret key given as a flag and says it is read from the environment only', async () => {
    const run = await inProcess(['--secret-key', 'a-real-looking-key-0123456789abcdef']);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.stderr).toContain(`environment variable ${SECRET_KEY_ENV} only`);
    expect(run.stderr).not.toContain('a-real-looking-key');
  });

  it('shows optional flags in brackets in its usage line', async () => {
    const run = await inProcess(['--help']);
    expect(run.stdout.split('\n')[0]).toBe(
      'Usage: chat-groups sandbox [--port N] [--host ADDR] [--fixture FILE] [--rate-limit N|off] [--allow-faults] [--headers-timeout MS] [--body-timeout MS] [--request-timeout MS] [--keep-alive-timeout MS] [--max-state-bytes N]',
    );
  });

  it('exits 1 when the port is taken', async () => {
    const taken = await startSandbox();
    try {
      const run = await inProcess(['--port', String(taken.port)]);
      expect(run.code).toBe(ExitCode.failure);
      expect(run.stderr).toContain('EADDRINUSE');
    } finally {
      await taken.close();
    }
  });

  it('documents every flag in --help', async () => {
    const run = await inProcess(['--help']);
    expect(run.code).toBe(ExitCode.ok);
    for (const flag of ['--port', '--host', '--fixture', '--rate-limit', '--allow-faults', '--headers-timeout', '--body-timeout', '--request-timeout', '--keep-alive-timeout', '--max-state-bytes', SECRET_KEY_ENV]) {
      expect(run.stdout).toContain(flag);
    }
  });
});
