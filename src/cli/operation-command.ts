/**
 * Turns an entry of the command table into a command: its flags, help, request and settings are checked here, before
 * anything heavy is loaded, so `--help` and mistakes answer fast; the client and the run itself live in
 * `operation-execution.ts`, loaded only when there is something to send.
 */
import { operations, type OperationId } from '../../generated/operations.js';
import type { ChatGroupsClientOptions } from '../client/client.js';
import { validateRequest, type Violation } from '../validate.js';
import { bulkFlags, DEFAULT_CONCURRENCY, DEFAULT_PROGRESS_INTERVAL_SECONDS, parseArgsOptions, requestFlags, settingFlags } from './api-flags.js';
import { readBodyFlag } from './body-flag.js';
import { ExitCode, type CliIo, type Command } from './command.js';
import { resolveSettings, SETTINGS_ENV } from './connection-settings.js';
import { parseFlags } from './flags.js';
import { operationHelp } from './operation-help.js';
import { FlagError, text, USER_FIELD, type FlagValues, type OperationCommandSpec } from './operation-spec.js';
import { SECRET_FLAG } from './usersig-command.js';
import type { Shard } from './bulk/shard.js';

interface ObjectSchema {
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly oneOf?: readonly ObjectSchema[];
}

/** Whether the operation acts for one user named in the body (in every variant of it), which a bulk run varies. */
export function takesUser(operationId: OperationId): boolean {
  const hasUser = (schema: ObjectSchema): boolean =>
    schema.oneOf !== undefined && schema.oneOf.length > 0
      ? schema.oneOf.every(hasUser)
      : schema.properties !== undefined && Object.hasOwn(schema.properties, USER_FIELD);
  return hasUser(operations[operationId].requestSchema as ObjectSchema);
}

/** The overview's heading for the commands made from the spec's operations. */
export const API_SECTION = 'Conversation-group API (one command per operation of the spec)';

const POSITIVE = /^[1-9][0-9]{0,9}$/;
const SECONDS = /^(?:[0-9]{1,5}(?:\.[0-9]{1,3})?)$/;

interface CallSettings {
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
}

export interface BulkSettings {
  readonly usersPath: string;
  readonly resultsPath: string;
  readonly concurrency: number;
  readonly rate: number | 'off' | undefined;
  readonly progressIntervalMs: number;
  readonly retryFailed: boolean;
  /** Part `index` of `count` of the users (both from 1); undefined for all of them. */
  readonly shard: Shard | undefined;
}

const SHARD = /^([1-9][0-9]{0,3})\/([1-9][0-9]{0,3})$/;
const MAX_SHARDS = 1000;

function shardFlag(values: FlagValues): Checked<Shard | undefined> {
  const value = values['shard'];
  if (typeof value !== 'string') return { ok: true, value: undefined };
  const match = SHARD.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || index > count || count > MAX_SHARDS) {
    return { ok: false, message: `--shard must be K/N with 1 <= K <= N <= ${MAX_SHARDS}, e.g. 2/4 (shard 2 of 4)` };
  }
  return { ok: true, value: { index, count } };
}

type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function integerFlag(values: FlagValues, name: string, max: number): Checked<number | undefined> {
  const value = values[name];
  if (typeof value !== 'string') return { ok: true, value: undefined };
  if (!POSITIVE.test(value) || Number(value) > max) return { ok: false, message: `--${name} must be an integer from 1 to ${max}` };
  return { ok: true, value: Number(value) };
}

function callSettings(values: FlagValues): Checked<CallSettings> {
  const timeout = integerFlag(values, 'timeout-ms', 2_147_483_647);
  if (!timeout.ok) return timeout;
  const attempts = integerFlag(values, 'max-attempts', 100);
  if (!attempts.ok) return attempts;
  return {
    ok: true,
    value: { ...(timeout.value === undefined ? {} : { timeoutMs: timeout.value }), ...(attempts.value === undefined ? {} : { maxAttempts: attempts.value }) },
  };
}

function bulkSettings(values: FlagValues): Checked<BulkSettings | undefined> {
  const usersPath = values['users-file'];
  if (typeof usersPath !== 'string') {
    const stray = bulkFlags.find((flag) => values[flag.name] !== undefined);
    return stray === undefined ? { ok: true, value: undefined } : { ok: false, message: `--${stray.name} belongs to a bulk run: add --users-file FILE (or - for stdin)` };
  }
  if (values['user'] !== undefined) return { ok: false, message: 'give either --user (one user) or --users-file (a bulk run), not both' };
  const resultsPath = values['results'];
  if (typeof resultsPath !== 'string') {
    return { ok: false, message: 'a bulk run needs --results FILE: the record of what was done, which a crashed or stopped run resumes from' };
  }
  const concurrency = integerFlag(values, 'concurrency', 1000);
  if (!concurrency.ok) return concurrency;
  let rate: number | 'off' | undefined;
  const rateFlag = values['rate'];
  if (rateFlag === 'off') rate = 'off';
  else if (typeof rateFlag === 'string') {
    if (!POSITIVE.test(rateFlag)) return { ok: false, message: '--rate must be a positive integer (calls per second) or off' };
    rate = Number(rateFlag);
  }
  const shard = shardFlag(values);
  if (!shard.ok) return shard;
  const interval = values['progress-interval'];
  if (typeof interval === 'string' && (!SECONDS.test(interval) || Number(interval) <= 0)) {
    return { ok: false, message: '--progress-interval must be a number of seconds above 0' };
  }
  return {
    ok: true,
    value: {
      usersPath,
      resultsPath,
      concurrency: concurrency.value ?? DEFAULT_CONCURRENCY,
      rate,
      progressIntervalMs: (typeof interval === 'string' ? Number(interval) : DEFAULT_PROGRESS_INTERVAL_SECONDS) * 1000,
      retryFailed: values['retry-failed'] === true,
      shard: shard.value,
    },
  };
}

