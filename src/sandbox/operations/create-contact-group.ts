/**
 * `create_contact_group`: creates one group and puts the request's conversations in it, with one result per
 * conversation. A conversation that would take the user over 1000 grouped conversations gets ResultCode 51008 while
 * the group is still created: a partial success.
 */
import { gatewayCodes } from '../codes.js';
import { failure, stateFullInfo } from '../envelope.js';
import { duplicateGroupNameErrorCode, maxGroupedConversations, maxGroupsPerUser } from '../spec-limits.js';
import type { OperationHandler } from './handler.js';

export const createContactGroup: OperationHandler<'createContactGroup'> = {
  operationId: 'createContactGroup',
  needsConversationGroups: true,
  handle(body, { state, now }) {
    const user = body.From_Account;
    const [request] = body.GroupContactItem;
    const created = state.createGroup(user, request.GroupName);
    if (!created.ok) {
      switch (created.reason) {
        case 'unknown-user':
          return { ok: false, failure: failure(50001, `From_Account ${user} has not been imported into Chat.`) };
        case 'too-many-groups':
          return { ok: false, failure: failure(51010, `${user} already has ${maxGroupsPerUser} conversation groups, the most a user can have.`) };
        case 'name-taken':
          // The vendor names no code for a duplicate name; the spec records the one chosen (x-duplicate-name-error-code).
          return { ok: false, failure: failure(duplicateGroupNameErrorCode.createContactGroup, `${user} already has a conversation group named ${JSON.stringify(request.GroupName)}.`) };
        case 'state-full':
          return { ok: false, failure: failure(gatewayCodes.stateFull, stateFullInfo(state.maxStateBytes)) };
      }
    }
    const { group } = created;
    const ResultItem = (request.ContactItem ?? []).map((contact) => {
      const outcome = state.addToGroup(user, group.name, contact, now);
      if (outcome === 'grouped-limit') {
        return { ContactItem: contact, ResultCode: 51008, ResultInfo: `at most ${maxGroupedConversations} conversations of a user can be in conversation groups` };
      }
      if (outcome === 'state-full') return { ContactItem: contact, ResultCode: gatewayCodes.stateFull, ResultInfo: stateFullInfo(state.maxStateBytes) };
      return { ContactItem: contact, ResultCode: 0, ResultInfo: '' };
    });
    return { ok: true, data: { GroupResultItem: [{ GroupItem: { GroupName: group.name, GroupId: group.groupId }, ResultItem }] } };
  },
};
