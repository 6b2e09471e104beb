/**
 * The part of an operation command that talks to the service, through the client only: one call (every page of a
 * paged read) with its report, or a bulk run. Loaded once the flags and settings have passed their checks.
 */
import { operations, type OperationId } from '../../../generated/operations.js';
import { createChatGroupsClient, type ChatGroupsClient, type ChatGroupsClientOptions } from '../../client/client.js';
import { ClientOptionsError } from '../../errors.js';
import { runBulk } from '../bulk/bulk-run.js';
import { callFacts, exitCodeOf, failedItems, performanceJson } from './report.js';
import { ExitCode, type CliIo } from '../command.js';
import type { BulkSettings } from './build-request.js';
import { networkAdvice } from '../network-advice.js';
import type { OperationCommandSpec } from './entry.js';
import { performOperation, type Performance } from './perform.js';
import type { LimiterEvent } from '../../client/flow/shared/limiter-events.js';

export interface OperationPlan {
  readonly io: CliIo;
  readonly spec: OperationCommandSpec;
  readonly operationId: OperationId;
  /** The request; for a bulk run without the user field. */
  readonly request: Readonly<Record<string, unknown>>;
  readonly clientOptions: ChatGroupsClientOptions;
  /** How to name the endpoint setting (`--base-url`, `TENCENT_CHAT_REGION`…) when the client refuses it. */
  readonly endpointSetting: string;
  /** How to name the Redis setting (`--redis` or TENCENT_CHAT_REDIS_URL). */
  readonly redisSetting: string;
  /** How to name the backup setting (`--backup-url` or `TENCENT_CHAT_BACKUP_URL`) when the client refuses it. */
  readonly backupSetting: string;
  readonly bulk: BulkSettings | undefined;
  readonly json: boolean;
  readonly label: string;
}

/** Client option → the flag or variable a user sets it with, for the client's own checks of them. */
function settingName(option: string, plan: OperationPlan): string {
  if (option === 'baseUrl') return plan.endpointSetting;
  if (option === 'redis') return plan.redisSetting;
  if (option === 'fleetSize') return '--fleet-size';
  if (option === 'backupBaseUrl') return plan.backupSetting;
  if (option.startsWith('rateLimit')) return '--rate';
  if (option === 'maxConcurrency') return '--concurrency';
  if (option === 'timeoutMs') return '--timeout-ms';
  if (option === 'retry.maxAttempts') return '--max-attempts';
  return option;
}

export async function executeOperation(plan: OperationPlan): Promise<ExitCode> {
  const { io, label } = plan;
  let client: ChatGroupsClient;
  try {
    client = createChatGroupsClient({ ...plan.clientOptions, ...limiterReport(plan) } as ChatGroupsClientOptions);
  } catch (error) {
    if (!(error instanceof ClientOptionsError)) throw error;
    io.stderr.write(`${label}: ${settingName(error.option, plan)} ${error.rule}\nRun '${label} --help' for the flags and an example.\n`);
    return ExitCode.usage;
  }

  try {
    return await execute(plan, client);
  } finally {
    await client.close();
  }
}

/** With a Redis, each switch between the shared window and the local share is told on stderr. */
function limiterReport(plan: OperationPlan): { onLimiter?: (event: LimiterEvent) => void } {
  if (plan.clientOptions.redis === undefined) return {};
  const onLimiter = (event: LimiterEvent): void => {
    plan.io.stderr.write(
      event.kind === 'shared'
        ? `${plan.label}: rate limit: shared with the fleet through Redis again\n`
        : event.reason === 'unreachable'
          ? `${plan.label}: rate limit: Redis unreachable (${event.cause ?? 'error'}); keeping to this process's share, ${event.share} per window (1/${event.fleetSize} of the quota)\n`
          : `${plan.label}: rate limit: Redis answers again; the fleet re-registers its calls, ${event.share} per window meanwhile\n`,
    );
  };
  return { onLimiter };
}

async function execute(plan: OperationPlan, client: ChatGroupsClient): Promise<ExitCode> {
  const { io, spec, operationId, request, bulk } = plan;
  if (bulk !== undefined) {
    const rate = bulk.rate ?? operations[operationId].rateLimit.calls;
    return runBulk({
      io,
      command: spec.name,
      operationId,
      template: request,
      paging: spec.paging,
      client,
      usersPath: bulk.usersPath,
      resultsPath: bulk.resultsPath,
      concurrency: bulk.concurrency,
      rateDescription: rate === 'off' ? 'no client rate limit' : `at most ${rate}/s`,
      progressIntervalMs: bulk.progressIntervalMs,
      retryFailed: bulk.retryFailed,
      shard: bulk.shard,
      json: plan.json,
      endpointSetting: plan.endpointSetting,
    });
  }

  const performed = await performOperation(client, operationId, request, spec.paging);
  report(plan, performed);
  return exitCodeOf(performed);
}

function report(plan: OperationPlan, performed: Performance): void {
  const { io, spec, request, json, label } = plan;
  if (json) io.stdout.write(`${JSON.stringify(performanceJson(spec.name, request, performed))}\n`);
  const { last } = performed;
  const facts = callFacts(performed);
  if (last.ok) {
    if (json) return;
    const data = performed.data ?? {};
    const text = spec.describe?.(data, request) ?? JSON.stringify(withoutEnvelope(data), null, 2);
    io.stdout.write(`${text}\n(${facts})\n`);
    if (performed.pagingProblem !== undefined) io.stderr.write(`${label}: incomplete: ${performed.pagingProblem}\n`);
    const failed = failedItems(performed);
    if (failed.length > 0) {
      const lines = failed.map((item) => `  ${item.path}: ${item.code} ${item.meaning}${item.info === '' ? '' : ` (${item.info})`}`);
      io.stderr.write(`${label}: partial success: ${failed.length} item${failed.length === 1 ? '' : 's'} failed:\n${lines.join('\n')}\n`);
    }
    return;
  }
  const { error } = last;
  switch (error.kind) {
    case 'unclear':
      if (!json) io.stdout.write(`Done, but perhaps not by this call: ${error.meaning}\n(${facts})\n`);
      return;
    case 'validation':
      io.stderr.write(`${label}: the request breaks the spec, so nothing was sent: ${error.message}\n`);
      return;
    case 'api':
    case 'unexpected-answer':
    case 'usersig':
      io.stderr.write(`${label}: ${error.message}\n(${facts})\n`);
      return;
    case 'network':
      io.stderr.write(`${label}: ${networkAdvice(error, plan)}\n${label}: ${error.message}\n(${facts})\n`);
      return;
  }
}

function withoutEnvelope(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { ActionStatus: _status, ErrorCode: _code, ErrorInfo: _info, ...rest } = data;
  return rest;
}