/**
 * A violation, led by the flag that sets its field: the table maps field paths (any index written `[0]`) to flags,
 * and the longest path that is the field or contains it wins.
 */
function describeViolation(violation: Violation, fieldFlags: Readonly<Record<string, string>>): string {
  const field = violation.field.replace(/\[\d+\]/g, '[0]');
  let best: string | undefined;
  for (const path of Object.keys(fieldFlags)) {
    const covers = field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`);
    if (covers && (best === undefined || path.length > best.length)) best = path;
  }
  return best === undefined ? violation.message : `${fieldFlags[best]}: ${violation.message}`;
}

export function operationCommand(spec: OperationCommandSpec, operationId: OperationId): Command {
  const bulkCapable = takesUser(operationId);
  const flagDocs = [...spec.flags, ...settingFlags, ...requestFlags, ...(bulkCapable ? bulkFlags : [])];
  const options = parseArgsOptions(flagDocs);
  const label = `chat-groups ${spec.name}`;

  async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
    const usageError = (message: string): ExitCode => {
      io.stderr.write(`${label}: ${message}\nRun '${label} --help' for the flags and an example.\n`);
      return ExitCode.usage;
    };
    if (argv.some((arg) => SECRET_FLAG.test(arg))) {
      return usageError('the secret key cannot be passed as a flag; it is read from the environment variable TENCENT_CHAT_SECRET_KEY only');
    }
    const parsed = parseFlags(argv, options);
    if (!parsed.ok) return usageError(parsed.message);
    const values = parsed.values as FlagValues;
    if (values['help'] === true) {
      io.stdout.write(operationHelp(spec, operationId, bulkCapable));
      return ExitCode.ok;
    }

    let request: Record<string, unknown> = {};
    const bodyFlag = values['body'];
    if (typeof bodyFlag === 'string') {
      const body = await readBodyFlag(bodyFlag);
      if (!body.ok) return usageError(body.message);
      request = body.body;
    }
    try {
      request = { ...request, ...spec.body(values) };
    } catch (error) {
      if (error instanceof FlagError) return usageError(error.message);
      throw error;
    }

    const call = callSettings(values);
    if (!call.ok) return usageError(call.message);
    const bulk = bulkCapable ? bulkSettings(values) : ({ ok: true, value: undefined } as const);
    if (!bulk.ok) return usageError(bulk.message);
    if (bulk.value !== undefined && Object.hasOwn(request, USER_FIELD)) {
      return usageError(`in a bulk run each user of --users-file is the ${USER_FIELD}; leave it out of --body`);
    }

    // A bulk request is checked once, for a stand-in user, so a bad flag stops the run before its first call.
    const violations = validateRequest(operationId, bulk.value === undefined ? request : { [USER_FIELD]: 'user', ...request });
    if (violations.length > 0) {
      const lines = violations.map((violation) => `  ${describeViolation(violation, spec.fieldFlags)}`);
      return usageError(`the request breaks the spec, so nothing was sent:\n${lines.join('\n')}`);
    }

    const resolved = resolveSettings(
      {
        sdkappid: text(values, 'sdkappid'),
        admin: text(values, 'admin'),
        region: text(values, 'region'),
        'base-url': text(values, 'base-url'),
        redis: text(values, 'redis'),
        'backup-url': text(values, 'backup-url'),
      },
      io.env,
    );
    if (!resolved.ok) {
      return usageError(`cannot call the API:\n${resolved.problems.map((problem) => `  ${problem}`).join('\n')}`);
    }
    const settings = resolved.settings;
    const fleetSize = integerFlag(values, 'fleet-size', 1000);
    if (!fleetSize.ok) return usageError(fleetSize.message);
    if (fleetSize.value !== undefined && settings.redisUrl === undefined) {
      return usageError(`--fleet-size goes with --redis (or ${SETTINGS_ENV.redisUrl}): it sets each process's share while Redis is down`);
    }
    // A sharded run is a fleet of its shards: each keeps to 1/N of the quota while Redis is down.
    const fleetSizeOption = fleetSize.value ?? bulk.value?.shard?.count;
    const clientOptions: ChatGroupsClientOptions = {
      sdkAppId: settings.sdkAppId,
      identifier: settings.identifier,
      secretKey: settings.secretKey,
      ...settings.endpoint,
      ...(settings.backupUrl === undefined ? {} : { backupBaseUrl: settings.backupUrl }),
      ...(call.value.timeoutMs === undefined ? {} : { timeoutMs: call.value.timeoutMs }),
      ...(call.value.maxAttempts === undefined ? {} : { retry: { maxAttempts: call.value.maxAttempts } }),
      ...(settings.redisUrl === undefined
        ? {}
        : { redis: settings.redisUrl, ...(fleetSizeOption === undefined ? {} : { fleetSize: fleetSizeOption }) }),
      ...(bulk.value === undefined
        ? {}
        : {
            maxConcurrency: bulk.value.concurrency,
            ...(bulk.value.rate === undefined ? {} : { rateLimit: { [operationId]: bulk.value.rate } }),
          }),
    } as ChatGroupsClientOptions;
    const { executeOperation } = await import('./operation-execution.js');
    return executeOperation({ io, spec, operationId, request, clientOptions, endpointSetting: settings.endpointSetting, redisSetting: settings.redisSetting, backupSetting: settings.backupSetting, bulk: bulk.value, json: values['json'] === true, label });
  }

  return { name: spec.name, summary: spec.summary, section: API_SECTION, run };
}
