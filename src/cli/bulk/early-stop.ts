/**
 * When one user's answer says every other call of the run would fail the same way, so the run should stop taking
 * users instead of calling all of them for the same failure: an ErrorCode the spec marks app-wide (a wrong key, an
 * identifier that is not an app admin, a disabled app…), or, before any call of the run got an answer, a failure
 * that points at the setting of the host (it does not resolve, refuses connections, speaks no TLS, is not the API).
 */
import { errorCodes, type ErrorCodeInfo } from '../../../generated/error-codes.js';
import { networkAdvice, pointsAtSetting, type AdviceSettings } from '../network-advice.js';
import type { UnexpectedAnswerReason } from '../../errors.js';
import type { Performance } from '../operations/perform.js';

export interface EarlyStop {
  /** The ErrorCode, for an app-wide answer. */
  readonly code?: number;
  /** What went wrong and what to fix, in one or two sentences. */
  readonly problem: string;
}

const SETTING_REASONS: ReadonlySet<UnexpectedAnswerReason> = new Set<UnexpectedAnswerReason>(['redirect', 'not-json', 'not-envelope']);

function appWide(code: number): ErrorCodeInfo | undefined {
  const info = (errorCodes as Readonly<Record<number, ErrorCodeInfo>>)[code];
  return info?.appWide === true ? info : undefined;
}

/**
 * @param answeredBefore whether a call of this run has had an answer already: then the host is right, and a
 *   connection failure is bad luck for the users it hit, not a reason to stop.
 */
export function earlyStop(performed: Performance, answeredBefore: boolean, settings: AdviceSettings): EarlyStop | undefined {
  const { last } = performed;
  if (last.ok) return undefined;
  const { error } = last;
  if (error.kind === 'api' && appWide(error.code) !== undefined) {
    const hint = error.hint === undefined ? '' : ` Likely cause: ${error.hint}`;
    return {
      code: error.code,
      problem: `ErrorCode ${error.code} concerns the whole app, so every other call would get it too: ${error.meaning}${hint}`,
    };
  }
  if (error.kind === 'network' && !answeredBefore && pointsAtSetting(error)) {
    return { problem: `no call can reach the service: ${networkAdvice(error, settings)}.` };
  }
  // A redirect or a body that is not the API's envelope, before any real answer: the host is not the Chat API. An
  // answer too large or too deep says nothing about the host (it may be one user's data), so it stops nothing.
  if (error.kind === 'unexpected-answer' && !answeredBefore && SETTING_REASONS.has(error.reason)) {
    return { problem: `no call reaches the Chat API: ${error.meaning} ${error.hint} (${settings.endpointSetting})` };
  }
  return undefined;
}
