/**
 * The options of `createChatGroupsClient`, their defaults, and the checks they pass before a client exists. A bad
 * option is refused by name and rule only: a value is never repeated, as it could be a secret in the wrong place.
 */
import { operations, type OperationId } from '../../generated/operations.js';
import { regions, type RegionName } from '../../generated/regions.js';
import { MAX_TIMER_MS, systemClock, type Clock } from './flow/clock.js';
import { ClientOptionsError } from '../errors.js';
import type { AttemptHook } from './events.js';
import type { LimiterHook } from './flow/shared/limiter-events.js';
import type { RateLimits } from './flow/gate.js';
import { defaultRetryPolicy, noRetryPolicy, type RetryOptions, type RetryPolicy } from './policy.js';
import type { SigningIdentity } from './signing.js';
import { MAX_SDKAPPID, MAX_USERSIG_EXPIRE_SECONDS } from '../usersig/usersig.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './answer-body.js';
import {
  createUserSigSource,
  DEFAULT_REFRESH_MARGIN_SECONDS,
  DEFAULT_USERSIG_EXPIRE_SECONDS,
  DEFAULT_USERSIG_TIMEOUT_MS,
  type UserSigProvider,
  type UserSigSource,
} from './usersig-source.js';

/** Above the vendor's own 3 s server-side timeout, so the service gets to answer a slow request with its own code. */
export const DEFAULT_TIMEOUT_MS = 5_000;
export { MAX_TIMER_MS } from './flow/clock.js';
/** The local share while Redis is unreachable is the quota divided by this many processes unless told otherwise. */
export const DEFAULT_FLEET_SIZE = 4;
export const MAX_FLEET_SIZE = 1000;
/** The shortest time an unanswered call counts in the shared window (a process that died never answers it). */
const MIN_LEASE_MS = 30_000;
/** A sliding window keeps one number per call of a window; this bounds that memory per operation. */
export const MAX_RATE_LIMIT = 100_000;

/** Calls per window for some operations; the others keep their documented limit. */
export type RateLimitPerOperation = { readonly [Op in OperationId]?: number | 'off' };

interface CommonOptions {
  /** The SDKAppID from the Chat console. */
  sdkAppId: number;
  /** An app admin account; the UserSig is issued for it. */
  identifier: string;
  /** With `secretKey`: the validity of each generated UserSig (default one day). */
  userSigExpireSeconds?: number;
  /** A UserSig is replaced this many seconds before it expires (default 300), so none expires on the way. */
  userSigRefreshMarginSeconds?: number;
  /**
   * With `userSig`: how long the provider may take to return a UserSig (default 10000 ms). A call whose provider
   * takes longer ends with a UserSigError (reason `timeout`), nothing sent; the next call asks the provider again.
   * The call's `signal` ends the wait too.
   */
  userSigTimeoutMs?: number;
  /**
   * Sends the requests (default: the global fetch). It is called as `fetch(request, { signal })`; a fetch that
   * ignores `init.signal` cannot be aborted, but its attempts still end at their timeout or the caller's abort.
   */
  fetch?: typeof globalThis.fetch;
}

