/**
 * UserSig verification with a memo of sigs that already verified. A client reuses one sig for many calls, and
 * inflating plus an HMAC per call would dominate the sandbox's cost; a remembered sig still gets the checks that
 * depend on the call (SDKAppID, identifier, expiry) every time, in the same order as the full verification.
 */
import { verifyUserSig, type UserSigExpectation, type UserSigRejectionReason } from '../usersig/usersig.js';

export type UserSigCheck = { readonly ok: true } | { readonly ok: false; readonly reason: UserSigRejectionReason };

interface VerifiedSig {
  readonly sdkAppId: number;
  readonly identifier: string;
  readonly expiresAt: number;
}

const ACCEPTED: UserSigCheck = { ok: true };
const EXPIRED: UserSigCheck = { ok: false, reason: 'expired' };

export class UserSigVerifier {
  readonly #secretKey: string;
  readonly #capacity: number;
  readonly #verified = new Map<string, VerifiedSig>();

  constructor(secretKey: string, capacity = 1024) {
    this.#secretKey = secretKey;
    this.#capacity = capacity;
  }

  verify(userSig: string, expected: Required<UserSigExpectation>): UserSigCheck {
    const known = this.#verified.get(userSig);
    if (known !== undefined && known.sdkAppId === expected.sdkAppId && known.identifier === expected.identifier) {
      return expected.now > known.expiresAt ? EXPIRED : ACCEPTED;
    }
    const result = verifyUserSig(this.#secretKey, userSig, expected);
    if (!result.ok) return { ok: false, reason: result.reason };
    // Map keeps insertion order, so the first key is the oldest remembered sig.
    if (this.#verified.size >= this.#capacity) {
      const oldest = this.#verified.keys().next();
      if (oldest.done !== true) this.#verified.delete(oldest.value);
    }
    this.#verified.set(userSig, {
      sdkAppId: result.decoded.sdkAppId,
      identifier: result.decoded.identifier,
      expiresAt: result.expiresAt,
    });
    return ACCEPTED;
  }
}
