/**
 * Turns an entry of the command table into a command: parse its flags, answer `--help`, build the request
 * (build-request.ts) and resolve the settings before anything heavy is loaded, so `--help` and mistakes answer fast;
 * the client and the run itself (run.ts) are loaded only when there is something to send.
 */
import { operations, type OperationId } from '../../../generated/operations.js';
import type { ChatGroupsClientOptions } from '../../client/client.js';
import { ExitCode, type CliIo, type Command } from '../command.js';
import { bulkFlags, parseArgsOptions, parseFlags, requestFlags, settingFlags } from '../flags.js';
import { resolveSettings, secretFlagProblem, settingFlagValues, SETTINGS_ENV } from '../settings.js';
import { buildRequest, bulkSettings, callSettings, integerFlag } from './build-request.js';
import { USER_FIELD, type FlagValues, type OperationCommandSpec } from './entry.js';
import { operationHelp } from './help.js';

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
    const secretFlag = secretFlagProblem(argv);
    if (secretFlag !== undefined) return usageError(secretFlag);
    const parsed = parseFlags(argv, options);
    if (!parsed.ok) return usageError(parsed.message);
    const values = parsed.values as FlagValues;
    if (values['help'] === true) {
      io.stdout.write(operationHelp(spec, operationId, bulkCapable));
      return ExitCode.ok;
    }

    const call = callSettings(values);
    if (!call.ok) return usageError(call.message);
    const bulk = bulkCapable ? bulkSettings(values) : ({ ok: true, value: undefined } as const);
    if (!bulk.ok) return usageError(bulk.message);
    const built = await buildRequest(spec, operationId, values, bulk.value);
    if (!built.ok) return usageError(built.message);
    const request = built.value;

    const resolved = resolveSettings(settingFlagValues(values), io.env);
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
    const { executeOperation } = await import('./run.js');
    return executeOperation({ io, spec, operationId, request, clientOptions, endpointSetting: settings.endpointSetting, redisSetting: settings.redisSetting, backupSetting: settings.backupSetting, bulk: bulk.value, json: values['json'] === true, label });
  }

  return { name: spec.name, summary: spec.summary, section: API_SECTION, run };
}
