/** `del_contact_group`: deletes one conversation group of a user and answers with its name and GroupId. */
import { failure } from '../envelope.js';
import { groupNotFoundCode } from '../spec-limits.js';
import type { OperationHandler } from './handler.js';

export const delContactGroup: OperationHandler<'delContactGroup'> = {
  operationId: 'delContactGroup',
  needsConversationGroups: true,
  handle(body, { state, now }) {
    const name = body.GroupName[0];
    const result = state.deleteGroup(body.From_Account, name, now);
    if (result.ok) {
      return { ok: true, data: { GroupItem: [{ GroupName: result.group.name, GroupId: result.group.groupId }] } };
    }
    if (result.reason === 'unknown-user') {
      return { ok: false, failure: failure(50001, `From_Account ${body.From_Account} has not been imported into Chat.`) };
    }
    return { ok: false, failure: failure(groupNotFoundCode, `${body.From_Account} has no conversation group named ${JSON.stringify(name)}.`) };
  },
};
