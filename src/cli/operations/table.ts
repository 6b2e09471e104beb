/**
 * The command table: one entry per vendor operation that has a friendly name and field flags. An operation of the
 * spec without an entry still gets a command, named after its vendor command and taking `--body` (see
 * `commands.ts`), so a newly specified operation is usable before anyone writes its entry.
 *
 * Conversations are written `user:ID` (a one-to-one conversation) or `group:GROUP_ID` (a group chat), the two kinds
 * of `ContactItem`.
 */
import { markItem, parseStandardMark, type MarkFlag } from '../../marks.js';
import { readAllContactGroups, paginateRecentContacts, type ContactGroupClient, type RecentContactClient } from '../../paginate.js';
import { field, FlagError, list, text, texts, type FlagValues, type OperationCommandSpec } from './entry.js';
import { alreadyDoneCode, byteLimit, countLimit, valueLimit } from './request-limits.js';

const USER_FLAG = { name: 'user', value: 'ID', help: 'the user (From_Account) whose data this is' } as const;
const CONTACT = 'user:ID|group:ID';

type Contact = { Type: 1; To_Account: string } | { Type: 2; [groupKey: string]: string | 2 };

/** `user:bob` → `{Type: 1, To_Account: "bob"}`, `group:@TGS#2ABC` → `{Type: 2, ToGroupId: "@TGS#2ABC"}`. */
function contact(value: string, flag: string, groupKey = 'ToGroupId'): Contact {
  const match = /^(user|group):(.+)$/.exec(value);
  // The value is not repeated: the message says what the flag takes instead.
  if (match === null) throw new FlagError(`--${flag} takes ${CONTACT}: user:bob for a one-to-one conversation, group:@TGS#2ABC for a group chat`);
  const id = match[2] as string;
  return match[1] === 'user' ? { Type: 1, To_Account: id } : { Type: 2, [groupKey]: id };
}

function contacts(values: FlagValues, flag: string): Contact[] | undefined {
  return texts(values, flag)?.map((value) => contact(value, flag));
}

/** How a ContactItem reads back on screen, in the notation the flags take. */
function contactText(item: Readonly<Record<string, unknown>> | undefined): string {
  if (item === undefined) return '?';
  if (item['Type'] === 1) return `user:${String(item['To_Account'])}`;
  return `group:${String(item['ToGroupId'] ?? item['GroupId'] ?? item['ToGroupid'])}`;
}

