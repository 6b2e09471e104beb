import {
  UserSigFormatError,
  UserSigInputError,
  assertExpireSeconds,
  decodeUserSig,
  generateUserSig,
  userSigExpiresAt,
  validateUserSigInput,
} from './usersig.js';

/**
 * A caller-supplied signer (e.g. a KMS or a signing service) for deployments where this process must
 * not hold the secret key.
 */
export type UserSigProvider = () => string | Promise<string>;

export const DEFAULT_USERSIG_EXPIRE_SECONDS = 86_400;
export const DEFAULT_REFRESH_MARGIN_SECONDS = 300;

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

export interface SecretKeyUserSigSourceOptions extends CachePolicyOptions {
  secretKey: string;
  sdkAppId: number;
  identifier: string;
  provider?: never;
}

export interface ProviderUserSigSourceOptions extends CachePolicyOptions {
  provider: UserSigProvider;
  secretKey?: never;
}

export type UserSigSourceOptions = SecretKeyUserSigSourceOptions | ProviderUserSigSourceOptions;

export interface UserSigSource {
  /** Resolves to a UserSig that is valid for at least the refresh margin. */
  get(): Promise<string>;
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

function providerIssuer(provider: UserSigProvider, fallbackLifetimeSeconds: number): Issuer {
  return async (nowSeconds) => {
    const userSig: unknown = await provider();
    if (typeof userSig !== 'string' || userSig.length === 0) {
      throw new TypeError('UserSig provider returned an empty value or a non-string');
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
  const issue =
    options.provider !== undefined
      ? providerIssuer(options.provider, expireSeconds)
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
    get() {
      if (cached !== undefined && clock() < cached.refreshAtMs) {
        return Promise.resolve(cached.userSig);
      }
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
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