interface ResilienceOptions {
  /**
   * The client-side limit in calls per operation and window (the window is the operation's documented one,
   * `x-rate-limit`, one second for every operation today), shared by every call of this client. Default: each
   * operation's documented limit (200 per second). A number sets every operation, an object sets some (the others
   * keep their default), `'off'` turns it off.
   */
  rateLimit?: number | 'off' | RateLimitPerOperation;
  /** At most this many requests of this client in flight at once, across operations (default: no cap). */
  maxConcurrency?: number;
  /** Retry settings (see `RetryOptions` for the defaults), or `false` for a single attempt. */
  retry?: RetryOptions | false;
  /** Milliseconds each attempt may take from sending to the whole answer (default 5000). */
  timeoutMs?: number;
  /**
   * The largest answer body read, in bytes (default 4 MiB, far above the largest documented answer). A larger one
   * ends the attempt with an UnexpectedAnswerError (reason `too-large`, not retried) as soon as Content-Length or the
   * bytes received pass the limit; the rest is never downloaded.
   */
  maxResponseBytes?: number;
  /**
   * When the primary host cannot be resolved or connected to, send the request to the region's documented backup
   * domain (or `backupBaseUrl`) instead, and keep using it for a minute (default true).
   */
  failover?: boolean;
  /** Called once per attempt, after the attempt and before any wait for the next one; must not throw. */
  onAttempt?: AttemptHook;
  /** Time and timers for the limiter, waits, timeouts and durations; inject one for tests (default: the system's). */
  clock?: Clock;
  /**
   * A Redis URL (`redis://` or `rediss://`, password included if any): every client that names the same Redis and
   * SDKAppID shares one rate window per operation, across processes and machines. Needs the optional peer dependency
   * `ioredis`. Default: this client limits itself alone.
   */
  redis?: string;
  /**
   * With `redis`: how many processes share the app's quota. While Redis is unreachable each keeps to the quota
   * divided by this (default 4).
   */
  fleetSize?: number;
  /** With `redis`: called when the client switches between the shared window and its local share; must not throw. */
  onLimiter?: LimiterHook;
}

type CredentialOptions =
  | { /** The app's secret key; it never leaves this process. */ secretKey: string; userSig?: never }
  | { /** Supplies UserSigs when this process must not hold the key; its sigs are cached too. */ userSig: UserSigProvider; secretKey?: never };

type EndpointOptions =
  | {
      /** The data center the app was created in; the backup domain a vendor page lists for it is the failover. */
      region: RegionName;
      baseUrl?: never;
      /**
       * Only for a region whose backup domain no vendor page lists (Tokyo, Riyadh): where to fail over to. Without it
       * such a region gets no failover, so the UserSig never goes to a host the vendor does not list.
       */
      backupBaseUrl?: string;
    }
  | {
      /** Any other base URL, e.g. a local mock or sandbox. */
      baseUrl: string;
      /** Where to fail over to when `baseUrl` cannot be reached (default: nowhere). */
      backupBaseUrl?: string;
      region?: never;
    };

export type ChatGroupsClientOptions = CommonOptions & ResilienceOptions & CredentialOptions & EndpointOptions;

export interface Settings {
  readonly primaryUrl: string;
  /** Undefined when there is no backup or failover is off. */
  readonly backupUrl: string | undefined;
  readonly region: RegionName | undefined;
  readonly identity: SigningIdentity & { readonly userSigs: UserSigSource };
  readonly credential: 'secret-key' | 'provider';
  readonly fetch: typeof globalThis.fetch | undefined;
  readonly rateLimits: RateLimits;
  readonly maxConcurrency: number | undefined;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly onAttempt: AttemptHook | undefined;
  readonly clock: Clock;
  /** Undefined when the client limits itself alone. */
  readonly sharedLimit: SharedLimitSettings | undefined;
}

export interface SharedLimitSettings {
  readonly url: string;
  readonly fleetSize: number;
  readonly leaseMs: number;
  readonly onLimiter: LimiterHook | undefined;
}

const optionNames = new Set([
  'sdkAppId',
  'identifier',
  'secretKey',
  'userSig',
  'region',
  'baseUrl',
  'backupBaseUrl',
  'userSigExpireSeconds',
  'userSigRefreshMarginSeconds',
  'userSigTimeoutMs',
  'fetch',
  'rateLimit',
  'maxConcurrency',
  'retry',
  'timeoutMs',
  'maxResponseBytes',
  'failover',
  'onAttempt',
  'clock',
  'redis',
  'fleetSize',
  'onLimiter',
]);
const retryOptionNames = new Set([
  'maxAttempts',
  'maxElapsedMs',
  'baseDelayMs',
  'maxDelayMs',
  'rateLimitBaseDelayMs',
  'lockoutDelayMs',
  'jitter',
]);

function present(options: Record<string, unknown>, name: string): boolean {
  return options[name] !== undefined;
}

