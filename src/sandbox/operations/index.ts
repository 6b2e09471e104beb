/**
 * The one table of operation handlers. It must name a handler for every operation in the spec: adding an operation
 * to openapi/ and regenerating makes this file fail to compile until its handler module is written and listed here.
 */
import { operations, type OperationId } from '../../../generated/operations.js';
import { createContactGroup } from './create-contact-group.js';
import { delContactGroup } from './del-contact-group.js';
import { deleteRecentContact } from './delete-recent-contact.js';
import { getContactGroup } from './get-contact-group.js';
import { getRecentContactList } from './get-recent-contact-list.js';
import type { OperationHandler } from './handler.js';
import { markContact } from './mark-contact.js';
import { searchContactGroup } from './search-contact-group.js';
import { updateContactGroup } from './update-contact-group.js';

export const handlers: { readonly [Id in OperationId]: OperationHandler<Id> } = {
  createContactGroup,
  updateContactGroup,
  delContactGroup,
  searchContactGroup,
  getContactGroup,
  markContact,
  getRecentContactList,
  deleteRecentContact,
};

export interface Route {
  readonly operationId: OperationId;
  readonly vendorCommand: string;
  /** Upper-case HTTP method from the spec (POST for every vendor operation). */
  readonly method: string;
  readonly badRequestErrorCode: number;
  readonly handler: OperationHandler<OperationId>;
}

/** Path → route, for every operation of the spec. */
export function buildRoutes(): ReadonlyMap<string, Route> {
  const routes = new Map<string, Route>();
  for (const operationId of Object.keys(operations) as OperationId[]) {
    const operation = operations[operationId];
    routes.set(operation.path, {
      operationId,
      vendorCommand: operation.vendorCommand,
      method: operation.method.toUpperCase(),
      badRequestErrorCode: operation.badRequestErrorCode,
      handler: handlers[operationId] as OperationHandler<OperationId>,
    });
  }
  return routes;
}
