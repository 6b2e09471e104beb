/**
 * Answers that an earlier success of the same request would also explain. After an attempt whose fate is unknown
 * (timed out, lost its connection, met a gateway error), a retry that gets one of these cannot tell whether the
 * earlier attempt did the work, so the outcome is reported as unclear instead of as a plain failure.
 *
 * The answers are the document's: each operation's `x-already-done-answers` (a delete's "no such group", a create's
 * "name taken", a rename's "no such group" for the old name); reads and idempotent changes list none.
 */
import { operations, type OperationId } from '../../generated/operations.js';

/** The value at a JSON Pointer (RFC 6901) in `value`, or undefined when the path does not exist. */
function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * What an earlier unanswered request may have done, when `code` is an answer its success would explain for this
 * request; else undefined.
 */
export function possibleEarlierEffect(operationId: OperationId, request: unknown, code: number): string | undefined {
  const answers: readonly { code: number; effect: string; requestMatches: Readonly<Record<string, unknown>> }[] =
    operations[operationId].alreadyDoneAnswers;
  const answer = answers.find(
    (candidate) =>
      candidate.code === code && Object.entries(candidate.requestMatches).every(([pointer, expected]) => valueAt(request, pointer) === expected),
  );
  return answer?.effect;
}
