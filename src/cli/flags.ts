/**
 * Everything about flags in one place: the strict parser every command uses, the flags the API commands share
 * (settings, request, call behaviour, output) and those of bulk runs, each with its help line so parsing and `--help`
 * come from the same list and cannot drift apart, the usage and help lines made from that list, and `--body`.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { regions } from '../../generated/regions.js';
import { fileProblem } from './file-problems.js';

export type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

type FlagValues<T extends ParseArgsOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>['values'];

export type FlagParseResult<T extends ParseArgsOptions> =
  | { readonly ok: true; readonly values: FlagValues<T> }
  | { readonly ok: false; readonly message: string };

/**
 * Strict `parseArgs` that reports problems as a message instead of throwing. Positional arguments are
 * never echoed: a user who pastes a secret where a flag belongs should not see it repeated in logs.
 */
export function parseFlags<T extends ParseArgsOptions>(argv: readonly string[], options: T): FlagParseResult<T> {
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return { ok: true, values };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      return { ok: false, message: 'unexpected positional argument; this command takes only --flags' };
    }
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      // Node's message names only the option, never its value.
      const { message } = error as Error;
      const suggestion = closestFlag(/^Unknown option '-{1,2}([^'=]+)'/.exec(message)?.[1], Object.keys(options));
      return { ok: false, message: suggestion === undefined ? message : `${message.replace(/\.( .*)?$/s, '')}: did you mean --${suggestion}?` };
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // Node's messages name only the option, never its value.
      return { ok: false, message: (error as Error).message };
    }
    throw error;
  }
}

/** Levenshtein distance: the fewest one-character insertions, deletions and substitutions from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known flag a mistyped `name` most likely meant: the nearest by edit distance, if it is near enough to be a
 * typo (at most 2 edits, and fewer than half the name's length), else undefined.
 */
export function closestFlag(name: string | undefined, known: readonly string[]): string | undefined {
  if (name === undefined || name === '') return undefined;
  let best: { flag: string; distance: number } | undefined;
  for (const flag of known) {
    const distance = editDistance(name.toLowerCase(), flag);
    if (best === undefined || distance < best.distance) best = { flag, distance };
  }
  return best !== undefined && best.distance <= 2 && best.distance * 2 < name.length ? best.flag : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The flag table

export interface FieldFlag {
  /** Without the dashes. */
  readonly name: string;
  /** The placeholder in help, e.g. `ID`; absent for a switch. */
  readonly value?: string;
  readonly help: string;
  /** May be given several times; the values arrive as an array. */
  readonly multiple?: boolean;
}

export interface FlagDoc extends FieldFlag {
  readonly short?: string;
  /** Must be on the command line (it has no environment default); usage lines show it without brackets. */
  readonly required?: boolean;
  /** An earlier name of the flag named here, still accepted; help lists it, usage lines leave it out. */
  readonly aliasOf?: string;
}

export const DEFAULT_CONCURRENCY = 16;

/** Regions for which no vendor page lists a backup domain: they fail over only to one the user names. */
function regionsWithoutBackup(): string[] {
  return Object.entries(regions).flatMap(([name, region]) => (region.backupUrl === null ? [name] : []));
}
export const DEFAULT_PROGRESS_INTERVAL_SECONDS = 10;

/** Who the calls are made as: all a UserSig needs besides the secret key. */
export const signingFlags: readonly FlagDoc[] = [
  { name: 'sdkappid', value: 'N', help: 'SDKAppID (default: $TENCENT_CHAT_SDKAPPID)' },
  { name: 'admin', value: 'ID', help: 'app admin account the calls are signed for (default: $TENCENT_CHAT_ADMIN)' },
];

/** Where the calls go. */
export const endpointFlags: readonly FlagDoc[] = [
  { name: 'region', value: 'NAME', help: `the app's data center: ${Object.keys(regions).join(', ')} (default: $TENCENT_CHAT_REGION)` },
  { name: 'base-url', value: 'URL', help: 'any other base URL, e.g. a local sandbox (default: $TENCENT_CHAT_BASE_URL)' },
];

export const settingFlags: readonly FlagDoc[] = [
  ...signingFlags,
  ...endpointFlags,
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

export const helpFlag: FlagDoc = { name: 'help', short: 'h', help: 'show this help' };

export const requestFlags: readonly FlagDoc[] = [
  { name: 'body', value: 'JSON|@FILE', help: 'the request body as JSON, or @file to read it; field flags are applied on top' },
  { name: 'json', help: 'print the full result as JSON on stdout (random, every attempt, the answer)' },
  { name: 'timeout-ms', value: 'MS', help: 'time each attempt may take (default 5000)' },
  { name: 'max-attempts', value: 'N', help: 'attempts per call, retries included; 1 turns retries off (default 4)' },
  helpFlag,
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

/** A flag as a usage line shows it: `--name VALUE`, in brackets when it is optional, `…` when it repeats. */
export function usageToken(flag: FieldFlag, optional: boolean): string {
  const token = `--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}${flag.multiple === true ? ' …' : ''}`;
  return optional ? `[${token}]` : token;
}

/**
 * `chat-groups NAME` and every flag of the table but help and earlier names, optional ones in brackets; `more` (such
 * as `[options]`) stands for flags listed only in the help.
 */
export function usageLine(command: string, flags: readonly FlagDoc[], more?: string): string {
  const tokens = flags.filter((flag) => flag.name !== helpFlag.name && flag.aliasOf === undefined).map((flag) => usageToken(flag, flag.required !== true));
  return [`chat-groups ${command}`, ...tokens, ...(more === undefined ? [] : [more])].join(' ');
}

/**
 * The values with each earlier name's value moved to the flag it is now called, and a problem for each flag given
 * under both names (the values are not compared: saying which one wins is the user's call).
 */
export function mergeAliases(
  values: Readonly<Record<string, unknown>>,
  flags: readonly FlagDoc[],
): { readonly values: Record<string, unknown>; readonly problems: readonly string[] } {
  const merged: Record<string, unknown> = { ...values };
  const problems: string[] = [];
  for (const flag of flags) {
    if (flag.aliasOf === undefined || merged[flag.name] === undefined) continue;
    if (merged[flag.aliasOf] !== undefined) problems.push(`--${flag.name} is the earlier name of --${flag.aliasOf}: give only one of them`);
    else merged[flag.aliasOf] = merged[flag.name];
    delete merged[flag.name];
  }
  return { values: merged, problems };
}

/** Aligned `--name VALUE  help` lines. */
export function flagLines(flags: readonly FlagDoc[]): string[] {
  const left = (flag: FlagDoc): string =>
    `${flag.short === undefined ? '' : `-${flag.short}, `}--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}${flag.multiple === true ? ' …' : ''}`;
  const width = Math.max(...flags.map((flag) => left(flag).length));
  return flags.map((flag) => `  ${left(flag).padEnd(width)}  ${flag.help}`);
}

// ---------------------------------------------------------------------------------------------------------------
// --body

/** `--body JSON` or `--body @FILE`: a request body given whole, for fields no flag covers. */
export type BodyResult = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly message: string };

export async function readBodyFlag(value: string): Promise<BodyResult> {
  let text = value;
  if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      return { ok: false, message: fileProblem('--body', `@${path}`, 'read', error) };
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which is not repeated: it could be a secret pasted by mistake.
    return { ok: false, message: '--body is not valid JSON (in a shell, put it in single quotes)' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: '--body must be a JSON object' };
  return { ok: true, body: body as Record<string, unknown> };
}
