import { ExitCode, type CliIo, type Command } from './command.js';
import { BULK_OVERVIEW, EXIT_CODES_HELP, SETTINGS_HELP } from './operations/help.js';

const PROGRAM = 'chat-groups';

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const sections = new Map<string, Command[]>([['Commands:', []]]);
  for (const command of commands) {
    const heading = command.section === undefined ? 'Commands:' : `${command.section}:`;
    sections.set(heading, [...(sections.get(heading) ?? []), command]);
  }
  const lists = [...sections].flatMap(([heading, listed]) => [
    heading,
    ...listed.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
  ]);
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    ...lists,
    `Run '${PROGRAM} <command> --help' for a command's options and an example.`,
    '',
    BULK_OVERVIEW,
    '',
    SETTINGS_HELP,
    '',
    EXIT_CODES_HELP,
    '',
    'Example:',
    `  ${PROGRAM} delete-group --user alice --group work`,
    '',
  ].join('\n');
}

// Only names that look like commands are echoed back, so a mistyped secret is never repeated.
const COMMAND_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export async function runCli(argv: readonly string[], io: CliIo, commands: readonly Command[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(overview(commands));
    return ExitCode.usage;
  }
  if (name === '--help' || name === '-h') {
    io.stdout.write(overview(commands));
    return ExitCode.ok;
  }
  if (name === 'help') {
    const topic = commands.find((command) => command.name === rest[0]);
    if (topic !== undefined) return runCommand(topic, ['--help'], io);
    io.stdout.write(overview(commands));
    return ExitCode.ok;
  }

  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const shown = COMMAND_NAME.test(name) ? `'${name}'` : '(not shown)';
    io.stderr.write(`${PROGRAM}: unknown command ${shown}. Run '${PROGRAM} --help' for the list of commands.\n`);
    return ExitCode.usage;
  }
  return runCommand(command, rest, io);
}

async function runCommand(command: Command, argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    return await command.run(argv, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${PROGRAM} ${command.name}: ${message}\n`);
    return ExitCode.failure;
  }
}
