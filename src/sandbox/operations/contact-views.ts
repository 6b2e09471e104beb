/**
 * How the sandbox writes a conversation's group and mark data into answers: the items of search_contact_group and
 * get_contact_group, the extra fields of get_list's items, and `GroupItem` lists. The `StandardMark` string comes
 * from the client's own mark helpers, so both sides share the one bit-order assumption.
 */
import type { ContactGroupData, GroupItem, SessionItem } from '../../../generated/types.js';
import { formatStandardMark } from '../../marks.js';
import type { ConversationRecord } from '../conversation-data.js';
import type { RecentEntry } from '../recent-contacts.js';
import type { GroupRecord, SandboxState } from '../state.js';

/** The group and mark fields of a conversation that has data; `CustomMark` and `ContactGroupId` only when set. */
function markFields(state: SandboxState, userId: string, record: ConversationRecord) {
  const groupIds = state.groupIdsOf(userId, record.key);
  return {
    StandardMark: formatStandardMark(record.marks),
    ...(record.customMark === '' ? {} : { CustomMark: record.customMark }),
    ...(groupIds.length === 0 ? {} : { ContactGroupId: groupIds }),
  };
}

export function contactGroupItem(state: SandboxState, userId: string, record: ConversationRecord): ContactGroupData {
  return { ...record.contact, ...markFields(state, userId, record), Timestamp: record.timestamp };
}

export function sessionItem(state: SandboxState, userId: string, entry: RecentEntry, topFlag: 0 | 1): SessionItem {
  const { contact } = entry;
  const peer = contact.Type === 1 ? { Type: 1 as const, To_Account: contact.To_Account } : { Type: 2 as const, GroupId: contact.GroupId };
  const record = state.conversation(userId, entry.key);
  return { ...peer, MsgTime: contact.MsgTime, TopFlag: topFlag, ...(record === undefined ? {} : markFields(state, userId, record)) };
}

export function groupItems(groups: readonly GroupRecord[]): GroupItem[] {
  return groups.map((group) => ({ GroupName: group.name, GroupId: group.groupId }));
}
