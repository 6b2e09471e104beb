/**
 * What an operation module provides. The shared pipeline has already checked signing, rate, JSON and the spec's
 * request schema by the time `handle` runs, so a handler holds only the operation's own behaviour on the state.
 */
import type { OperationId } from '../../../generated/operations.js';
import type { operations as OperationTypes, ResponseEnvelope } from '../../../generated/types.js';
import type { Failure } from '../envelope.js';
import type { SandboxState } from '../state.js';

/** The request body as the spec types it; `handle` only ever sees bodies that passed the spec's schema. */
export type RequestBody<Id extends OperationId> = NonNullable<OperationTypes[Id]['requestBody']>['content']['application/json'];

/** The operation's success fields, without the envelope (which the pipeline adds). */
export type ResponseData<Id extends OperationId> = Omit<
  OperationTypes[Id]['responses'][200]['content']['application/json'],
  keyof ResponseEnvelope
>;

export type OperationOutcome<Id extends OperationId> =
  | { readonly ok: true; readonly data: ResponseData<Id> }
  | { readonly ok: false; readonly failure: Failure };

/** How many items a page of each paged operation holds; the vendor documents neither. */
export interface PageSizes {
  readonly getContactGroup: number;
  readonly getRecentContactList: number;
}

export interface OperationContext {
  readonly state: SandboxState;
  /** Unix seconds of this call, for the `Timestamp` of changed data. */
  readonly now: number;
  readonly pageSizes: PageSizes;
}

export interface OperationHandler<Id extends OperationId> {
  readonly operationId: Id;
  /**
   * Operations that change conversation groups need an edition with that feature (51013 otherwise, before the
   * handler runs). mark_contact decides itself (custom marks alone work on every edition); the reads and the
   * recent-contact operations (get_list, delete) work on every edition.
   */
  readonly needsConversationGroups: boolean;
  handle(body: RequestBody<Id>, context: OperationContext): OperationOutcome<Id>;
}