function items(data: Readonly<Record<string, unknown>>, key: string): Readonly<Record<string, unknown>>[] {
  const value = data[key];
  return Array.isArray(value) ? (value as Readonly<Record<string, unknown>>[]) : [];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `--set star,unread,40`: names or REST bit numbers, as marks.ts takes them. */
function markFlags(values: FlagValues, flag: string): (MarkFlag | number)[] | undefined {
  return list(values, flag)?.map((value) => (/^[0-9]+$/.test(value) ? Number(value) : (value as MarkFlag)));
}

function user(request: Readonly<Record<string, unknown>>): string {
  return String(request['From_Account']);
}

const createGroup: OperationCommandSpec = {
  name: 'create-group',
  vendorCommand: 'create_contact_group',
  summary: 'Create a conversation group of a user with its first conversations',
  description:
    'Creates the group --group for --user holding the conversations given with --contact (at least one; repeat the\n' +
    `flag for more). A name the user already has is refused (${alreadyDoneCode('createContactGroup')}). Exit 1 also when the group was created but some\n` +
    'conversations could not be put in it (a partial success, listed on stderr).',
  flags: [
    USER_FLAG,
    { name: 'group', value: 'NAME', help: `the new group name (GroupName), ${byteLimit('createContactGroup', 'GroupContactItem', '[]', 'GroupName')}` },
    { name: 'contact', value: CONTACT, help: 'a conversation to put in it (ContactItem); repeat for more', multiple: true },
  ],
  body: (values) => {
    const group = text(values, 'group');
    const conversations = contacts(values, 'contact');
    const created = group === undefined && conversations === undefined ? undefined : [{ ...field('GroupName', group), ...field('ContactItem', conversations) }];
    return { ...field('From_Account', text(values, 'user')), ...field('GroupContactItem', created) };
  },
  fieldFlags: {
    From_Account: '--user',
    GroupContactItem: '--group and --contact',
    'GroupContactItem[0].GroupName': '--group',
    'GroupContactItem[0].ContactItem': '--contact',
  },
  describe: (data, request) => {
    const [created] = items(data, 'GroupResultItem');
    const group = (created?.['GroupItem'] ?? {}) as Readonly<Record<string, unknown>>;
    const results = Array.isArray(created?.['ResultItem']) ? (created['ResultItem'] as unknown[]) : [];
    return `Created conversation group "${String(group['GroupName'])}" (GroupId ${String(group['GroupId'])}) of ${user(request)} with ${plural(results.length, 'conversation')}.`;
  },
  examples: [
    'chat-groups create-group --user alice --group work --contact user:bob --contact group:@TGS#2ABC',
    'chat-groups create-group --group support --contact group:@TGS#2HELP --users-file users.txt --results created.ndjson',
  ],
};

const updateGroup: OperationCommandSpec = {
  name: 'update-group',
  vendorCommand: 'update_contact_group',
  summary: 'Rename a conversation group, or add and remove its conversations',
  description:
    'Changes the group --group of --user: either renames it (--rename-to) or adds and removes conversations (--add,\n' +
    '--remove, each repeatable), one kind of change per call. Adding a conversation already in the group, or removing\n' +
    'one that is not, changes nothing and succeeds.',
  flags: [
    USER_FLAG,
    { name: 'group', value: 'NAME', help: 'the group to change (OldGroupName)' },
    { name: 'rename-to', value: 'NAME', help: `its new name (NewGroupName), ${byteLimit('updateContactGroup', 'UpdateGroup', 'NewGroupName')}` },
    { name: 'add', value: CONTACT, help: 'a conversation to add; repeat for more', multiple: true },
    { name: 'remove', value: CONTACT, help: 'a conversation to remove; repeat for more', multiple: true },
  ],
  body: (values) => {
    const oldName = text(values, 'group');
    const newName = text(values, 'rename-to');
    const changes = [
      ...(contacts(values, 'add') ?? []).map((item) => ({ ContactOptType: 1, ContactItem: item })),
      ...(contacts(values, 'remove') ?? []).map((item) => ({ ContactOptType: 2, ContactItem: item })),
    ];
    if (newName !== undefined && changes.length > 0) throw new FlagError('one kind of change per call: --rename-to, or --add/--remove');
    const base = field('From_Account', text(values, 'user'));
    if (newName !== undefined) return { ...base, UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, ...field('OldGroupName', oldName), NewGroupName: newName } };
    if (changes.length > 0) return { ...base, UpdateType: 1, UpdateGroup: { UpdateGroupType: 2, ...field('OldGroupName', oldName), ContactUpdateItem: changes } };
    if (oldName !== undefined) throw new FlagError('say what to change: --rename-to NAME, or --add/--remove user:ID|group:ID');
    return base;
  },
  fieldFlags: {
    From_Account: '--user',
    UpdateType: '--rename-to or --add/--remove',
    UpdateGroup: '--rename-to or --add/--remove',
    'UpdateGroup.OldGroupName': '--group',
    'UpdateGroup.NewGroupName': '--rename-to',
    'UpdateGroup.ContactUpdateItem': '--add/--remove',
  },
  describe: (data, request) => {
    const result = (data['UpdateGroupResult'] ?? {}) as Readonly<Record<string, unknown>>;
    const id = `(GroupId ${String(result['GroupId'])})`;
    if (result['UpdateGroupType'] === 1) {
      return `Renamed conversation group "${String(result['OldGroupName'])}" of ${user(request)} to "${String(result['GroupName'])}" ${id}.`;
    }
    const changed = items(result, 'ContactResultItem');
    const added = changed.filter((item) => item['ContactOptType'] === 1).length;
    return `Changed conversation group "${String(result['GroupName'])}" ${id} of ${user(request)}: ${added} added, ${changed.length - added} removed.`;
  },
  examples: [
    'chat-groups update-group --user alice --group work --rename-to office',
    'chat-groups update-group --user alice --group work --add user:dave --remove group:@TGS#2ABC',
  ],
};

