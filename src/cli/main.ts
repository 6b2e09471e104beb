#!/usr/bin/env node
import process from 'node:process';
import { commands } from './commands.js';
import { runCli } from './dispatch.js';

const code = await runCli(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    // Only a command that reads stdin (`--users-file -`) should open it.
    get stdin() {
      return process.stdin;
    },
  },
  commands,
);

/** Resolves once everything written so far has been handed to the operating system. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

// The command is finished: its output is written and its files are closed. What can still hold the process is an
// idle keep-alive connection of Node's fetch, which lingers for a while after the last call; nothing waits on it.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
