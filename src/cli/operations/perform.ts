/**
 * One operation as the user asked for it: a single call, or for a paged read every page through the client's
 * paginator (which also guards against a service that never finishes), folded into one answer. Every page's call
 * is recorded, so a report shows the `random` and attempts of each. The client does the signing, limits, retries
 * and checks; this only strings calls together.
 */
import type { OperationId } from '../../../generated/operations.js';
import type { RequestBody } from '../../client/bodies.js';
import type { CallInit, CallResult } from '../../client/call-types.js';
import type { ChatGroupsClient } from '../../client/client.js';
import { PaginationError } from '../../paginate.js';
import type { PageCall, Paging } from './entry.js';

export interface Performance {
  /** The last call: its failure when one failed, else the last page. */
  readonly last: CallResult<OperationId>;
  /** Every call made, in order (one for an unpaged operation). */
  readonly calls: readonly CallResult<OperationId>[];
  /** On success: the answer, every page merged. */
  readonly data: Readonly<Record<string, unknown>> | undefined;
  /** Set when a paged read stopped before its last page (the cursor did not move, or too many pages). */
  readonly pagingProblem?: string;
}

export async function performOperation(
  client: ChatGroupsClient,
  operationId: OperationId,
  request: Readonly<Record<string, unknown>>,
  paging: Paging | undefined,
  init?: CallInit,
): Promise<Performance> {
  if (paging === undefined) {
    // The body comes from the command line and is checked against the spec by the client before anything is sent.
    const result = await client.call(operationId, request as RequestBody<OperationId>, init);
    return { last: result, calls: [result], data: result.ok ? (result.data as Readonly<Record<string, unknown>>) : undefined };
  }

  const calls: CallResult<OperationId>[] = [];
  const call = async (body: RequestBody<OperationId>, pageInit?: CallInit): Promise<CallResult<OperationId>> => {
    const result = await client.call(operationId, body, { ...init, ...pageInit });
    calls.push(result);
    return result;
  };
  try {
    const data = await paging.readAll(call as PageCall, request);
    return { last: lastOf(calls), calls, data };
  } catch (error) {
    const last = calls.at(-1);
    // The paginators end a failed page by throwing that call's error; the call itself was recorded above.
    if (last !== undefined && !last.ok && last.error === error) return { last, calls, data: undefined };
    if (error instanceof PaginationError && last !== undefined) return { last, calls, data: undefined, pagingProblem: error.message };
    throw error;
  }
}

function lastOf(calls: readonly CallResult<OperationId>[]): CallResult<OperationId> {
  const last = calls.at(-1);
  if (last === undefined) throw new Error('a paged read made no call');
  return last;
}
