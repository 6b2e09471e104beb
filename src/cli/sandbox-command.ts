import process from 'node:process';
// Types only at the top: the sandbox is loaded when this command runs, so other commands do not pay for it at start-up.
import type { Fixture, RunningSandbox, SandboxTimeouts } from '../sandbox/index.js';
import { ExitCode, problemsMessage, reportUsageError, type CliIo, type Command } from './command.js';
import { flagLines, helpFlag, parseArgsOptions, parseFlags, usageLine, type FlagDoc } from './flags.js';
import { readSecretKey, SECRET_KEY_ENV, secretFlagProblem } from './settings.js';

export const DEFAULT_SANDBOX_PORT = 4012;
const DEFAULT_HOST = '127.0.0.1';
const MAX_PORT = 65_535;
const NAME = 'sandbox';

type SandboxModule = typeof import('../sandbox/index.js');

/** The flags, with defaults from the sandbox module (so the help cannot drift from what the sandbox does). */
function sandboxFlags({ DEFAULT_TIMEOUTS, DEFAULT_MAX_STATE_BYTES, gatewayCodes }: SandboxModule): readonly FlagDoc[] {
  return [
    { name: 'port', value: 'N', help: `port to listen on, 0 for any free port (default ${DEFAULT_SANDBOX_PORT})` },
    { name: 'host', value: 'ADDR', help: `address to listen on (default ${DEFAULT_HOST}, loopback only)` },
    { name: 'fixture', value: 'FILE', help: 'JSON data set: {"sdkAppId", "admins", "edition", "users"}; default: a built-in example set' },
    { name: 'rate-limit', value: 'N|off', help: "calls per API per second before the rate-limit error (default: each API's documented limit), or off" },
    { name: 'allow-faults', help: 'enable the fault-injection API under /__sandbox/faults (off by default)' },
    { name: 'headers-timeout', value: 'MS', help: `time a client has to send the request headers (default ${DEFAULT_TIMEOUTS.headersMs})` },
    { name: 'body-timeout', value: 'MS', help: `time from the headers to the end of the body; later: 408 and the connection closed (default ${DEFAULT_TIMEOUTS.bodyMs})` },
    { name: 'request-timeout', value: 'MS', help: `time for the whole request, headers and body (default ${DEFAULT_TIMEOUTS.requestMs})` },
    { name: 'keep-alive-timeout', value: 'MS', help: `how long an idle keep-alive connection stays open (default ${DEFAULT_TIMEOUTS.keepAliveMs})` },
    {
      name: 'max-state-bytes',
      value: 'N',
      help: `bound on the sandbox's data (an estimate of its memory); a change that could exceed it gets ${gatewayCodes.stateFull} and changes nothing (default ${DEFAULT_MAX_STATE_BYTES})`,
    },
    helpFlag,
  ];
}

function help(sandboxModule: SandboxModule, flags: readonly FlagDoc[]): string {
  const { maxNestingDepth, gatewayCodes } = sandboxModule;
  return `Usage: ${usageLine(NAME, flags)}

Runs a local stand-in for the conversation-group REST API: the same paths, signing, checks and error codes as the
vendor documents, with state (a deleted group is gone), a per-API rate limit and optional fault injection.

The secret key that verifies UserSigs is read from ${SECRET_KEY_ENV}. When it is unset, a fixed, public
development key is used and printed (it is not a secret and protects nothing).

Options:
${flagLines(flags).join('\n')}

Bodies must be UTF-8 JSON (${gatewayCodes.bodyNotJson} otherwise) nested at most ${maxNestingDepth} levels deep (the bad-request code
otherwise); fields the document does not declare are ignored and never stored.

Stops gracefully on SIGINT (Ctrl+C) or SIGTERM: calls in flight finish, keep-alive connections close.
A second Ctrl+C stops at once.
`;
}

/** Timeout flag → the sandbox's `timeouts` setting it fills. */
const TIMEOUT_FLAGS = {
  'headers-timeout': 'headersMs',
  'body-timeout': 'bodyMs',
  'request-timeout': 'requestMs',
  'keep-alive-timeout': 'keepAliveMs',
} as const satisfies Record<string, keyof SandboxTimeouts>;

const PORT = /^(0|[1-9][0-9]{0,4})$/;
const POSITIVE = /^[1-9][0-9]{0,8}$/;
const MAX_TIMEOUT_MS = 3_600_000;

