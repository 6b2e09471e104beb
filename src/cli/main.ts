#!/usr/bin/env node
import process from 'node:process';
import { commands } from './commands.js';
import { runCli } from './dispatch.js';

process.exitCode = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env },
  commands,
);
