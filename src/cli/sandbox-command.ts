import process from 'node:process';
// Types only at the top: the sandbox is loaded when this command runs, so other commands do not pay for it at start-up.
import type { Fixture, RunningSandbox, SandboxTimeouts } from '../sandbox/index.js';
import { ExitCode, reportUsageError, type CliIo, type Command } from './command.js';
import { parseFlags } from './flags.js';
import { SECRET_KEY_ENV } from './settings.js';

export const DEFAULT_SANDBOX_PORT = 4012;
const DEFAULT_HOST = '127.0.0.1';
const MAX_PORT = 65_535;

const USAGE =
  'chat-groups sandbox [--port N] [--host ADDR] [--fixture FILE] [--rate-limit N|off] [--allow-faults] [--headers-timeout MS] [--body-timeout MS] [--request-timeout MS] [--keep-alive-timeout MS] [--max-state-bytes N]';

type SandboxModule = typeof import('../sandbox/index.js');

/** Built from the sandbox module's defaults, loaded only when the help is asked for. */
const help = ({ DEFAULT_TIMEOUTS, DEFAULT_MAX_STATE_BYTES, maxNestingDepth, gatewayCodes }: SandboxModule): string => `Usage: ${USAGE}

Runs a local stand-in for the conversation-group REST API: the same paths, signing, checks and error codes as the
vendor documents, with state (a deleted group is gone), a per-API rate limit and optional fault injection.

The secret key that verifies UserSigs is read from ${SECRET_KEY_ENV}. When it is unset, a fixed, public
development key is used and printed (it is not a secret and protects nothing).

Options:
  --port N              port to listen on, 0 for any free port (default ${DEFAULT_SANDBOX_PORT})
  --host ADDR           address to listen on (default ${DEFAULT_HOST}, loopback only)
  --fixture FILE        JSON data set: {"sdkAppId", "admins", "edition", "users"}; default: a built-in example set
  --rate-limit N|off    calls per API per second before the rate-limit error (default: each API's documented limit), or off
  --allow-faults        enable the fault-injection API under /__sandbox/faults (off by default)
  --headers-timeout MS  time a client has to send the request headers (default ${DEFAULT_TIMEOUTS.headersMs})
  --body-timeout MS     time from the headers to the end of the body; later: 408 and the connection closed (default ${DEFAULT_TIMEOUTS.bodyMs})
  --request-timeout MS  time for the whole request, headers and body (default ${DEFAULT_TIMEOUTS.requestMs})
  --keep-alive-timeout MS
                        how long an idle keep-alive connection stays open (default ${DEFAULT_TIMEOUTS.keepAliveMs})
  --max-state-bytes N   bound on the sandbox's data (an estimate of its memory); a change that could exceed it
                        gets ${gatewayCodes.stateFull} and changes nothing (default ${DEFAULT_MAX_STATE_BYTES})
  -h, --help            show this help

Bodies must be UTF-8 JSON (${gatewayCodes.bodyNotJson} otherwise) nested at most ${maxNestingDepth} levels deep (the bad-request code
otherwise); fields the document does not declare are ignored and never stored.

Stops gracefully on SIGINT (Ctrl+C) or SIGTERM: calls in flight finish, keep-alive connections close.
A second Ctrl+C stops at once.
`;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  fixture: { type: 'string' },
  'rate-limit': { type: 'string' },
  'allow-faults': { type: 'boolean' },
  'headers-timeout': { type: 'string' },
  'body-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'max-state-bytes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

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
  const usageError = (message: string): ExitCode => reportUsageError(io, 'sandbox', USAGE, message);
  const parsed = parseFlags(argv, FLAGS);
  if (!parsed.ok) return usageError(parsed.message);
  const flags = parsed.values;
  const sandboxModule = await import('../sandbox/index.js');
  if (flags.help === true) {
    io.stdout.write(help(sandboxModule));
    return ExitCode.ok;
  }
  const { DEFAULT_TIMEOUTS, DEVELOPMENT_SECRET_KEY, FixtureError, loadFixtureFile, startSandbox } = sandboxModule;

  const port = flags.port === undefined ? DEFAULT_SANDBOX_PORT : PORT.test(flags.port) ? Number(flags.port) : undefined;
  if (port === undefined || port > MAX_PORT) return usageError(`--port must be an integer from 0 to ${MAX_PORT}`);
  const rateLimitFlag = flags['rate-limit'];
  let rateLimit: number | 'off' | undefined;
  if (rateLimitFlag === 'off') rateLimit = 'off';
  else if (rateLimitFlag !== undefined) {
    if (!POSITIVE.test(rateLimitFlag)) return usageError('--rate-limit must be a positive integer (calls per second per API) or off');
    rateLimit = Number(rateLimitFlag);
  }

  const timeouts: { -readonly [Name in keyof SandboxTimeouts]?: number } = {};
  for (const [flag, setting] of Object.entries(TIMEOUT_FLAGS) as [keyof typeof TIMEOUT_FLAGS, keyof SandboxTimeouts][]) {
    const value = flags[flag];
    if (value === undefined) continue;
    if (!POSITIVE.test(value) || Number(value) > MAX_TIMEOUT_MS) return usageError(`--${flag} must be an integer number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
    timeouts[setting] = Number(value);
  }
  const headersMs = timeouts.headersMs ?? DEFAULT_TIMEOUTS.headersMs;
  const requestMs = timeouts.requestMs ?? DEFAULT_TIMEOUTS.requestMs;
  if (headersMs > requestMs) return usageError(`--headers-timeout (${headersMs}) must not exceed --request-timeout (${requestMs})`);
  const maxStateFlag = flags['max-state-bytes'];
  if (maxStateFlag !== undefined && !/^[1-9][0-9]{0,14}$/.test(maxStateFlag)) return usageError('--max-state-bytes must be a positive integer');

  let fixture: Fixture | undefined;
  if (flags.fixture !== undefined) {
    try {
      fixture = await loadFixtureFile(flags.fixture);
    } catch (error) {
      if (error instanceof FixtureError) return usageError(error.message);
      throw error;
    }
  }

  const secretKey = io.env[SECRET_KEY_ENV];
  const configuredKey = secretKey !== undefined && secretKey.length > 0 ? secretKey : undefined;
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({
      host: flags.host ?? DEFAULT_HOST,
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
    io.stderr.write(`chat-groups sandbox: cannot listen on ${flags.host ?? DEFAULT_HOST}:${port}: ${code ?? (error as Error).message}\n`);
    return ExitCode.failure;
  }

  io.stdout.write(describe(sandbox, flags.fixture, DEVELOPMENT_SECRET_KEY));
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
          `  sign with:  ${SECRET_KEY_ENV}=${developmentKey} chat-groups usersig --sdkappid ${snapshot.sdkAppId} --identifier ${snapshot.admins[0] ?? ''}`,
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
  name: 'sandbox',
  summary: 'Run a local, stateful stand-in for the conversation-group REST API',
  run,
};
