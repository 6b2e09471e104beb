/**
 * The checks on the five signing parameters in the query string. The shape rules (types, ranges, `json`) come from
 * the spec through `validateQuery`; this module only decides which public code each failure gets (see README).
 * It is split in two so the caller can put the per-API rate limit between identifying the app and the costlier
 * UserSig check.
 */
import { validateQuery, type Violation } from '../validate.js';
import type { OperationId } from '../../generated/operations.js';
import type { UserSigRejectionReason } from '../usersig/usersig.js';
import { gatewayCodes, type SandboxErrorCode } from './codes.js';
import { failure, type Failure } from './envelope.js';
import type { UserSigVerifier } from './usersig-verifier.js';

export interface AppIdentity {
  readonly sdkAppId: number;
  readonly admins: ReadonlySet<string>;
}

/**
 * Identifies the app and checks `identifier`, `random` and `contenttype` against the spec. Returns the first
 * failure, sdkappid problems before the others, as the app has to be known before anything else is judged.
 */
export function checkSigningParameters(operationId: OperationId, query: URLSearchParams, app: AppIdentity): Failure | undefined {
  const violations = validateQuery(operationId, query);
  const sdkAppIdViolation = violations.length === 0 ? undefined : violations.find((violation) => violation.field === 'sdkappid');
  if (sdkAppIdViolation !== undefined) {
    return sdkAppIdViolation.rule === 'required'
      ? failure(gatewayCodes.sdkAppIdMissing, 'The URL has no sdkappid.')
      : failure(gatewayCodes.sdkAppIdMalformed, `The SDKAppID is invalid: ${sdkAppIdViolation.message}.`);
  }
  const sdkAppId = query.get('sdkappid');
  if (Number(sdkAppId) !== app.sdkAppId) {
    return failure(gatewayCodes.sdkAppIdUnknown, `SDKAppID ${sdkAppId} was not found; this sandbox serves ${app.sdkAppId}.`);
  }
  if (violations.length > 0) {
    return failure(gatewayCodes.signingParameterInvalid, `The URL is not in the documented format: ${joinMessages(violations)}.`);
  }
  return undefined;
}

const userSigCodes: Record<UserSigRejectionReason, SandboxErrorCode> = {
  empty: gatewayCodes.userSigEmpty,
  malformed: gatewayCodes.userSigMalformed,
  'sdkappid-mismatch': gatewayCodes.userSigSdkAppIdMismatch,
  'identifier-mismatch': gatewayCodes.userSigIdentifierMismatch,
  expired: gatewayCodes.userSigExpired,
  'userbuf-not-expected': gatewayCodes.userSigUnexpectedUserbuf,
  'signature-mismatch': gatewayCodes.userSigSignatureMismatch,
};

/**
 * Authenticates the caller (UserSig) and then authorises it (admin account). Call only after
 * `checkSigningParameters` passed, so `identifier` is known to be present.
 */
export function checkCaller(query: URLSearchParams, app: AppIdentity, verifier: UserSigVerifier, nowSeconds: number): Failure | undefined {
  const identifier = query.get('identifier') ?? '';
  const userSig = query.get('usersig') ?? '';
  const check = userSig === ''
    ? ({ ok: false, reason: 'empty' } as const)
    : verifier.verify(userSig, { sdkAppId: app.sdkAppId, identifier, now: nowSeconds });
  if (!check.ok) return failure(userSigCodes[check.reason]);
  if (!app.admins.has(identifier)) {
    return failure(gatewayCodes.notAdmin, `${identifier} is not an app admin account; the call needs app admin permissions.`);
  }
  return undefined;
}

function joinMessages(violations: readonly Violation[]): string {
  return violations.map((violation) => violation.message).join('; ');
}
