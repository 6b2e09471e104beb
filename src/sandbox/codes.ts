/**
 * Every ErrorCode the sandbox itself chooses (as opposed to codes a handler or the spec's validation picks), by
 * the situation it answers. The vendor leaves several of these situations unspecified; docs/sandbox.md says
 * why each code was chosen. Typing them as documented codes makes a code outside the catalogue a compile error.
 */
import { errorCodes, type DocumentedErrorCode } from '../../generated/error-codes.js';
import { rateLimitErrorCode } from './spec-limits.js';

export const gatewayCodes = {
  /** The path names no operation of the spec. */
  unknownPath: 60009,
  /** Any method but POST; the vendor accepts POST only. */
  methodNotPost: 60002,
  /** The body is larger than the sandbox reads (the vendor documents no size; real bodies are tiny). */
  bodyTooLarge: 60002,
  /** `sdkappid` is absent. */
  sdkAppIdMissing: 60012,
  /** `sdkappid` is not a decimal unsigned 32-bit integer above 0. */
  sdkAppIdMalformed: 60006,
  /** `sdkappid` is well formed but is not the configured app. */
  sdkAppIdUnknown: 70020,
  /** `identifier`, `random` or `contenttype` is absent or breaks its parameter schema. */
  signingParameterInvalid: 60002,
  /** More calls to one API than its limit in one window: the spec's `x-rate-limit-error-code` (the vendor does not say). */
  rateLimited: rateLimitErrorCode,
  /** `usersig` is absent or empty. */
  userSigEmpty: 70002,
  /** `usersig` cannot be decoded (not Base64, not zlib, not JSON, or fields missing): typically a truncated sig. */
  userSigMalformed: 70003,
  /** The sig was issued for another SDKAppID than the query's. */
  userSigSdkAppIdMismatch: 70014,
  /** The sig was issued for another UserID than the query's `identifier`. */
  userSigIdentifierMismatch: 70013,
  /** The sig's `TLS.time + TLS.expire` is in the past. */
  userSigExpired: 70001,
  /** The sig carries a userbuf (a TRTC PrivateMapKey), which Chat never issues. */
  userSigUnexpectedUserbuf: 70005,
  /** The HMAC does not verify with the configured key. */
  userSigSignatureMismatch: 70009,
  /** `identifier` signed correctly but is not one of the app's admin accounts. */
  notAdmin: 50003,
  /** The body is not UTF-8 text or not JSON. */
  bodyNotJson: 60003,
  /**
   * The change could take the sandbox's data over its `maxStateBytes` bound (a bound of the sandbox, not the
   * vendor's): the vendor's code for "more data than a user may have", which is not retryable.
   */
  stateFull: 51008,
  /** The app's edition lacks conversation groups. */
  editionLacksConversationGroups: 51013,
} as const satisfies Record<string, DocumentedErrorCode>;

/** A code the sandbox may answer: documented in the catalogue, so a client can always look it up. */
export type SandboxErrorCode = DocumentedErrorCode;

export function isDocumentedErrorCode(code: number): code is DocumentedErrorCode {
  return Object.hasOwn(errorCodes, code);
}

/** The catalogue's meaning, which is what the sandbox puts in ErrorInfo when it has nothing more specific. */
export function meaningOf(code: DocumentedErrorCode): string {
  return errorCodes[code].meaning;
}
