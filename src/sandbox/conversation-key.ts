/**
 * One key per conversation, whatever an API calls its peer field: a one-to-one conversation is `1:<UserID>`, a group
 * conversation `2:<group ID>` (`ToGroupId` in the group and mark APIs, `GroupId` in get_list, `ToGroupid` in delete).
 * The group and mark data and the conversation list are kept apart, as the vendor keeps them, and meet on this key.
 */
export type ConversationType = 1 | 2;

export function conversationKey(type: ConversationType, peer: string): string {
  return `${type}:${peer}`;
}

/** The key of a `ContactItem` of the group and mark APIs. */
export function contactKey(contact: { readonly Type: 1; readonly To_Account: string } | { readonly Type: 2; readonly ToGroupId: string }): string {
  return contact.Type === 1 ? conversationKey(1, contact.To_Account) : conversationKey(2, contact.ToGroupId);
}