const deleteGroup: OperationCommandSpec = {
  name: 'delete-group',
  vendorCommand: 'del_contact_group',
  summary: "Delete one of a user's conversation groups",
  description:
    'Deletes the conversation group named by --group from the user named by --user. The conversations in it stay;\n' +
    `only the grouping goes. Deleting a group that does not exist is ErrorCode ${alreadyDoneCode('delContactGroup')} (exit 1).`,
  flags: [USER_FLAG, { name: 'group', value: 'NAME', help: `the group name (GroupName), ${byteLimit('delContactGroup', 'GroupName', '[]')}` }],
  body: (values) => {
    const group = text(values, 'group');
    return { ...field('From_Account', text(values, 'user')), ...field('GroupName', group === undefined ? undefined : [group]) };
  },
  fieldFlags: { From_Account: '--user', GroupName: '--group' },
  describe: (data, request) => {
    const groups = items(data, 'GroupItem').map((item) => `"${String(item['GroupName'])}" (GroupId ${String(item['GroupId'])})`);
    return `Deleted conversation group ${groups.join(', ') || JSON.stringify(request['GroupName'])} of ${user(request)}.`;
  },
  examples: [
    'chat-groups delete-group --user alice --group work',
    'chat-groups delete-group --group work --users-file users.txt --results results.ndjson',
  ],
};

const mark: OperationCommandSpec = {
  name: 'mark',
  vendorCommand: 'mark_contact',
  summary: "Set or clear marks (star, unread, fold, hide, the app's own) on a user's conversations",
  description:
    `Applies the same change to every --contact (${countLimit('markContact', 'MarkItem')}): --set and --clear take mark names (star, unread, fold,\n` +
    `hide, customer-1 … customer-32) or REST bit numbers ${valueLimit('markContact', 'MarkItem', '[]', 'SetMark', '[]')}, comma-separated or repeated; --custom-mark sets the\n` +
    'custom mark ("" clears it). A partial success (some conversations not marked) exits 1.',
  flags: [
    USER_FLAG,
    { name: 'contact', value: CONTACT, help: 'a conversation to mark; repeat for more', multiple: true },
    { name: 'set', value: 'MARKS', help: 'marks to set, e.g. star,unread', multiple: true },
    { name: 'clear', value: 'MARKS', help: 'marks to clear, e.g. hide', multiple: true },
    { name: 'custom-mark', value: 'TEXT', help: `the custom mark, ${byteLimit('markContact', 'MarkItem', '[]', 'CustomMark')} ("" clears it)` },
  ],
  body: (values) => {
    const conversations = contacts(values, 'contact');
    const changes = {
      ...field('set', markFlags(values, 'set')),
      ...field('clear', markFlags(values, 'clear')),
      ...field('customMark', text(values, 'custom-mark')),
    };
    let markItems;
    try {
      markItems = conversations?.map((item) => markItem(item as never, changes));
    } catch (error) {
      if (error instanceof RangeError) throw new FlagError(`--set/--clear/--custom-mark: ${error.message}`);
      throw error;
    }
    return { ...field('From_Account', text(values, 'user')), ...field('MarkItem', markItems) };
  },
  fieldFlags: { From_Account: '--user', MarkItem: '--contact', 'MarkItem[0].ContactItem': '--contact', 'MarkItem[0].CustomMark': '--custom-mark' },
  describe: (data, request) => `Marked ${plural(items(data, 'ResultItem').length, 'conversation')} of ${user(request)}.`,
  examples: [
    'chat-groups mark --user alice --contact user:bob --contact group:@TGS#2ABC --set star --clear hide',
    'chat-groups mark --user alice --contact user:bob --custom-mark "call back"',
  ],
};

/** Group names by GroupId, from the GroupItem list of a search or listing. */
function groupNames(data: Readonly<Record<string, unknown>>): Map<unknown, string> {
  return new Map(items(data, 'GroupItem').map((item) => [item['GroupId'], String(item['GroupName'])]));
}

