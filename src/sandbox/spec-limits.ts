/**
 * Family-wide limits the spec records as operation extensions (`x-max-groups-per-user`,
 * `x-max-grouped-conversations`, `x-max-marked-conversations`). They are not request rules, so they are not in the
 * generated operations table; the sandbox reads them from the bundled document so its data can never hold more than
 * the vendor allows.
 */
import spec from '../../generated/openapi.json' with { type: 'json' };
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

/**
 * The answers the document says an earlier success explains (`x-already-done-answers`) are, read the other way, what
 * the sandbox answers when that earlier success already happened: a create of a name the user has, a delete of a
 * group that is gone.
 */
export const groupNameTakenCode = operations.createContactGroup.alreadyDoneAnswers[0].code;
export const groupNotFoundCode = operations.delContactGroup.alreadyDoneAnswers[0].code;
