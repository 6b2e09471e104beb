/**
 * One call of the contract check: sent through the client's raw interface (signed and held to its rate limiter,
 * but without its request checks, so a probe can send a request the document refuses, and without retries, so
 * every answer seen is the service's first), and the checks of its answer against the document: the answer
 * schema, and the operation's documented error codes.
 */
import { errorCodes, operationErrorCodes } from '../../generated/error-codes.js';
import { operations, type OperationId } from '../../generated/operations.js';
import type { ChatGroupsClient } from '../client/client.js';
import { scrubJson, scrubText } from '../errors.js';
import { requestRandom } from '../client/signing.js';
import { validateResponse } from '../validate.js';
import type { CallEvidence, Check } from './checks.js';
import { operationPointer } from './provenance.js';

export type Exchange = CallEvidence;

/** Thrown when the run's signal aborted a call; the run then cleans up. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('interrupted');
  }
}

/** A function rather than a property test, so the check after an await is not narrowed away by the one before it. */
export function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * Sends one request and reads its answer. `secrets` (the secret key) are scrubbed from anything kept; the UserSig
 * never appears, as only the `random` of the signed URL is read back.
 */
export async function exchange(
  client: ChatGroupsClient,
  operationId: OperationId,
  request: Readonly<Record<string, unknown>>,
  secrets: readonly string[],
  signal?: AbortSignal,
): Promise<Exchange> {
  if (aborted(signal)) throw new InterruptedError();
  const post = client.raw.POST as unknown as (
    path: string,
    init: { body: unknown; parseAs: 'text'; signal?: AbortSignal },
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  let result: Awaited<ReturnType<typeof post>>;
  try {
    result = await post(operations[operationId].path, { body: request, parseAs: 'text', ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    if (aborted(signal)) throw new InterruptedError();
    const message = error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error);
    return { operation: operationId, request, networkFailure: scrubText(message, secrets) };
  }
  const { response } = result;
  const random = requestRandom(response);
  const raw = result.data ?? result.error;
  let answer: unknown = raw;
  if (typeof raw === 'string') {
    try {
      answer = JSON.parse(raw);
    } catch {
      answer = raw;
    }
  }
  answer = scrubJson(answer, secrets);
  const base = { operation: operationId, request, ...(random === undefined ? {} : { random }), httpStatus: response.status };
  if (response.status !== 200) return { ...base, answer, networkFailure: `HTTP ${response.status}` };
  const code = (answer as { ErrorCode?: unknown } | null)?.ErrorCode;
  return { ...base, answer, ...(Number.isInteger(code) ? { errorCode: code as number } : {}) };
}

/** True when the service answered ErrorCode 0. */
export function succeeded(call: Exchange): boolean {
  return call.errorCode === 0;
}

/** What a failed call got, for a report line: the code and its meaning, or why nothing came back. */
export function describeOutcome(call: Exchange): string {
  if (call.networkFailure !== undefined) return `no answer (${call.networkFailure})`;
  if (call.errorCode === undefined) return 'an answer without an ErrorCode';
  if (call.errorCode === 0) return 'ErrorCode 0';
  const meaning = (errorCodes as Record<number, { meaning: string } | undefined>)[call.errorCode]?.meaning;
  return `ErrorCode ${call.errorCode}${meaning === undefined ? ' (not in the catalogue)' : ` (${meaning})`}`;
}

const publicCodes = new Set(
  Object.values(errorCodes)
    .filter((entry) => entry.scope === 'public')
    .map((entry) => entry.code as number),
);

/** The checks every answer gets: its shape against the answer schema, and its ErrorCode against the documented ones. */
export function answerChecks(call: Exchange): Check[] {
  if (call.networkFailure !== undefined) return [];
  const operation = call.operation;
  const pointer = operationPointer(operations[operation].path);
  const violations = validateResponse(operation, call.answer);
  const checks: Check[] = [
    {
      operation,
      rule: 'response schema',
      provenance: { kind: 'document', pointer: `${pointer}/responses/200/content/application~1json/schema` },
      status: violations.length === 0 ? 'held' : 'contradicted',
      evidence: {
        detail: violations.length === 0 ? 'the answer fits the answer schema' : violations.map((violation) => violation.message).join('; '),
        calls: [call],
      },
    },
  ];
  const code = call.errorCode;
  if (code !== undefined) {
    const documented = code === 0 || (operationErrorCodes[operation] as readonly number[]).includes(code) || publicCodes.has(code);
    checks.push({
      operation,
      rule: 'x-error-codes',
      provenance: { kind: 'document', pointer: `${pointer}/x-error-codes` },
      status: documented ? 'held' : 'contradicted',
      evidence: {
        detail: documented
          ? `ErrorCode ${code} is ${code === 0 ? 'success' : 'documented for this operation'}`
          : `ErrorCode ${code} is neither one of this operation's codes nor a public code of the catalogue`,
        calls: [call],
      },
    });
  }
  return checks;
}
