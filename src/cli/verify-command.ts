/**
 * `chat-groups verify-contract`: the contract check of the document against the user's own app (see
 * src/verify/). It prints the plan before any call, stops there with --dry-run, and on Ctrl-C stops between calls,
 * cleans up and reports; a second Ctrl-C quits at once, naming what may be left.
 */
import process from 'node:process';
import type { ChatGroupsClientOptions } from '../client/client.js';
import { endpointFlags, flagLines, helpFlag, parseArgsOptions, parseFlags, signingFlags, usageLine, type FlagDoc } from './flags.js';
import { watchStopSignals } from './bulk/stop-signals.js';
import { ExitCode, problemsMessage, reportUsageError, type CliIo, type Command } from './command.js';
import { resolveApiSettings, secretFlagProblem, settingFlagValues } from './settings.js';
import { SETTINGS_HELP } from './operations/help.js';
// The check itself is loaded once the flags have passed, so other commands do not pay for it at start-up.
import { DEFAULT_VERIFY_RATE, MAX_VERIFY_RATE } from '../verify/rate.js';

const NAME = 'verify-contract';
const ownFlags: readonly FlagDoc[] = [
  { name: 'users', value: 'OWNER,PEER', required: true, help: 'two existing test users: groups and marks are made and removed for OWNER, on its conversation with PEER' },
  { name: 'rate', value: 'N', help: `calls per second per operation (default ${DEFAULT_VERIFY_RATE}, at most ${MAX_VERIFY_RATE})` },
  { name: 'probe-rate-limit', help: 'also probe which code a call over the documented rate gets, by going over it once' },
  { name: 'dry-run', help: 'print the plan and stop before any call' },
  { name: 'json', help: 'print the report as JSON on stdout (the plan and progress go to stderr)' },
];
// Only the settings the check reads: it calls the primary host alone (no failover, no shared Redis quota), so that
// every answer it judges comes from the service named in the plan.
const flags: readonly FlagDoc[] = [...ownFlags, ...signingFlags, ...endpointFlags, helpFlag];
const USAGE = usageLine(NAME, ownFlags, '[options]');

const HELP = `Usage: ${USAGE}

Checks that the app's service still answers as the document says: a scenario through all eight operations with
groups named after a run id, every answer checked against its answer schema and documented error codes, and a probe
of each inferred rule that can be tested safely (byte limits at the boundary, what an empty custom mark does, the
bit order of StandardMark...). Only the two users named are touched; both must exist (checked first). Everything the
run makes is removed afterwards, also after a failure or Ctrl-C, and anything left is named.

Options:
${flagLines(flags).join('\n')}

${SETTINGS_HELP}

Exit codes:
  0    nothing contradicted, every step ran, nothing left behind
  1    a rule was contradicted, a step could not run, or the cleanup left something (see the report)
  2    bad flags or settings, or a test user that cannot be used; nothing was changed
  130  stopped by Ctrl-C after cleaning up (143 for SIGTERM)

Example:
  chat-groups verify-contract --users test_owner,test_peer --dry-run

The JSON report is described in docs/verify-contract.md.
`;

const POSITIVE = /^[1-9][0-9]{0,5}$/;

function parseUsers(value: string | undefined): readonly [string, string] | string {
  if (value === undefined) return '--users is required: two existing test users, OWNER,PEER';
  const users = value.split(',').map((user) => user.trim());
  if (users.length !== 2 || users.some((user) => user === '')) return '--users must name exactly two users, OWNER,PEER';
  if (users[0] === users[1]) return '--users must name two different users';
  return [users[0] as string, users[1] as string];
}

async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const usageError = (message: string): ExitCode => reportUsageError(io, NAME, USAGE, message);
  const secretFlag = secretFlagProblem(argv);
  if (secretFlag !== undefined) return usageError(secretFlag);
  const parsed = parseFlags(argv, parseArgsOptions(flags));
  if (!parsed.ok) return usageError(parsed.message);
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values['help'] === true) {
    io.stdout.write(HELP);
    return ExitCode.ok;
  }
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const users = parseUsers(text('users'));
  let rate = DEFAULT_VERIFY_RATE;
  const rateFlag = text('rate');
  const rateProblem = rateFlag !== undefined && (!POSITIVE.test(rateFlag) || Number(rateFlag) > MAX_VERIFY_RATE);
  if (rateFlag !== undefined && !rateProblem) rate = Number(rateFlag);
  const resolved = resolveApiSettings(settingFlagValues(values), io.env);
  const problems = [
    ...(typeof users === 'string' ? [users] : []),
    ...(rateProblem ? [`--rate must be an integer from 1 to ${MAX_VERIFY_RATE}`] : []),
    ...(resolved.ok ? [] : resolved.problems),
  ];
  if (problems.length > 0 || typeof users === 'string' || !resolved.ok) return usageError(problemsMessage(problems));
  const { settings } = resolved;
  const json = values['json'] === true;
  const probeRateLimit = values['probe-rate-limit'] === true;
  const { contractPlan, newRunId, verifyContract } = await import('../verify/verify-contract.js');
  const runId = newRunId();
  const endpoint = 'region' in settings.endpoint ? `region ${settings.endpoint.region}` : settings.endpoint.baseUrl;
  const planOut = json ? io.stderr : io.stdout;
  planOut.write(contractPlan({ users, runId, rate, probeRateLimit, endpoint, admin: settings.identifier }));
  if (values['dry-run'] === true) {
    planOut.write('Dry run: nothing was sent.\n');
    return ExitCode.ok;
  }

  const connection = { sdkAppId: settings.sdkAppId, identifier: settings.identifier, secretKey: settings.secretKey, ...settings.endpoint } as ChatGroupsClientOptions;
  const { passed, reportJson, summaryText } = await import('../verify/report.js');
  const { ClientOptionsError } = await import('../errors.js');
  const stop = new AbortController();
  const signals = watchStopSignals(
    (signal) => {
      io.stderr.write(`chat-groups ${NAME}: ${signal}: stopping after the call in flight, then cleaning up (again to quit at once)\n`);
      stop.abort();
    },
    (signal) => {
      io.stderr.write(`chat-groups ${NAME}: ${signal} again: quitting without cleanup; groups of ${users[0]} named vc${runId}… and the marks of its conversation with ${users[1]} may be left\n`);
      process.exit(signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    },
  );
  try {
    const report = await verifyContract({
      connection,
      users,
      rate,
      probeRateLimit,
      runId,
      signal: stop.signal,
      onProgress: (line) => io.stderr.write(`  ${line}\n`),
    });
    io.stdout.write(json ? `${JSON.stringify(reportJson(report))}\n` : summaryText(report));
    if (report.refused !== undefined) return ExitCode.usage;
    if (report.interrupted) return signals.requested === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
    return passed(report) ? ExitCode.ok : ExitCode.failure;
  } catch (error) {
    if (error instanceof ClientOptionsError) return usageError(`${error.option === 'baseUrl' ? settings.endpointSetting : error.option} ${error.rule}`);
    throw error;
  } finally {
    signals.dispose();
  }
}

export const verifyCommand: Command = { name: NAME, summary: 'check the document against your app with two test users, and clean up', run };