/** One conversation's group and mark data on a line. */
function contactDataLine(item: Readonly<Record<string, unknown>>, names: ReadonlyMap<unknown, string>): string {
  const groups = Array.isArray(item['ContactGroupId']) ? (item['ContactGroupId'] as unknown[]).map((id) => names.get(id) ?? `#${String(id)}`) : [];
  let marks: string[] = [];
  if (typeof item['StandardMark'] === 'string') {
    try {
      marks = [...parseStandardMark(item['StandardMark'])];
    } catch {
      marks = [`StandardMark ${item['StandardMark']}`];
    }
  }
  const parts = [
    contactText(item),
    ...(groups.length === 0 ? [] : [`groups: ${groups.join(', ')}`]),
    ...(marks.length === 0 ? [] : [`marks: ${marks.join(', ')}`]),
    ...(typeof item['CustomMark'] === 'string' && item['CustomMark'] !== '' ? [`custom mark: ${JSON.stringify(item['CustomMark'])}`] : []),
  ];
  return `  ${parts.join('  ')}`;
}

const searchGroups: OperationCommandSpec = {
  name: 'search-groups',
  vendorCommand: 'search_contact_group',
  summary: 'Show the groups and marks of some of a user\'s conversations',
  description: `Looks up ${countLimit('searchContactGroup', 'ContactItem')} conversations (--contact, repeatable). Conversations without group or mark data are not listed.`,
  flags: [USER_FLAG, { name: 'contact', value: CONTACT, help: 'a conversation to look up; repeat for more', multiple: true }],
  body: (values) => ({ ...field('From_Account', text(values, 'user')), ...field('ContactItem', contacts(values, 'contact')) }),
  fieldFlags: { From_Account: '--user', ContactItem: '--contact' },
  describe: (data, request) => {
    const found = items(data, 'ContactResultItem');
    if (found.length === 0) return `No group or mark data for these conversations of ${user(request)}.`;
    const names = groupNames(data);
    return [`${plural(found.length, 'conversation')} of ${user(request)} with group or mark data:`, ...found.map((item) => contactDataLine(item, names))].join('\n');
  },
  examples: ['chat-groups search-groups --user alice --contact user:bob --contact group:@TGS#2ABC'],
};

const listGroups: OperationCommandSpec = {
  name: 'list-groups',
  vendorCommand: 'get_contact_group',
  summary: "List a user's conversation groups and marked conversations (every page)",
  description: 'Reads every page (StartIndex 0, then each NextStartIndex until CompleteFlag is 1) and prints them as one list.',
  flags: [USER_FLAG],
  body: (values) => ({ ...field('From_Account', text(values, 'user')), StartIndex: 0 }),
  fieldFlags: { From_Account: '--user' },
  paging: {
    readAll: (call, request) => readAllContactGroups({ getContactGroup: call } as unknown as ContactGroupClient, user(request)) as Promise<Record<string, unknown>>,
  },
  describe: (data, request) => {
    const groups = items(data, 'GroupItem');
    const conversations = items(data, 'ContactItem');
    const names = groupNames(data);
    const members = (groupId: unknown): string[] =>
      conversations.filter((item) => Array.isArray(item['ContactGroupId']) && (item['ContactGroupId'] as unknown[]).includes(groupId)).map(contactText);
    return [
      `${user(request)} has ${plural(groups.length, 'conversation group')}${groups.length === 0 ? '.' : ':'}`,
      ...groups.map((group) => {
        const inGroup = members(group['GroupId']);
        return `  ${String(group['GroupName'])} (GroupId ${String(group['GroupId'])}): ${inGroup.length === 0 ? 'no conversations' : inGroup.join(', ')}`;
      }),
      `${plural(conversations.length, 'conversation')} with group or mark data${conversations.length === 0 ? '.' : ':'}`,
      ...conversations.map((item) => contactDataLine(item, names)),
    ].join('\n');
  },
  examples: ['chat-groups list-groups --user alice', 'chat-groups list-groups --user alice --json | jq .data.GroupItem'],
};

