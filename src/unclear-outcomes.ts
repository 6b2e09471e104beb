/**
 * Answers that an earlier success of the same request would also explain. After an attempt whose fate is unknown
 * (timed out, lost its connection, met a gateway error), a retry that gets one of these cannot tell whether the
 * earlier attempt did the work, so the client reports the call as unclear instead of as a plain failure.
 *
 * Keyed by operation, so an operation added to the spec needs an entry only if it has such an answer (a create that
 * answers "already exists", for instance).
 */
import type { OperationId } from '../generated/operations.js';

/** For each operation: ErrorCode → what the unanswered attempt may have done. */
const alreadyDoneAnswers: { readonly [Op in OperationId]?: Readonly<Record<number, string>> } = {
  delContactGroup: { 51009: 'the conversation group may have been deleted' },
};

/** What an earlier unanswered attempt may have done, when `code` is an answer it would explain; else undefined. */
export function possibleEarlierEffect(operationId: OperationId, code: number): string | undefined {
  return alreadyDoneAnswers[operationId]?.[code];
}
