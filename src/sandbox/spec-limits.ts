/**
 * Family-wide limits the spec records as operation extensions (`x-max-groups-per-user`,
 * `x-max-grouped-conversations`, `x-max-marked-conversations`). They are not request rules, so they are not in the
 * generated operations table; the sandbox reads them from the bundled document so its data can never hold more than
 * the vendor allows.
 */
import spec from '../../generated/openapi.json' with { type: 'json' };
import { errorCodes, type DocumentedErrorCode } from '../../generated/error-codes.js';
import { operations } from '../../generated/operations.js';

function familyLimit(extension: string): number {
  for (const pathItem of Object.values(spec.paths) as Record<string, unknown>[]) {
    for (const operation of Object.values(pathItem)) {
      const value = (operation as Record<string, unknown> | null)?.[extension];
      if (typeof value === 'number') return value;
    }
  }
  throw new Error(`the spec declares no ${extension} on any operation`);
}

/** Conversation groups a user can have (51010 beyond, per the vendor). */
export const maxGroupsPerUser = familyLimit('x-max-groups-per-user');

/** Distinct conversations a user can have in groups (51008 beyond, per the vendor). */
export const maxGroupedConversations = familyLimit('x-max-grouped-conversations');

/** Distinct conversations a user can have standard or custom marks on (51008 beyond, per the vendor). */
export const maxMarkedConversations = familyLimit('x-max-marked-conversations');

/** Groups are created with names of at most this many UTF-8 bytes: the `x-max-bytes` of create_contact_group's name. */
export const maxCreatedGroupNameBytes: number =
  operations.createContactGroup.requestSchema.properties.GroupContactItem.items.properties.GroupName['x-max-bytes'];

function operationOf(operationId: string): Record<string, unknown> {
  for (const pathItem of Object.values(spec.paths) as Record<string, unknown>[]) {
    for (const operation of Object.values(pathItem)) {
      if ((operation as Record<string, unknown> | null)?.['operationId'] === operationId) return operation as Record<string, unknown>;
    }
  }
  throw new Error(`the spec has no operation ${operationId}`);
}

/** An ErrorCode the spec records as an operation extension; it must be in the catalogue. */
function operationCode(operationId: string, extension: string): DocumentedErrorCode {
  const value = operationOf(operationId)[extension];
  if (typeof value !== 'number' || !Object.hasOwn(errorCodes, value)) {
    throw new Error(`${operationId} ${extension} must be a code of the catalogue, got ${String(value)}`);
  }
  return value as DocumentedErrorCode;
}

/**
 * The answer to a second group of the same name, on create and rename (`x-duplicate-name-error-code`): the vendor
 * does not say, and the spec records the choice with its reason.
 */
export const duplicateGroupNameErrorCode = {
  createContactGroup: operationCode('createContactGroup', 'x-duplicate-name-error-code'),
  updateContactGroup: operationCode('updateContactGroup', 'x-duplicate-name-error-code'),
} as const;

/** The answer to a call over an API's rate limit (`x-rate-limit-error-code`, the same for every operation). */
export const rateLimitErrorCode: DocumentedErrorCode = operationCode('createContactGroup', 'x-rate-limit-error-code');

/** The answer to a conversation change without `OldGroupName` (`x-missing-old-group-name-error-code`). */
export const missingOldGroupNameErrorCode: DocumentedErrorCode = operationCode('updateContactGroup', 'x-missing-old-group-name-error-code');

/**
 * The answer an earlier success of a delete explains (`x-already-done-answers`) is, read the other way, what the
 * sandbox answers when that delete already happened: the group is gone.
 */
export const groupNotFoundCode = operations.delContactGroup.alreadyDoneAnswers[0].code;