const DEFAULT_ASSIST_FLAGS = 63;

const recentContacts: OperationCommandSpec = {
  name: 'recent-contacts',
  vendorCommand: 'get_list',
  summary: "List a user's conversation list (recent contacts, every page)",
  description:
    'Reads every page (the four cursor fields from 0, then as answered, until CompleteFlag is 1) and prints them as\n' +
    `one list, pinned conversations first. --assist-flags defaults to ${DEFAULT_ASSIST_FLAGS}, which the vendor's newest page asks for.`,
  flags: [USER_FLAG, { name: 'assist-flags', value: 'N', help: `AssistFlags bits (default ${DEFAULT_ASSIST_FLAGS})` }],
  body: (values) => {
    const flags = text(values, 'assist-flags');
    return {
      ...field('From_Account', text(values, 'user')),
      TimeStamp: 0,
      StartIndex: 0,
      TopTimeStamp: 0,
      TopStartIndex: 0,
      // A non-number is passed on as it is, so the spec check names the flag and the rule.
      AssistFlags: flags === undefined ? DEFAULT_ASSIST_FLAGS : /^[0-9]+$/.test(flags) ? Number(flags) : flags,
    };
  },
  fieldFlags: { From_Account: '--user', AssistFlags: '--assist-flags' },
  paging: {
    readAll: async (call, request) => {
      const sessions: unknown[] = [];
      const client = { getRecentContactList: call } as unknown as RecentContactClient;
      for await (const session of paginateRecentContacts(client, user(request), { assistFlags: Number(request['AssistFlags']) })) sessions.push(session);
      return { SessionItem: sessions };
    },
  },
  describe: (data, request) => {
    const sessions = items(data, 'SessionItem');
    return [
      `${user(request)} has ${plural(sessions.length, 'conversation')} in the list${sessions.length === 0 ? '.' : ':'}`,
      ...sessions.map((item) => {
        const time = typeof item['MsgTime'] === 'number' ? new Date(item['MsgTime'] * 1000).toISOString().replace('.000Z', 'Z') : '?';
        return `  ${contactText(item)}  last message ${time}${item['TopFlag'] === 1 ? '  pinned' : ''}`;
      }),
    ].join('\n');
  },
  examples: ['chat-groups recent-contacts --user alice', 'chat-groups recent-contacts --user alice --json | jq .data.SessionItem'],
};

const deleteRecentContact: OperationCommandSpec = {
  name: 'delete-recent-contact',
  vendorCommand: 'delete',
  summary: "Delete a conversation from a user's conversation list",
  description:
    'Removes --contact from the conversation list of --user; with --clear-messages its roaming (cloud) messages go\n' +
    'too. Its groups and marks stay. A conversation that is not in the list is deleted without complaint.',
  flags: [
    USER_FLAG,
    { name: 'contact', value: CONTACT, help: 'the conversation to delete' },
    { name: 'clear-messages', help: "also delete the conversation's roaming messages (ClearRamble 1)" },
  ],
  body: (values) => {
    const value = text(values, 'contact');
    // This API spells the chat group's field ToGroupid, unlike the group and mark APIs.
    const peer = value === undefined ? {} : contact(value, 'contact', 'ToGroupid');
    return { ...field('From_Account', text(values, 'user')), ...peer, ...(values['clear-messages'] === true ? { ClearRamble: 1 } : {}) };
  },
  fieldFlags: { From_Account: '--user', Type: '--contact', To_Account: '--contact', ToGroupid: '--contact' },
  describe: (_data, request) =>
    `Deleted the conversation with ${contactText(request)} from the conversation list of ${user(request)}${request['ClearRamble'] === 1 ? ', with its roaming messages' : ''}.`,
  examples: ['chat-groups delete-recent-contact --user alice --contact user:bob', 'chat-groups delete-recent-contact --user alice --contact group:@TGS#2ABC --clear-messages'],
};

export const operationCommandSpecs: readonly OperationCommandSpec[] = [
  createGroup,
  updateGroup,
  deleteGroup,
  mark,
  searchGroups,
  listGroups,
  recentContacts,
  deleteRecentContact,
];
