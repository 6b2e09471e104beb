import type { Readable } from 'node:stream';

/** Anything with `write`, so tests can capture output in memory instead of spawning a process. */
export interface CliOutput {
  write(chunk: string): unknown;
  /** True on a terminal: progress is then redrawn in place instead of printed as plain lines. */
  readonly isTTY?: boolean;
  /** Terminal width, when known; the progress line is kept within it. */
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where `--users-file -` reads from; absent in-process unless a test supplies one. */
  readonly stdin?: Readable;
}

/**
 * Commands return these instead of calling process.exit, so they can run in-process. Scripts branch on them, so a
 * value never changes meaning: 1 is always "the service said no", 3 always "no answer came back".
 */
export const ExitCode = {
  ok: 0,
  /** The service answered with a non-zero ErrorCode (for bulk runs: some user failed that way). */
  failure: 1,
  /** Bad flags, a bad setting or a request the spec refuses: nothing was sent. */
  usage: 2,
  /** No answer came back (connection, timeout, HTTP 5xx) after the client's retries. */
  network: 3,
  /**
   * A bulk run stopped taking users because none of them could succeed as things are: an ErrorCode that concerns
   * the whole app (a wrong key, an identifier that is not an app admin…), a host no call can reach, or a results
   * file that can no longer be written. Fix that, then resume.
   */
  stoppedEarly: 4,
  /** A bulk run stopped by Ctrl-C (SIGINT) after finishing the calls in flight: 128 + 2, as shells report it. */
  interrupted: 130,
  /** The same, stopped by SIGTERM: 128 + 15. */
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface Command {
  /** What the user types after `chat-groups`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The heading it is listed under in the overview; the tools without one are listed first, under "Commands:". */
  readonly section?: string;
  run(argv: readonly string[], io: CliIo): ExitCode | Promise<ExitCode>;
}

/**
 * Every problem found in a command line at once, so one fix-and-retry covers them all: one problem as it is, several
 * as an indented list (a problem of several lines keeps its own lines indented under it).
 */
export function problemsMessage(problems: readonly string[]): string {
  if (problems.length === 1) return problems[0] as string;
  return `${problems.length} problems, nothing was done:\n${problems.map((problem) => `  ${problem.replaceAll('\n', '\n  ')}`).join('\n')}`;
}

/** Reports bad usage the same way for every command: the problem, the usage line and where the help is. */
export function reportUsageError(io: CliIo, command: string, usage: string, message: string): ExitCode {
  io.stderr.write(`chat-groups ${command}: ${message}\nUsage: ${usage}\nRun 'chat-groups ${command} --help' for details.\n`);
  return ExitCode.usage;
}
