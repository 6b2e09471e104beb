/**
 * The JSON bodies of each operation, read from the generated types: what a call sends and what its HTTP 200 answer
 * holds. Kept apart from the call's result types so the failures (errors.ts) can name a body without depending on
 * the call.
 */
import type { OperationId } from '../../generated/operations.js';
import type { operations as OperationTypes } from '../../generated/types.js';

/** The JSON body an operation takes. */
export type RequestBody<Op extends OperationId> = OperationTypes[Op] extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : Record<string, never>;

/** The JSON body of an operation's HTTP 200 answer (success and business failures share it). */
export type ResponseBody<Op extends OperationId> = OperationTypes[Op] extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;
