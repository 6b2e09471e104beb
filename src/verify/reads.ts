/** The reads the contract check needs between its changes: a conversation's marks, and the names of a user's groups. */
import { standardMarkBits } from '../marks.js';
import type { Conversation, ContractRun, MarksBefore } from './contract-run.js';
import { succeeded, type Exchange } from './exchange.js';

/** Pages of get_contact_group read at most; a test user has at most 20 groups and few marked conversations. */
const MAX_GROUP_PAGES = 50;

type ResultItem = Readonly<Record<string, unknown>>;

/** The item of `search_contact_group`'s answer for `conversation`, if the answer lists it. */
export function itemFor(answer: unknown, conversation: Conversation): ResultItem | undefined {
  const items = ((answer as { ContactResultItem?: unknown } | undefined)?.ContactResultItem ?? []) as readonly ResultItem[];
  return items.find((item) =>
    conversation.Type === 1
      ? item['Type'] === 1 && item['To_Account'] === conversation.To_Account
      : item['Type'] === 2 && item['ToGroupId'] === conversation.ToGroupId,
  );
}

/** The marks of one conversation from a search answer: none when it is not listed. */
export function marksOf(item: ResultItem | undefined): MarksBefore {
  const standard = item?.['StandardMark'];
  const custom = item?.['CustomMark'];
  return {
    bits: typeof standard === 'string' && /^[01]*$/.test(standard) ? standardMarkBits(standard) : [],
    customMark: typeof custom === 'string' && custom !== '' ? custom : undefined,
  };
}

export type MarksRead = { readonly ok: true; readonly marks: MarksBefore; readonly call: Exchange } | { readonly ok: false; readonly call: Exchange };

/** The owner's marks on the conversation with the peer. */
export async function readPeerMarks(run: ContractRun): Promise<MarksRead> {
  const call = await run.send('searchContactGroup', { From_Account: run.owner, ContactItem: [run.peerConversation] });
  if (!succeeded(call)) return { ok: false, call };
  return { ok: true, marks: marksOf(itemFor(call.answer, run.peerConversation)), call };
}

export type GroupsRead = { readonly ok: true; readonly names: ReadonlySet<string> } | { readonly ok: false; readonly reason: string };

/** The names of the owner's groups, every page of get_contact_group. */
export async function readOwnerGroupNames(run: ContractRun): Promise<GroupsRead> {
  const names = new Set<string>();
  let startIndex = 0;
  for (let page = 1; page <= MAX_GROUP_PAGES; page++) {
    const call = await run.send('getContactGroup', { From_Account: run.owner, StartIndex: startIndex });
    if (!succeeded(call)) return { ok: false, reason: `get_contact_group page ${page} failed` };
    const answer = call.answer as { GroupItem?: readonly { GroupName?: unknown }[]; CompleteFlag?: unknown; NextStartIndex?: unknown };
    for (const group of answer.GroupItem ?? []) if (typeof group.GroupName === 'string') names.add(group.GroupName);
    if (answer.CompleteFlag === 1) return { ok: true, names };
    if (typeof answer.NextStartIndex !== 'number' || answer.NextStartIndex === startIndex) {
      return { ok: false, reason: `get_contact_group page ${page} said more was to come without moving its cursor` };
    }
    startIndex = answer.NextStartIndex;
  }
  return { ok: false, reason: `get_contact_group was not complete after ${MAX_GROUP_PAGES} pages` };
}
