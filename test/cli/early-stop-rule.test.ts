/**
 * The rule that stops a bulk run early, on the answers a call can end with: an app-wide ErrorCode always stops it; a
 * failure that points at the host's setting stops it only while no call of the run has had an answer (after one
 * has, the host is right and the failure is bad luck for that user); anything else never does.
 */
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../generated/error-codes.js';
import type { CallResult } from '../../src/client/call-types.js';
import { earlyStop } from '../../src/cli/bulk/early-stop.js';
import type { Performance } from '../../src/cli/operations/perform.js';
import { ApiError, NetworkError, UnexpectedAnswerError, type NetworkErrorDetails } from '../../src/errors.js';

const settings = { endpointSetting: '--base-url' };
const URL_OF_CALL = 'http://127.0.0.1:4000/v4/recentcontact/del_contact_group?sdkappid=1&usersig=REDACTED';

function failed(error: ApiError | NetworkError | UnexpectedAnswerError): Performance {
  const last = { ok: false, error, random: 1, operationId: 'delContactGroup', attempts: [{}], host: '127.0.0.1:4000', endpoint: 'primary' } as unknown as CallResult<'delContactGroup'>;
  return { last, calls: [last], data: undefined };
}

function apiError(code: number): ApiError {
  return new ApiError({ operationId: 'delContactGroup', code, info: '', random: 1, body: { ActionStatus: 'FAIL', ErrorCode: code, ErrorInfo: '' } as never });
}

function networkError(details: Partial<NetworkErrorDetails>): NetworkError {
  return new NetworkError({ operationId: 'delContactGroup', reason: 'connection', random: 1, url: URL_OF_CALL, ...details });
}

const appWideCodes = Object.values(errorCodes).filter((info) => info.appWide).map((info) => info.code);
const userCodes = Object.values(errorCodes).filter((info) => !info.appWide).map((info) => info.code);

describe('stopping a bulk run early', () => {
  it.each(appWideCodes)('stops on ErrorCode %i, which the catalogue marks app-wide, even after other answers', (code) => {
    expect(earlyStop(failed(apiError(code)), true, settings)).toMatchObject({ code, problem: expect.stringContaining(`ErrorCode ${code} concerns the whole app`) });
  });

  it.each(userCodes)('does not stop on ErrorCode %i, which concerns one user or request', (code) => {
    expect(earlyStop(failed(apiError(code)), false, settings)).toBeUndefined();
  });

  const settingFailures: [string, Partial<NetworkErrorDetails>][] = [
    ['a refused connection', { delivery: 'not-sent', causeCode: 'ECONNREFUSED' }],
    ['a name that does not resolve', { delivery: 'not-sent', causeCode: 'ENOTFOUND' }],
    ['a TLS failure', { causeCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }],
    ['a path the host does not know', { reason: 'http-status', status: 404 }],
  ];
  it.each(settingFailures)('stops on %s before any call was answered, not after', (_name, details) => {
    const error = networkError(details);
    expect(earlyStop(failed(error), false, settings)?.problem).toMatch(/^no call can reach the service: .*--base-url/);
    expect(earlyStop(failed(error), true, settings)).toBeUndefined();
  });

  it.each(['redirect', 'not-json', 'not-envelope'] as const)('stops on an answer that is not the API\'s (%s) before any call was answered, not after', (reason) => {
    const error = new UnexpectedAnswerError({ operationId: 'delContactGroup', reason, random: 1, url: URL_OF_CALL, status: reason === 'redirect' ? 307 : 200 });
    expect(earlyStop(failed(error), false, settings)?.problem).toMatch(/^no call reaches the Chat API: .*--base-url/);
    expect(earlyStop(failed(error), true, settings)).toBeUndefined();
  });

  it.each(['too-large', 'too-deep'] as const)('does not stop on an answer that is %s: it may be one user\'s data', (reason) => {
    const error = new UnexpectedAnswerError({ operationId: 'delContactGroup', reason, random: 1, url: URL_OF_CALL, status: 200 });
    expect(earlyStop(failed(error), false, settings)).toBeUndefined();
  });

  const luck: [string, Partial<NetworkErrorDetails>][] = [
    ['a timeout', { reason: 'timeout' }],
    ['a connection cut after sending', { causeCode: 'ECONNRESET' }],
    ['a gateway error', { reason: 'http-status', status: 502 }],
  ];
  it.each(luck)('does not stop on %s, even before any answer', (_name, details) => {
    expect(earlyStop(failed(networkError(details)), false, settings)).toBeUndefined();
  });
});
