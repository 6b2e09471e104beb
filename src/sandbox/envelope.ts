/**
 * The JSON bodies the sandbox answers. Every business outcome, success or failure, is an HTTP 200 with this
 * envelope, as the vendor documents; only injected network faults answer otherwise.
 */
import { meaningOf, type SandboxErrorCode } from './codes.js';

export interface Failure {
  readonly code: SandboxErrorCode;
  /** What exactly was wrong (e.g. the violated field); the catalogue meaning is used when absent. */
  readonly detail?: string;
}

export function failure(code: SandboxErrorCode, detail?: string): Failure {
  return detail === undefined ? { code } : { code, detail };
}

const SUCCESS_ENVELOPE = '"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}';

// Field order follows the vendor's samples: operation data first, then the envelope. Joined as text because
// spreading the data into a new object before stringifying costs more than the rest of a successful call.
export function successBody(data: Readonly<Record<string, unknown>>): string {
  const fields = JSON.stringify(data);
  return fields === '{}' ? `{${SUCCESS_ENVELOPE}` : `${fields.slice(0, -1)},${SUCCESS_ENVELOPE}`;
}

export function failureBody(outcome: Failure): string {
  return JSON.stringify({
    ActionStatus: 'FAIL',
    ErrorCode: outcome.code,
    ErrorInfo: outcome.detail ?? meaningOf(outcome.code),
  });
}

/** ErrorInfo / ResultInfo for a change refused by the sandbox's own bound on its data (`maxStateBytes`). */
export function stateFullInfo(maxStateBytes: number): string {
  return `The sandbox holds at most about ${maxStateBytes} bytes of data (its maxStateBytes setting) and this change could exceed it; nothing was changed. Restart the sandbox or give it a larger maxStateBytes.`;
}
