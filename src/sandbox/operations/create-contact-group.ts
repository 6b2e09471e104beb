/**
 * `create_contact_group`: creates one group and puts the request's conversations in it, with one result per
 * conversation. A conversation that would take the user over 1000 grouped conversations gets ResultCode 51008 while
 * the group is still created: a partial success.
 */
import { failure } from '../envelope.js';
import { groupNameTakenCode, maxGroupedConversations, maxGroupsPerUser } from '../spec-limits.js';
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
          // The vendor names no code for a duplicate name; the document's x-already-done-answers says which (inferred).
          return { ok: false, failure: failure(groupNameTakenCode, `${user} already has a conversation group named ${JSON.stringify(request.GroupName)}.`) };
      }
    }
    const { group } = created;
    const ResultItem = request.ContactItem.map((contact) =>
      state.addToGroup(user, group.name, contact, now) === 'grouped-limit'
        ? { ContactItem: contact, ResultCode: 51008, ResultInfo: `at most ${maxGroupedConversations} conversations of a user can be in conversation groups` }
        : { ContactItem: contact, ResultCode: 0, ResultInfo: '' },
    );
    return { ok: true, data: { GroupResultItem: [{ GroupItem: { GroupName: group.name, GroupId: group.groupId }, ResultItem }] } };
  },
};