async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  // Loaded before the flags are read: their help states the sandbox's own defaults.
  const sandboxModule = await import('../sandbox/index.js');
  const flagTable = sandboxFlags(sandboxModule);
  const usageError = (message: string): ExitCode => reportUsageError(io, NAME, usageLine(NAME, flagTable), message);
  const secretFlag = secretFlagProblem(argv);
  if (secretFlag !== undefined) return usageError(secretFlag);
  const parsed = parseFlags(argv, parseArgsOptions(flagTable));
  if (!parsed.ok) return usageError(parsed.message);
  const flags = parsed.values as Readonly<Record<string, string | boolean | undefined>>;
  if (flags['help'] === true) {
    io.stdout.write(help(sandboxModule, flagTable));
    return ExitCode.ok;
  }
  const { DEFAULT_TIMEOUTS, DEVELOPMENT_SECRET_KEY, FixtureError, loadFixtureFile, startSandbox } = sandboxModule;
  const text = (name: string): string | undefined => (typeof flags[name] === 'string' ? flags[name] : undefined);
  const problems: string[] = [];

  const portFlag = text('port');
  const port = portFlag === undefined ? DEFAULT_SANDBOX_PORT : PORT.test(portFlag) ? Number(portFlag) : undefined;
  if (port === undefined || port > MAX_PORT) problems.push(`--port must be an integer from 0 to ${MAX_PORT}`);
  const rateLimitFlag = text('rate-limit');
  let rateLimit: number | 'off' | undefined;
  if (rateLimitFlag === 'off') rateLimit = 'off';
  else if (rateLimitFlag !== undefined) {
    if (POSITIVE.test(rateLimitFlag)) rateLimit = Number(rateLimitFlag);
    else problems.push('--rate-limit must be a positive integer (calls per second per API) or off');
  }

  const timeouts: { -readonly [Name in keyof SandboxTimeouts]?: number } = {};
  const badTimeouts: string[] = [];
  for (const [flag, setting] of Object.entries(TIMEOUT_FLAGS) as [keyof typeof TIMEOUT_FLAGS, keyof SandboxTimeouts][]) {
    const value = text(flag);
    if (value === undefined) continue;
    if (POSITIVE.test(value) && Number(value) <= MAX_TIMEOUT_MS) timeouts[setting] = Number(value);
    else badTimeouts.push(`--${flag} must be an integer number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
  }
  problems.push(...badTimeouts);
  const headersMs = timeouts.headersMs ?? DEFAULT_TIMEOUTS.headersMs;
  const requestMs = timeouts.requestMs ?? DEFAULT_TIMEOUTS.requestMs;
  // Compared only once both are valid: a default standing in for a bad value would be blamed on the user.
  if (badTimeouts.length === 0 && headersMs > requestMs) problems.push(`--headers-timeout (${headersMs}) must not exceed --request-timeout (${requestMs})`);
  const maxStateFlag = text('max-state-bytes');
  if (maxStateFlag !== undefined && !/^[1-9][0-9]{0,14}$/.test(maxStateFlag)) problems.push('--max-state-bytes must be a positive integer');

  const fixtureFile = text('fixture');
  let fixture: Fixture | undefined;
  if (fixtureFile !== undefined) {
    try {
      fixture = await loadFixtureFile(fixtureFile);
    } catch (error) {
      if (!(error instanceof FixtureError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0 || port === undefined) return usageError(problemsMessage(problems));

  const configuredKey = readSecretKey(io.env);
  const host = text('host') ?? DEFAULT_HOST;
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({
      host,
      port,
      allowFaults: flags['allow-faults'] === true,
      ...(fixture === undefined ? {} : { fixture }),
      ...(configuredKey === undefined ? {} : { secretKey: configuredKey }),
      ...(rateLimit === undefined ? {} : { rateLimit }),
      timeouts,
      ...(maxStateFlag === undefined ? {} : { maxStateBytes: Number(maxStateFlag) }),
      onError: (error) => io.stderr.write(`chat-groups sandbox: error while answering a request: ${String(error)}\n`),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    io.stderr.write(`chat-groups sandbox: cannot listen on ${host}:${port}: ${code ?? (error as Error).message}\n`);
    return ExitCode.failure;
  }

  io.stdout.write(describe(sandbox, fixtureFile, DEVELOPMENT_SECRET_KEY));
  await waitForStopSignal();
  io.stderr.write('chat-groups sandbox: stopping (calls in flight finish first)…\n');
  await sandbox.close();
  return ExitCode.ok;
}

function describe(sandbox: RunningSandbox, fixtureFile: string | undefined, developmentKey: string): string {
  const snapshot = sandbox.state.snapshot();
  const userCount = Object.keys(snapshot.users).length;
  const limits = sandbox.rateLimits.map((limit) => `${limit.calls} calls per ${limit.windowMs === 1000 ? 'second' : `${limit.windowMs / 1000} s`}`);
  const rate = limits.length === 0 ? 'off' : `${[...new Set(limits)].join(', ')} per API`;
  return [
    `Sandbox listening on ${sandbox.url}`,
    `  SDKAppID:   ${snapshot.sdkAppId}`,
    `  admin:      ${snapshot.admins.join(', ')}`,
    ...(sandbox.usesDevelopmentKey
      ? [
          `  secret key: development key, public and not a secret (set ${SECRET_KEY_ENV} to use your own): ${developmentKey}`,
          `  sign with:  ${SECRET_KEY_ENV}=${developmentKey} chat-groups usersig --sdkappid ${snapshot.sdkAppId} --admin ${snapshot.admins[0] ?? ''}`,
        ]
      : [`  secret key: from ${SECRET_KEY_ENV} (not shown)`]),
    `  edition:    ${snapshot.edition}`,
    `  data:       ${fixtureFile === undefined ? 'built-in example data set' : fixtureFile} (${userCount} user${userCount === 1 ? '' : 's'})`,
    `  rate limit: ${rate}`,
    `  faults:     ${sandbox.faults === undefined ? 'off (start with --allow-faults to enable)' : `on: ${sandbox.url}/__sandbox/faults`}`,
    `  inspect:    ${sandbox.url}/__sandbox/state and ${sandbox.url}/__sandbox/deletions`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM; the handlers are removed then, so a second signal acts as usual. */
function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export const sandboxCommand: Command = {
  name: NAME,
  summary: 'Run a local, stateful stand-in for the conversation-group REST API',
  run,
};
