/**
 * Runs the real `chat-groups` program as a child process: the bundle of src/cli/main.ts that the global setup builds
 * once per run (global-setup.ts), started by `node` itself, with no wrapper process in between that a signal (SIGKILL
 * above all) would stop short of the program under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { REPO_ROOT } from '../../scripts/repo-root.js';
import { DEVELOPMENT_SECRET_KEY } from '../../src/sandbox/index.js';

/** The repository's root, where the program runs. */
export const ROOT = REPO_ROOT;

/** The command line that starts the program, before its arguments: `node <bundle>`. */
export function cliCommand(): [string, string] {
  return [process.execPath, inject('programs')['chat-groups']];
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  stdout(): string;
  stderr(): string;
}

/** The settings of the built-in sandbox app, as an operator would export them. */
export function sandboxEnv(baseUrl: string): Record<string, string> {
  return {
    TENCENT_CHAT_SDKAPPID: '1400000000',
    TENCENT_CHAT_ADMIN: 'administrator',
    TENCENT_CHAT_SECRET_KEY: DEVELOPMENT_SECRET_KEY,
    TENCENT_CHAT_BASE_URL: baseUrl,
  };
}

/** The parent's environment without any TENCENT_CHAT_* setting, so a developer's own settings never leak in. */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !entry[0].startsWith('TENCENT_CHAT_')),
  );
}

/**
 * How the program runs: permissions mean nothing to root, so when the tests run as root a test of an unreadable or
 * read-only file runs the program without the capabilities that override file permissions (`setpriv`, from
 * util-linux). It stays root rather than becoming another user, so the checkout and its node_modules stay readable
 * wherever they are (a checkout in a private folder is not readable by another user).
 */
export type RunAs = 'without-permission-override';

export const UNPRIVILEGED: RunAs | undefined = process.getuid?.() === 0 ? 'without-permission-override' : undefined;

const DROP_PERMISSION_OVERRIDE = ['setpriv', '--bounding-set', '-dac_override,-dac_read_search'];

export interface CliProcessOptions {
  readonly runAs?: RunAs | undefined;
  /**
   * The largest file the program may write, in blocks of `ulimit -f` (512 bytes in dash, 1,024 in bash): a write
   * past it fails with EFBIG, as one to a full disk fails with ENOSPC.
   */
  readonly fileSizeLimitBlocks?: number;
}

export function startCli(args: readonly string[], env: Record<string, string | undefined>, stdin?: string, options: CliProcessOptions = {}): RunningCli {
  const merged = { ...cleanEnv(), ...env };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const { runAs, fileSizeLimitBlocks } = options;
  // setpriv drops the capabilities and then becomes the program (exec), so signals still reach the program itself.
  const program = [...(runAs === undefined ? [] : DROP_PERMISSION_OVERRIDE), ...cliCommand(), ...args];
  // The shell sets the limit and then becomes the program (exec), so signals still reach the program itself.
  const [command, ...commandArgs] = (fileSizeLimitBlocks === undefined ? program : ['/bin/sh', '-c', `ulimit -f ${fileSizeLimitBlocks} && exec "$@"`, 'sh', ...program]) as [string, ...string[]];
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: merged as Record<string, string>,
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (stdin !== undefined) child.stdin?.end(stdin);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

export function runCli(args: readonly string[], env: Record<string, string | undefined>, stdin?: string, options?: CliProcessOptions): Promise<CliResult> {
  return startCli(args, env, stdin, options).done;
}
