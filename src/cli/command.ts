/** Anything with `write`, so tests can capture output in memory instead of spawning a process. */
export interface CliOutput {
  write(chunk: string): unknown;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Commands return these instead of calling process.exit, so they can run in-process. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface Command {
  /** What the user types after `chat-groups`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  run(argv: readonly string[], io: CliIo): ExitCode | Promise<ExitCode>;
}