/** An unknown key is named only if it looks like a name: it could hold a secret. */
function safeName(name: string): string {
  return /^[A-Za-z][A-Za-z0-9_.-]{0,60}$/.test(name) ? name : '(unnamed)';
}

function refuseUnknownKeys(value: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
  for (const name of Object.keys(value)) {
    if (!known.has(name)) throw new ClientOptionsError(safeName(`${prefix}${name}`), 'is not a known option');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isDuration(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= MAX_TIMER_MS;
}

function checkBaseUrl(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new ClientOptionsError(name, 'must be a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientOptionsError(name, 'must be an absolute URL such as https://console.tim.qq.com');
  }
  // The UserSig travels in the query string: plain HTTP is only acceptable to a mock or sandbox on this machine.
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ClientOptionsError(name, 'must use https (http is accepted for loopback hosts only)');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ClientOptionsError(name, 'must not contain a query, a fragment or credentials');
  }
  return url.href.replace(/\/+$/, '');
}

function checkRateLimit(value: unknown): RateLimits {
  const documented = (operationId: OperationId): number => operations[operationId].rateLimit.calls;
  const rule = `must be 'off', an integer from 1 to ${MAX_RATE_LIMIT}, or an object of those by operationId`;
  const all = Object.keys(operations) as OperationId[];
  const limits: { [Op in OperationId]?: number } = {};
  if (value === undefined) {
    for (const operationId of all) limits[operationId] = documented(operationId);
  } else if (value === 'off') {
    // No entry: unlimited.
  } else if (isIntegerIn(value, 1, MAX_RATE_LIMIT)) {
    for (const operationId of all) limits[operationId] = value;
  } else if (isObject(value)) {
    refuseUnknownKeys(value, new Set(all), 'rateLimit.');
    for (const operationId of all) {
      const own = value[operationId];
      if (own === undefined) limits[operationId] = documented(operationId);
      else if (isIntegerIn(own, 1, MAX_RATE_LIMIT)) limits[operationId] = own;
      else if (own !== 'off') throw new ClientOptionsError(`rateLimit.${operationId}`, `must be 'off' or an integer from 1 to ${MAX_RATE_LIMIT}`);
    }
  } else {
    throw new ClientOptionsError('rateLimit', rule);
  }
  return limits;
}

function checkRetry(value: unknown): RetryPolicy {
  if (value === undefined) return defaultRetryPolicy;
  if (value === false) return noRetryPolicy;
  if (!isObject(value)) throw new ClientOptionsError('retry', 'must be false or an object of retry settings');
  refuseUnknownKeys(value, retryOptionNames, 'retry.');
  const policy = { ...defaultRetryPolicy };
  const { maxAttempts, jitter } = value;
  if (maxAttempts !== undefined) {
    if (!isIntegerIn(maxAttempts, 1, 100)) throw new ClientOptionsError('retry.maxAttempts', 'must be an integer from 1 to 100');
    policy.maxAttempts = maxAttempts;
  }
  for (const name of ['maxElapsedMs', 'baseDelayMs', 'maxDelayMs', 'rateLimitBaseDelayMs', 'lockoutDelayMs'] as const) {
    const duration = value[name];
    if (duration === undefined) continue;
    if (!isDuration(duration, 0)) throw new ClientOptionsError(`retry.${name}`, `must be a number of milliseconds from 0 to ${MAX_TIMER_MS}`);
    policy[name] = duration;
  }
  if (jitter !== undefined) {
    if (typeof jitter !== 'function') throw new ClientOptionsError('retry.jitter', 'must be a function returning a number in [0, 1)');
    policy.jitter = jitter as () => number;
  }
  return policy;
}

function checkClock(value: unknown): Clock {
  if (value === undefined) return systemClock;
  if (!isObject(value) || !['now', 'setTimeout', 'clearTimeout'].every((name) => typeof value[name] === 'function')) {
    throw new ClientOptionsError('clock', 'must be an object with now(), setTimeout() and clearTimeout()');
  }
  return value as unknown as Clock;
}

/** The URL is never repeated: it may hold a password. */
function checkSharedLimit(options: Record<string, unknown>, timeoutMs: number): SharedLimitSettings | undefined {
  const { redis, fleetSize, onLimiter } = options;
  if (!present(options, 'redis')) {
    for (const name of ['fleetSize', 'onLimiter']) {
      if (present(options, name)) throw new ClientOptionsError(name, 'goes with redis only (it sets the shared rate limit)');
    }
    return undefined;
  }
  let url: URL | undefined;
  try {
    url = typeof redis === 'string' ? new URL(redis) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    throw new ClientOptionsError('redis', 'must be a redis:// or rediss:// URL');
  }
  if (present(options, 'fleetSize') && !isIntegerIn(fleetSize, 1, MAX_FLEET_SIZE)) {
    throw new ClientOptionsError('fleetSize', `must be an integer from 1 to ${MAX_FLEET_SIZE}`);
  }
  if (present(options, 'onLimiter') && typeof onLimiter !== 'function') throw new ClientOptionsError('onLimiter', 'must be a function');
  return {
    url: redis as string,
    fleetSize: (fleetSize as number | undefined) ?? DEFAULT_FLEET_SIZE,
    // Longer than any attempt may take, so a live call never stops counting before its answer.
    leaseMs: Math.max(MIN_LEASE_MS, 2 * timeoutMs),
    onLimiter: onLimiter as LimiterHook | undefined,
  };
}

export function checkOptions(input: unknown): Settings {
  if (!isObject(input)) throw new ClientOptionsError('options', 'must be an object');
  const options = input;
  refuseUnknownKeys(options, optionNames, '');
  const { sdkAppId, identifier, secretKey, userSig, region, userSigExpireSeconds, userSigRefreshMarginSeconds, fetch } = options;
  if (!isIntegerIn(sdkAppId, 1, MAX_SDKAPPID)) {
    throw new ClientOptionsError('sdkAppId', `must be an integer from 1 to ${MAX_SDKAPPID}`);
  }
  if (typeof identifier !== 'string' || identifier.length === 0) {
    throw new ClientOptionsError('identifier', 'must be a non-empty string (an app admin account)');
  }
  if (present(options, 'secretKey') === present(options, 'userSig')) {
    throw new ClientOptionsError('secretKey/userSig', 'exactly one of the two must be given');
  }
  if (present(options, 'secretKey') && (typeof secretKey !== 'string' || secretKey.length === 0)) {
    throw new ClientOptionsError('secretKey', 'must be a non-empty string');
  }
  if (present(options, 'userSig') && typeof userSig !== 'function') {
    throw new ClientOptionsError('userSig', 'must be a function returning a UserSig (or a promise of one)');
  }
  if (present(options, 'region') === present(options, 'baseUrl')) {
    throw new ClientOptionsError('region/baseUrl', 'exactly one of the two must be given');
  }
  if (present(options, 'region') && !(typeof region === 'string' && Object.hasOwn(regions, region))) {
    throw new ClientOptionsError('region', `must be one of ${Object.keys(regions).join(', ')}`);
  }
  if (present(options, 'backupBaseUrl') && present(options, 'region') && regions[region as RegionName].backupUrl !== null) {
    throw new ClientOptionsError(
      'backupBaseUrl',
      "goes with baseUrl, or with a region for which the vendor lists no backup domain (this region's backup comes from the spec)",
    );
  }
  const margin = userSigRefreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS;
  if (!isIntegerIn(margin, 0, DEFAULT_USERSIG_EXPIRE_SECONDS - 1)) {
    throw new ClientOptionsError('userSigRefreshMarginSeconds', `must be a whole number of seconds from 0 to ${DEFAULT_USERSIG_EXPIRE_SECONDS - 1}`);
  }
  const minExpire = margin + 1;
  // The lower bound keeps a sig alive longer than the margin at which the cache replaces it.
  if (present(options, 'userSigExpireSeconds') && !isIntegerIn(userSigExpireSeconds, minExpire, MAX_USERSIG_EXPIRE_SECONDS)) {
    throw new ClientOptionsError('userSigExpireSeconds', `must be an integer from ${minExpire} to ${MAX_USERSIG_EXPIRE_SECONDS}`);
  }
  if (present(options, 'fetch') && typeof fetch !== 'function') {
    throw new ClientOptionsError('fetch', 'must be a function');
  }
  const { maxConcurrency, timeoutMs, failover, onAttempt, userSigTimeoutMs, maxResponseBytes } = options;
  if (present(options, 'maxConcurrency') && !isIntegerIn(maxConcurrency, 1, Number.MAX_SAFE_INTEGER)) {
    throw new ClientOptionsError('maxConcurrency', 'must be a positive integer');
  }
  if (present(options, 'timeoutMs') && !isDuration(timeoutMs, 1)) {
    throw new ClientOptionsError('timeoutMs', `must be a number of milliseconds from 1 to ${MAX_TIMER_MS}`);
  }
  if (present(options, 'userSigTimeoutMs') && !isDuration(userSigTimeoutMs, 1)) {
    throw new ClientOptionsError('userSigTimeoutMs', `must be a number of milliseconds from 1 to ${MAX_TIMER_MS}`);
  }
  if (present(options, 'maxResponseBytes') && !isIntegerIn(maxResponseBytes, 1, Number.MAX_SAFE_INTEGER)) {
    throw new ClientOptionsError('maxResponseBytes', 'must be a positive integer number of bytes');
  }
  if (present(options, 'failover') && typeof failover !== 'boolean') {
    throw new ClientOptionsError('failover', 'must be true or false');
  }
  if (present(options, 'onAttempt') && typeof onAttempt !== 'function') {
    throw new ClientOptionsError('onAttempt', 'must be a function');
  }
  const rateLimits = checkRateLimit(options['rateLimit']);
  const retry = checkRetry(options['retry']);
  const clock = checkClock(options['clock']);
  const resolvedTimeoutMs = (timeoutMs as number | undefined) ?? DEFAULT_TIMEOUT_MS;
  const sharedLimit = checkSharedLimit(options, resolvedTimeoutMs);

  const regionName = present(options, 'region') ? (region as RegionName) : undefined;
  const primaryUrl = regionName === undefined ? checkBaseUrl('baseUrl', options['baseUrl']) : regions[regionName].url;
  const backupBaseUrl = present(options, 'backupBaseUrl') ? checkBaseUrl('backupBaseUrl', options['backupBaseUrl']) : undefined;
  // A region's backup is the one a vendor page lists; where none does, only a backup the caller names gets the UserSig.
  const documentedBackup = regionName === undefined ? undefined : (regions[regionName].backupUrl ?? undefined);
  const backupUrl = failover === false ? undefined : (documentedBackup ?? backupBaseUrl);

  const policy = {
    ...(typeof userSigExpireSeconds === 'number' ? { expireSeconds: userSigExpireSeconds } : {}),
    refreshMarginSeconds: margin,
  };
  const userSigs =
    typeof userSig === 'function'
      ? createUserSigSource({
          provider: userSig as UserSigProvider,
          providerTimeoutMs: (userSigTimeoutMs as number | undefined) ?? DEFAULT_USERSIG_TIMEOUT_MS,
          timers: clock,
          ...policy,
        })
      : createUserSigSource({ secretKey: secretKey as string, sdkAppId, identifier, ...policy });
  return {
    primaryUrl,
    backupUrl,
    region: regionName,
    identity: { sdkAppId, identifier, userSigs },
    credential: typeof userSig === 'function' ? 'provider' : 'secret-key',
    fetch: fetch as typeof globalThis.fetch | undefined,
    rateLimits,
    maxConcurrency: maxConcurrency as number | undefined,
    retry,
    timeoutMs: resolvedTimeoutMs,
    maxResponseBytes: (maxResponseBytes as number | undefined) ?? DEFAULT_MAX_RESPONSE_BYTES,
    onAttempt: onAttempt as AttemptHook | undefined,
    clock,
    sharedLimit,
  };
}
