/**
 * `get_list`: one page of the user's conversation list with the cursor of the next page (see recent-contacts.ts
 * for the cursor the sandbox chooses), each conversation with its marks and groups when it has any, as the newest
 * vendor page shows. Works on every edition.
 */
import { failure } from '../envelope.js';
import { sessionItem } from './contact-views.js';
import type { OperationHandler } from './handler.js';

export const getRecentContactList: OperationHandler<'getRecentContactList'> = {
  operationId: 'getRecentContactList',
  needsConversationGroups: false,
  handle(body, { state, pageSizes }) {
    const user = body.From_Account;
    const recent = state.recentContacts(user);
    if (recent === undefined) return { ok: false, failure: failure(50001, `From_Account ${user} has not been imported into Chat.`) };
    const { TimeStamp, StartIndex, TopTimeStamp, TopStartIndex } = body;
    const page = recent.page({ TimeStamp, StartIndex, TopTimeStamp, TopStartIndex }, body.AssistFlags, pageSizes.getRecentContactList);
    return {
      ok: true,
      data: {
        SessionItem: page.items.map(({ entry, topFlag }) => sessionItem(state, user, entry, topFlag)),
        CompleteFlag: page.complete ? 1 : 0,
        ...page.cursor,
      },
    };
  },
};
