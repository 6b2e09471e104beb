/**
 * Building what an operation command sends from its flags, before anything is loaded or sent: the request (from
 * `--body` and the table's field flags), how each call behaves (`--timeout-ms`, `--max-attempts`) and, for a bulk
 * run, its settings; each mistake is named by its flag.
 */
import type { OperationId } from '../../../generated/operations.js';
import { validateRequest, type Violation } from '../../validate.js';
import type { Shard } from '../bulk/shard.js';
import { bulkFlags, DEFAULT_CONCURRENCY, DEFAULT_PROGRESS_INTERVAL_SECONDS, readBodyFlag } from '../flags.js';
import { FlagError, USER_FIELD, type FlagValues, type OperationCommandSpec } from './entry.js';

const POSITIVE = /^[1-9][0-9]{0,9}$/;
const SECONDS = /^(?:[0-9]{1,5}(?:\.[0-9]{1,3})?)$/;

export interface CallSettings {
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

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export function integerFlag(values: FlagValues, name: string, max: number): Checked<number | undefined> {
  const value = values[name];
  if (typeof value !== 'string') return { ok: true, value: undefined };
  if (!POSITIVE.test(value) || Number(value) > max) return { ok: false, message: `--${name} must be an integer from 1 to ${max}` };
  return { ok: true, value: Number(value) };
}

export function callSettings(values: FlagValues): Checked<CallSettings> {
  const timeout = integerFlag(values, 'timeout-ms', 2_147_483_647);
  if (!timeout.ok) return timeout;
  const attempts = integerFlag(values, 'max-attempts', 100);
  if (!attempts.ok) return attempts;
  return {
    ok: true,
    value: { ...(timeout.value === undefined ? {} : { timeoutMs: timeout.value }), ...(attempts.value === undefined ? {} : { maxAttempts: attempts.value }) },
  };
}

export function bulkSettings(values: FlagValues): Checked<BulkSettings | undefined> {
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

/**
 * The request: `--body` (whole), with the table's field flags on top. A bulk request is checked once, for a stand-in
 * user, so a bad flag stops the run before its first call; a violation is led by the flag that sets its field.
 */
export async function buildRequest(
  spec: OperationCommandSpec,
  operationId: OperationId,
  values: FlagValues,
  bulk: BulkSettings | undefined,
): Promise<Checked<Record<string, unknown>>> {
  let request: Record<string, unknown> = {};
  const bodyFlag = values['body'];
  if (typeof bodyFlag === 'string') {
    const body = await readBodyFlag(bodyFlag);
    if (!body.ok) return body;
    request = body.body;
  }
  try {
    request = { ...request, ...spec.body(values) };
  } catch (error) {
    if (error instanceof FlagError) return { ok: false, message: error.message };
    throw error;
  }
  if (bulk !== undefined && Object.hasOwn(request, USER_FIELD)) {
    return { ok: false, message: `in a bulk run each user of --users-file is the ${USER_FIELD}; leave it out of --body` };
  }
  const violations = validateRequest(operationId, bulk === undefined ? request : { [USER_FIELD]: 'user', ...request });
  if (violations.length > 0) {
    const lines = violations.map((violation) => `  ${describeViolation(violation, spec.fieldFlags)}`);
    return { ok: false, message: `the request breaks the spec, so nothing was sent:\n${lines.join('\n')}` };
  }
  return { ok: true, value: request };
}
