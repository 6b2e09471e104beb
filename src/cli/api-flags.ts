/**
 * The flags every API command shares (settings, request, call behaviour, output) and the flags of bulk runs, each
 * with its help line, so parsing and `--help` come from the same list and cannot drift apart.
 */
import type { ParseArgsConfig } from 'node:util';
import { regions } from '../../generated/regions.js';
import type { FieldFlag } from './operation-spec.js';

type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

export interface FlagDoc extends FieldFlag {
  readonly short?: string;
}

export const DEFAULT_CONCURRENCY = 16;

/** Regions for which no vendor page lists a backup domain: they fail over only to one the user names. */
function regionsWithoutBackup(): string[] {
  return Object.entries(regions).flatMap(([name, region]) => (region.backupUrl === null ? [name] : []));
}
export const DEFAULT_PROGRESS_INTERVAL_SECONDS = 10;

export const settingFlags: readonly FlagDoc[] = [
  { name: 'sdkappid', value: 'N', help: 'SDKAppID (default: $TENCENT_CHAT_SDKAPPID)' },
  { name: 'admin', value: 'ID', help: 'app admin account the calls are signed for (default: $TENCENT_CHAT_ADMIN)' },
  { name: 'region', value: 'NAME', help: `the app's data center: ${Object.keys(regions).join(', ')} (default: $TENCENT_CHAT_REGION)` },
  { name: 'base-url', value: 'URL', help: 'any other base URL, e.g. a local sandbox (default: $TENCENT_CHAT_BASE_URL)' },
  {
    name: 'redis',
    value: 'URL',
    help: "share the app's rate limit with every process naming this Redis, redis:// or rediss:// (default: $TENCENT_CHAT_REDIS_URL)",
  },
  { name: 'fleet-size', value: 'N', help: 'with --redis: processes sharing the quota; each keeps to 1/N of it while Redis is down (default: N of --shard, else 4)' },
  {
    name: 'backup-url',
    value: 'URL',
    help: `where to fail over to, beside --base-url or a region with no listed backup (${regionsWithoutBackup().join(', ')}) (default: $TENCENT_CHAT_BACKUP_URL)`,
  },
];

export const requestFlags: readonly FlagDoc[] = [
  { name: 'body', value: 'JSON|@FILE', help: 'the request body as JSON, or @file to read it; field flags are applied on top' },
  { name: 'json', help: 'print the full result as JSON on stdout (random, every attempt, the answer)' },
  { name: 'timeout-ms', value: 'MS', help: 'time each attempt may take (default 5000)' },
  { name: 'max-attempts', value: 'N', help: 'attempts per call, retries included; 1 turns retries off (default 4)' },
  { name: 'help', short: 'h', help: 'show this help' },
];

export const bulkFlags: readonly FlagDoc[] = [
  { name: 'users-file', value: 'FILE|-', help: 'one UserID a line (# comments and blank lines ignored); - reads stdin' },
  { name: 'results', value: 'FILE', help: 'NDJSON results, appended per user; run again with the same file to resume' },
  { name: 'concurrency', value: 'N', help: `calls in flight at once (default ${DEFAULT_CONCURRENCY})` },
  { name: 'rate', value: 'N|off', help: "calls per second (default: the operation's documented limit)" },
  { name: 'progress-interval', value: 'S', help: `seconds between progress lines when stderr is not a terminal (default ${DEFAULT_PROGRESS_INTERVAL_SECONDS})` },
  { name: 'retry-failed', help: 'on resume, also run again the users whose last result was a failure' },
  { name: 'shard', value: 'K/N', help: 'run only part K of N of the users (by SHA-256 of the UserID); each shard has its own --results file' },
];

export function parseArgsOptions(flags: readonly FlagDoc[]): ParseArgsOptions {
  return Object.fromEntries(
    flags.map((flag) => [
      flag.name,
      {
        type: flag.value === undefined ? 'boolean' : 'string',
        ...(flag.multiple === true ? { multiple: true } : {}),
        ...(flag.short === undefined ? {} : { short: flag.short }),
      },
    ]),
  ) as ParseArgsOptions;
}

/** Aligned `--name VALUE  help` lines. */
export function flagLines(flags: readonly FlagDoc[]): string[] {
  const left = (flag: FlagDoc): string =>
    `${flag.short === undefined ? '' : `-${flag.short}, `}--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}${flag.multiple === true ? ' …' : ''}`;
  const width = Math.max(...flags.map((flag) => left(flag).length));
  return flags.map((flag) => `  ${left(flag).padEnd(width)}  ${flag.help}`);
}
