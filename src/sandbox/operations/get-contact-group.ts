/**
 * `get_contact_group`: one page of the user's conversations with group or mark data, in the order they first got
 * some, from `StartIndex`; every live group of the user with each page. `NextStartIndex` is the index after the
 * page, and 0 with `CompleteFlag` 1 on the last page, as in the vendor's sample. Works on every edition.
 */
import { failure } from '../envelope.js';
import { contactGroupItem, groupItems } from './contact-views.js';
import type { OperationHandler } from './handler.js';

export const getContactGroup: OperationHandler<'getContactGroup'> = {
  operationId: 'getContactGroup',
  needsConversationGroups: false,
  handle(body, { state, pageSizes }) {
    const user = body.From_Account;
    if (!state.hasUser(user)) return { ok: false, failure: failure(50001, `From_Account ${user} has not been imported into Chat.`) };
    const conversations = state.conversations(user);
    const end = body.StartIndex + pageSizes.getContactGroup;
    const complete = end >= conversations.length;
    return {
      ok: true,
      data: {
        ContactItem: conversations.slice(body.StartIndex, end).map((record) => contactGroupItem(state, user, record)),
        GroupItem: groupItems(state.groups(user)),
        CompleteFlag: complete ? 1 : 0,
        NextStartIndex: complete ? 0 : end,
      },
    };
  },
};
