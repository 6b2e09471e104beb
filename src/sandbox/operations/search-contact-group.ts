/**
 * `search_contact_group`: the group and mark data of the asked conversations that have any (others are left out,
 * a conversation asked twice is answered once), and the groups they are in. Works on every edition.
 */
import { contactKey } from '../conversation-key.js';
import { failure } from '../envelope.js';
import { contactGroupItem, groupItems } from './contact-views.js';
import type { OperationHandler } from './handler.js';

export const searchContactGroup: OperationHandler<'searchContactGroup'> = {
  operationId: 'searchContactGroup',
  needsConversationGroups: false,
  handle(body, { state }) {
    const user = body.From_Account;
    if (!state.hasUser(user)) return { ok: false, failure: failure(50001, `From_Account ${user} has not been imported into Chat.`) };
    const seen = new Set<string>();
    const ContactResultItem = [];
    for (const contact of body.ContactItem) {
      const key = contactKey(contact);
      if (seen.has(key)) continue;
      seen.add(key);
      const record = state.conversation(user, key);
      if (record !== undefined) ContactResultItem.push(contactGroupItem(state, user, record));
    }
    const named = new Set(ContactResultItem.flatMap((item) => item.ContactGroupId ?? []));
    const GroupItem = groupItems(state.groups(user).filter((group) => named.has(group.groupId)));
    return { ok: true, data: { ContactResultItem, GroupItem } };
  },
};
