import { untilAborted } from './flow/abort.js';
import { MAX_TIMER_MS, type Clock } from './flow/clock.js';
import type { UserSigFailureReason } from '../errors.js';
import {
  UserSigFormatError,
  UserSigInputError,
  assertExpireSeconds,
  decodeUserSig,
  generateUserSig,
  userSigExpiresAt,
  validateUserSigInput,
} from '../usersig/usersig.js';

/**
 * A caller-supplied signer (e.g. a KMS or a signing service) for deployments where this process must
 * not hold the secret key.
 */
export type UserSigProvider = () => string | Promise<string>;

export const DEFAULT_USERSIG_EXPIRE_SECONDS = 86_400;
export const DEFAULT_REFRESH_MARGIN_SECONDS = 300;
/** How long a provider may take to return a UserSig; a signing service that has not answered by then is down. */
export const DEFAULT_USERSIG_TIMEOUT_MS = 10_000;

/**
 * Why `get()` has no UserSig: the provider did not settle within its timeout, threw or rejected (its error is the
 * `cause`), or returned something other than a non-empty string.
 */
export class UserSigUnavailableError extends Error {
  override readonly name = 'UserSigUnavailableError';
  readonly reason: UserSigFailureReason;

  constructor(reason: UserSigFailureReason, message: string, options?: { cause: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

interface CachePolicyOptions {
  /**
   * With a secret key: the validity of each generated UserSig (default 86400).
   * With a provider: how long a UserSig that cannot be decoded is assumed to live, counted from the
   * moment it was requested (default 86400). Decodable provider sigs use their own expiry instead.
   */
  expireSeconds?: number;
  /** Refresh this many seconds before expiry so no request leaves with a sig about to lapse (default 300). */
  refreshMarginSeconds?: number;
  /** Milliseconds since the epoch; injectable for tests (default `Date.now`). */
  clock?: () => number;
}

interface ProviderTimeoutOptions {
  /**
   * With a provider: how long one call of it may take before `get()` rejects with reason `timeout` (default 10000).
   * A later `get()` asks the provider again; what the late call returns is not used.
   */
  providerTimeoutMs?: number;
  /** The timers for that timeout; injectable for tests (default the global ones). */
  timers?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
}

export interface SecretKeyUserSigSourceOptions extends CachePolicyOptions {
  secretKey: string;
  sdkAppId: number;
  identifier: string;
  provider?: never;
}

export interface ProviderUserSigSourceOptions extends CachePolicyOptions, ProviderTimeoutOptions {
  provider: UserSigProvider;
  secretKey?: never;
}

export type UserSigSourceOptions = SecretKeyUserSigSourceOptions | ProviderUserSigSourceOptions;

export interface UserSigSource {
  /**
   * Resolves to a UserSig that is valid for at least the refresh margin. Rejects with a `UserSigUnavailableError`
   * when the provider fails, or with the signal's reason as soon as `signal` aborts (a provider call other callers
   * wait for goes on).
   */
  get(signal?: AbortSignal): Promise<string>;
  /**
   * Drops the cached UserSig, e.g. after the server answered that it expired. Pass the sig that was rejected so
   * that concurrent callers reporting the same stale sig do not discard a replacement another caller
   * has already fetched. A refresh already in progress is kept.
   */
  invalidate(staleUserSig?: string): void;
  /** How many UserSigs were generated or fetched successfully; failed provider calls are not counted. */
  readonly generatedCount: number;
}

interface IssuedUserSig {
  userSig: string;
  /** Unix seconds, last valid second. */
  expiresAt: number;
}

type Issuer = (nowSeconds: number) => Promise<IssuedUserSig>;

function secretKeyIssuer(options: SecretKeyUserSigSourceOptions, expireSeconds: number): Issuer {
  const input = {
    secretKey: options.secretKey,
    sdkAppId: options.sdkAppId,
    identifier: options.identifier,
    expireSeconds,
  };
  validateUserSigInput(input);
  return (nowSeconds) =>
    Promise.resolve({
      userSig: generateUserSig({ ...input, now: nowSeconds }),
      expiresAt: nowSeconds + expireSeconds,
    });
}

const globalTimers: Pick<Clock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function describeFailure(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'a non-Error value';
}

/** The provider's answer, or a UserSigUnavailableError when it throws, rejects or takes longer than `timeoutMs`. */
function askProvider(provider: UserSigProvider, timeoutMs: number, timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = timers.setTimeout(() => {
      reject(new UserSigUnavailableError('timeout', `the userSig provider returned no UserSig within ${timeoutMs} ms (userSigTimeoutMs)`));
    }, timeoutMs);
    // Called from a promise, so a provider that throws synchronously rejects like one that returns a rejection.
    Promise.resolve()
      .then(provider)
      .then(
        (value) => {
          timers.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          timers.clearTimeout(timer);
          reject(new UserSigUnavailableError('provider-error', `the userSig provider failed: ${describeFailure(error)}`, { cause: error }));
        },
      );
  });
}

function providerIssuer(
  provider: UserSigProvider,
  fallbackLifetimeSeconds: number,
  timeoutMs: number,
  timers: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
): Issuer {
  return async (nowSeconds) => {
    const userSig = await askProvider(provider, timeoutMs, timers);
    if (typeof userSig !== 'string' || userSig.length === 0) {
      throw new UserSigUnavailableError('invalid-value', 'the userSig provider returned an empty value or a non-string');
    }
    try {
      return { userSig, expiresAt: userSigExpiresAt(decodeUserSig(userSig)) };
    } catch (error) {
      if (!(error instanceof UserSigFormatError)) throw error;
      // An opaque sig (e.g. a legacy ECDSA one) is still worth using; if the guess is too long the
      // server answers "expired" and the client invalidates.
      return { userSig, expiresAt: nowSeconds + fallbackLifetimeSeconds };
    }
  };
}

export function createUserSigSource(options: UserSigSourceOptions): UserSigSource {
  const expireSeconds = options.expireSeconds ?? DEFAULT_USERSIG_EXPIRE_SECONDS;
  const marginSeconds = options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS;
  assertExpireSeconds('expireSeconds', expireSeconds);
  if (!Number.isInteger(marginSeconds) || marginSeconds < 0 || marginSeconds >= expireSeconds) {
    throw new UserSigInputError('refreshMarginSeconds', 'must be an integer from 0 to expireSeconds - 1');
  }
  const clock = options.clock ?? Date.now;
  const timeoutMs = options.provider !== undefined ? (options.providerTimeoutMs ?? DEFAULT_USERSIG_TIMEOUT_MS) : DEFAULT_USERSIG_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 1 && timeoutMs <= MAX_TIMER_MS)) {
    throw new UserSigInputError('providerTimeoutMs', `must be a number of milliseconds from 1 to ${MAX_TIMER_MS}`);
  }
  const issue =
    options.provider !== undefined
      ? providerIssuer(options.provider, expireSeconds, timeoutMs, options.timers ?? globalTimers)
      : secretKeyIssuer(options, expireSeconds);

  let cached: { userSig: string; refreshAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;
  let generatedCount = 0;

  async function refresh(): Promise<string> {
    const issued = await issue(Math.floor(clock() / 1000));
    generatedCount += 1;
    // A provider sig that lives shorter than the margin is handed out once and not reused.
    cached = { userSig: issued.userSig, refreshAtMs: (issued.expiresAt - marginSeconds) * 1000 };
    return issued.userSig;
  }

  return {
    get(signal) {
      if (cached !== undefined && clock() < cached.refreshAtMs) {
        return Promise.resolve(cached.userSig);
      }
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return signal === undefined ? inFlight : untilAborted(inFlight, signal);
    },
    invalidate(staleUserSig) {
      if (staleUserSig === undefined || cached?.userSig === staleUserSig) {
        cached = undefined;
      }
    },
    get generatedCount() {
      return generatedCount;
    },
  };
}
