/**
 * The generated types of the family as a caller meets them: conversations are a union told apart by `Type`, the
 * kinds of group update and of conversation deletion too, and the client's methods take and give these types.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  ContactGroupData,
  ContactItem,
  DeleteRecentContactRequest,
  SessionItem,
  UpdateGroup,
} from '../../generated/types.js';
import type { RequestBody } from '../../src/client/bodies.js';
import type { CallResult } from '../../src/client/call-types.js';
import type { ChatGroupsClient } from '../../src/client/client.js';

declare const chat: ChatGroupsClient;
declare const contact: ContactItem;
declare const data: ContactGroupData;
declare const session: SessionItem;
declare const update: UpdateGroup;

describe('unions on Type', () => {
  it('narrow a conversation to its peer field', () => {
    if (contact.Type === 1) expectTypeOf(contact.To_Account).toEqualTypeOf<string>();
    else expectTypeOf(contact.ToGroupId).toEqualTypeOf<string>();
    if (data.Type === 2) expectTypeOf(data.ToGroupId).toEqualTypeOf<string>();
    if (session.Type === 2) expectTypeOf(session.GroupId).toEqualTypeOf<string>();
  });

  it('narrow a group update to its kind', () => {
    if (update.UpdateGroupType === 1) expectTypeOf(update.NewGroupName).toEqualTypeOf<string>();
    else expectTypeOf(update.ContactUpdateItem?.[0]?.ContactOptType).toEqualTypeOf<1 | 2 | undefined>();
  });

  it('refuse a conversation with the other kind\'s peer field', () => {
    // @ts-expect-error a one-to-one conversation names the peer in To_Account
    const wrong: ContactItem = { Type: 1, ToGroupId: '@TGS#1' };
    // @ts-expect-error delete names a group conversation ToGroupid
    const misspelt: DeleteRecentContactRequest = { From_Account: 'a', Type: 2, ToGroupId: '@TGS#1' };
    void wrong;
    void misspelt;
  });
});

describe('the client methods of the family', () => {
  it('take the request types and give typed results', () => {
    expectTypeOf(chat.createContactGroup).parameter(0).toEqualTypeOf<RequestBody<'createContactGroup'>>();
    expectTypeOf(chat.markContact).returns.resolves.toEqualTypeOf<CallResult<'markContact'>>();
    expectTypeOf(chat.getRecentContactList).returns.resolves.toEqualTypeOf<CallResult<'getRecentContactList'>>();
    expectTypeOf(chat.deleteRecentContact).parameter(0).toEqualTypeOf<DeleteRecentContactRequest>();
  });

  it('refuse two groups in one create, at compile time', () => {
    const group = { GroupName: 'a', ContactItem: [contact] };
    // @ts-expect-error only one group per call
    void chat.createContactGroup({ From_Account: 'a', GroupContactItem: [group, group] });
    void chat.createContactGroup({ From_Account: 'a', GroupContactItem: [group] });
  });
});
