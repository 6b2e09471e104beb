/**
 * `update_contact_group`: renames a group (UpdateGroupType 1) or adds and removes its conversations (2), answering
 * the group as it is now. Adding a conversation that is already in the group, or removing one that is not, succeeds
 * without change; adding one that would take the user over 1000 grouped conversations gets ResultCode 51008.
 */
import { gatewayCodes } from '../codes.js';
import { failure, stateFullInfo } from '../envelope.js';
import { duplicateGroupNameErrorCode, maxGroupedConversations, missingOldGroupNameErrorCode } from '../spec-limits.js';
import type { OperationHandler } from './handler.js';

export const updateContactGroup: OperationHandler<'updateContactGroup'> = {
  operationId: 'updateContactGroup',
  needsConversationGroups: true,
  handle(body, { state, now }) {
    const user = body.From_Account;
    const update = body.UpdateGroup;
    if (!state.hasUser(user)) return { ok: false, failure: failure(50001, `From_Account ${user} has not been imported into Chat.`) };
    const unknownGroup = { ok: false as const, failure: failure(51009, `${user} has no conversation group named ${JSON.stringify(update.OldGroupName ?? '')}.`) };

    if (update.UpdateGroupType === 1) {
      const renamed = state.renameGroup(user, update.OldGroupName, update.NewGroupName);
      if (!renamed.ok) {
        if (renamed.reason === 'name-taken') {
          return { ok: false, failure: failure(duplicateGroupNameErrorCode.updateContactGroup, `${user} already has a conversation group named ${JSON.stringify(update.NewGroupName)}.`) };
        }
        if (renamed.reason === 'state-full') return { ok: false, failure: failure(gatewayCodes.stateFull, stateFullInfo(state.maxStateBytes)) };
        return unknownGroup;
      }
      return {
        ok: true,
        data: {
          UpdateType: body.UpdateType,
          UpdateGroupResult: { UpdateGroupType: 1, GroupName: renamed.group.name, OldGroupName: update.OldGroupName, GroupId: renamed.group.groupId },
        },
      };
    }

    // The vendor requires OldGroupName only for a rename; without it nothing names the group, and the spec records
    // the answer chosen (x-missing-old-group-name-error-code).
    if (update.OldGroupName === undefined) {
      return { ok: false, failure: failure(missingOldGroupNameErrorCode, 'UpdateGroup.OldGroupName is required to name the group whose conversations change.') };
    }
    const group = state.group(user, update.OldGroupName);
    if (group === undefined) return unknownGroup;
    // The vendor marks ContactUpdateItem optional: an absent list changes nothing.
    const ContactResultItem = (update.ContactUpdateItem ?? []).map(({ ContactOptType, ContactItem }) => {
      const outcome =
        ContactOptType === 1 ? state.addToGroup(user, group.name, ContactItem, now) : state.removeFromGroup(user, group.name, ContactItem, now);
      if (outcome === 'grouped-limit') {
        return { ContactOptType, ContactItem, ResultCode: 51008, ResultInfo: `at most ${maxGroupedConversations} conversations of a user can be in conversation groups` };
      }
      if (outcome === 'state-full') return { ContactOptType, ContactItem, ResultCode: gatewayCodes.stateFull, ResultInfo: stateFullInfo(state.maxStateBytes) };
      return { ContactOptType, ContactItem, ResultCode: 0, ResultInfo: '' };
    });
    return {
      ok: true,
      data: {
        UpdateType: body.UpdateType,
        UpdateGroupResult: { UpdateGroupType: 2, GroupName: group.name, OldGroupName: group.name, GroupId: group.groupId, ContactResultItem },
      },
    };
  },
};
