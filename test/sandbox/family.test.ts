/**
 * The sandbox's behaviour for each operation of the family, one documented outcome at a time: state changes, every
 * error code it answers and the choices it makes where the vendor is silent (docs/sandbox.md). Requests the
 * typed client refuses before sending are sent unchecked through `client.raw`, so the sandbox's own answer is seen.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContactItem } from '../../generated/types.js';
import type { CallResult } from '../../src/client/call-types.js';
import { createChatGroupsClient, type ChatGroupsClient } from '../../src/client/client.js';
import type { OperationId } from '../../generated/operations.js';
import { markItem, parseStandardMark } from '../../src/marks.js';
import {
  DEFAULT_PAGE_SIZES,
  DEVELOPMENT_SECRET_KEY,
  FixtureError,
  defaultFixture,
  parseFixture,
  startSandbox,
  type Fixture,
  type RunningSandbox,
  type SandboxOptions,
} from '../../src/sandbox/index.js';

const bob: ContactItem = { Type: 1, To_Account: 'bob' };
const carol: ContactItem = { Type: 1, To_Account: 'carol' };
const team: ContactItem = { Type: 2, ToGroupId: '@TGS#2TEAM' };
const START_MS = 1_750_000_000_000;

const running: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

let clockMs = START_MS;

async function sandbox(options: SandboxOptions = {}): Promise<{ sandbox: RunningSandbox; api: ChatGroupsClient }> {
  clockMs = START_MS;
  const started = await startSandbox({ rateLimit: 'off', clock: () => clockMs, ...options });
  running.push(started);
  const api = createChatGroupsClient({
    sdkAppId: started.state.sdkAppId,
    identifier: [...started.state.admins][0] ?? 'administrator',
    secretKey: DEVELOPMENT_SECRET_KEY,
    baseUrl: started.url,
  });
  return { sandbox: started, api };
}

function codeOf<Op extends OperationId>(result: CallResult<Op>): number {
  if (result.ok) return 0;
  return result.error.code ?? -1;
}

/** Sends a body the client would refuse, and answers the sandbox's ErrorCode. */
async function rawCode(api: ChatGroupsClient, path: string, body: unknown): Promise<number> {
  const { data } = await (api.raw.POST as (path: string, init: { body: unknown }) => Promise<{ data?: unknown }>)(path, { body });
  return (data as { ErrorCode: number }).ErrorCode;
}

const standard: Fixture = { ...defaultFixture, edition: 'standard' };
const create = (user: string, name: string, contacts: ContactItem[] = [bob]) => ({ From_Account: user, GroupContactItem: [{ GroupName: name, ContactItem: contacts }] as [{ GroupName: string; ContactItem: ContactItem[] }] });
const rename = (user: string, from: string, to: string) => ({ From_Account: user, UpdateType: 1 as const, UpdateGroup: { UpdateGroupType: 1 as const, OldGroupName: from, NewGroupName: to } });
type ContactUpdate = { ContactOptType: 1 | 2; ContactItem: ContactItem };
const change = (user: string, name: string, items: [ContactUpdate, ...ContactUpdate[]]) => ({
  From_Account: user,
  UpdateType: 1 as const,
  UpdateGroup: { UpdateGroupType: 2 as const, OldGroupName: name, ContactUpdateItem: items },
});

describe('create_contact_group', () => {
  it('assigns the next GroupId (never reused), puts the conversations in and stamps them with the call time', async () => {
    const { sandbox: target, api } = await sandbox();
    clockMs = START_MS + 5_000;
    const result = await api.createContactGroup(create('alice', 'golf', [bob, team]));
    expect(result.ok && result.data.GroupResultItem?.[0]?.GroupItem).toEqual({ GroupName: 'golf', GroupId: 4 });
    expect(target.state.group('alice', 'golf')?.contacts).toEqual([bob, team]);
    expect(target.state.conversation('alice', '2:@TGS#2TEAM')?.timestamp).toBe(START_MS / 1000 + 5);
    await api.delContactGroup({ From_Account: 'alice', GroupName: ['golf'] });
    const again = await api.createContactGroup(create('alice', 'golf'));
    expect(again.ok && again.data.GroupResultItem?.[0]?.GroupItem.GroupId).toBe(5);
  });

  it('answers 50001 for a user never imported and 51013 on an edition without groups', async () => {
    expect(codeOf(await (await sandbox()).api.createContactGroup(create('nobody', 'x')))).toBe(50001);
    const { api, sandbox: target } = await sandbox({ fixture: standard });
    expect(codeOf(await api.createContactGroup(create('alice', 'x')))).toBe(51013);
    expect(target.state.group('alice', 'x')).toBeUndefined();
  });

  it('answers 50002 for a second group of the same name, and leaves the first alone', async () => {
    const { api, sandbox: target } = await sandbox();
    const result = await api.createContactGroup(create('alice', 'work', [carol]));
    expect(codeOf(result)).toBe(50002);
    expect(result.ok ? '' : result.error.kind === 'api' && result.error.info).toContain('already has a conversation group named "work"');
    expect(target.state.group('alice', 'work')?.contacts).not.toContainEqual(carol);
  });

  it('answers 51010 for the 21st group of a user', async () => {
    const { api } = await sandbox();
    for (let index = 0; index < 17; index++) expect(codeOf(await api.createContactGroup(create('alice', `g${index}`)))).toBe(0);
    expect(codeOf(await api.createContactGroup(create('alice', 'one-too-many')))).toBe(51010);
  });

  it('answers the limits the client checks with their own codes when sent unchecked: 51011 and 50002', async () => {
    const { api } = await sandbox();
    const path = '/v4/recentcontact/create_contact_group';
    expect(await rawCode(api, path, create('alice', '群'.repeat(21) + 'xy'))).toBe(51011);
    expect(await rawCode(api, path, create('alice', 'big', Array.from({ length: 101 }, (_, index) => ({ Type: 1, To_Account: `p${index}` }))))).toBe(50002);
    expect(await rawCode(api, path, { From_Account: 'alice', GroupContactItem: [create('alice', 'a').GroupContactItem[0], create('alice', 'b').GroupContactItem[0]] })).toBe(50002);
  });

  it('answers a conversation repeated in the request as already done', async () => {
    const { api, sandbox: target } = await sandbox();
    const result = await api.createContactGroup(create('carol', 'twice', [bob, bob]));
    expect(result.ok && result.data.GroupResultItem?.[0]?.ResultItem.map((item) => item.ResultCode)).toEqual([0, 0]);
    expect(target.state.group('carol', 'twice')?.contacts).toEqual([bob]);
  });
});

describe('update_contact_group', () => {
  it('renames a group keeping its GroupId and conversations; the old name is then unknown (51009)', async () => {
    const { api, sandbox: target } = await sandbox();
    const result = await api.updateContactGroup(rename('alice', 'work', 'office'));
    expect(result.ok && result.data).toEqual({
      UpdateType: 1,
      UpdateGroupResult: { UpdateGroupType: 1, GroupName: 'office', OldGroupName: 'work', GroupId: 1 },
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
    });
    expect(target.state.group('alice', 'office')?.contacts).toHaveLength(2);
    expect(codeOf(await api.updateContactGroup(rename('alice', 'work', 'again')))).toBe(51009);
    expect(codeOf(await api.delContactGroup({ From_Account: 'alice', GroupName: ['work'] }))).toBe(51009);
    expect(codeOf(await api.delContactGroup({ From_Account: 'alice', GroupName: ['office'] }))).toBe(0);
  });

  it('answers 50002 for a new name another group has, and accepts the group\'s own name', async () => {
    const { api } = await sandbox();
    expect(codeOf(await api.updateContactGroup(rename('alice', 'work', 'family')))).toBe(50002);
    expect(codeOf(await api.updateContactGroup(rename('alice', 'work', 'work')))).toBe(0);
  });

  it('adds and removes conversations, treating an existing member or an absent one as done', async () => {
    const { api, sandbox: target } = await sandbox();
    const result = await api.updateContactGroup(
      change('alice', 'work', [
        { ContactOptType: 1, ContactItem: carol },
        { ContactOptType: 1, ContactItem: bob },
        { ContactOptType: 2, ContactItem: { Type: 2, ToGroupId: '@TGS#2ABC' } },
        { ContactOptType: 2, ContactItem: team },
      ]),
    );
    expect(result.ok && result.data.UpdateGroupResult?.ContactResultItem?.map((item) => item.ResultCode)).toEqual([0, 0, 0, 0]);
    expect(target.state.group('alice', 'work')?.contacts).toEqual([bob, carol]);
  });

  it('answers 51009 for an unknown group, 50001 for an unknown user and 51013 on an edition without groups', async () => {
    const { api } = await sandbox();
    expect(codeOf(await api.updateContactGroup(change('alice', 'golf', [{ ContactOptType: 1, ContactItem: bob }])))).toBe(51009);
    expect(codeOf(await api.updateContactGroup(rename('nobody', 'a', 'b')))).toBe(50001);
    expect(codeOf(await (await sandbox({ fixture: standard })).api.updateContactGroup(rename('alice', 'work', 'x')))).toBe(51013);
  });

  it('answers 51008 for each conversation that would be the 1001st grouped one', async () => {
    const fixture: Fixture = {
      ...defaultFixture,
      users: { ivy: { groups: { full: Array.from({ length: 1000 }, (_, index) => ({ Type: 1 as const, To_Account: `p${index}` })), other: [] } } },
    };
    const { api } = await sandbox({ fixture });
    const result = await api.updateContactGroup(
      change('ivy', 'other', [
        { ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'p1' } },
        { ContactOptType: 1, ContactItem: bob },
      ]),
    );
    expect(result.ok && result.data.UpdateGroupResult?.ContactResultItem?.map((item) => item.ResultCode)).toEqual([0, 51008]);
  });

  it('refuses a rename that also changes conversations, and a name over 64 bytes, when sent unchecked; an empty ContactUpdateItem is no change', async () => {
    const { api } = await sandbox();
    const path = '/v4/recentcontact/update_contact_group';
    const withItems = (items: unknown[]) => ({ ...rename('alice', 'work', 'x'), UpdateGroup: { ...rename('alice', 'work', 'x').UpdateGroup, ContactUpdateItem: items } });
    expect(await rawCode(api, path, withItems([{ ContactOptType: 1, ContactItem: bob }]))).toBe(50002);
    expect(await rawCode(api, path, withItems([]))).toBe(0);
    expect(await rawCode(api, path, rename('alice', 'work', 'é'.repeat(33)))).toBe(51011);
  });
});

describe('mark_contact', () => {
  it('sets and clears bits 1 to 64 and the custom mark, and drops a conversation left with no data', async () => {
    const { api, sandbox: target } = await sandbox();
    await api.markContact({ From_Account: 'carol', MarkItem: [{ OptType: 3, ContactItem: bob, SetMark: [1, 64], CustomMark: 'vip' }] });
    expect(target.state.conversation('carol', '1:bob')).toMatchObject({ marks: new Set([1, 64]), customMark: 'vip' });
    await api.markContact({ From_Account: 'carol', MarkItem: [markItem(bob, { clear: ['star'], customMark: '' })] });
    expect(target.state.conversation('carol', '1:bob')).toMatchObject({ marks: new Set([64]), customMark: '' });
    await api.markContact({ From_Account: 'carol', MarkItem: [{ OptType: 1, ContactItem: bob, ClearMark: [64] }] });
    expect(target.state.conversation('carol', '1:bob')).toBeUndefined();
  });

  it('applies only what OptType names: standard bits for 1, the custom mark for 2', async () => {
    const { api, sandbox: target } = await sandbox();
    await api.markContact({ From_Account: 'carol', MarkItem: [{ OptType: 1, ContactItem: bob, SetMark: [2], CustomMark: 'ignored' }] });
    await api.markContact({ From_Account: 'carol', MarkItem: [{ OptType: 2, ContactItem: bob, SetMark: [3], CustomMark: 'kept' }] });
    expect(target.state.conversation('carol', '1:bob')).toMatchObject({ marks: new Set([2]), customMark: 'kept' });
  });

  it('answers an item that cannot be applied as asked with ResultCode 50002 and applies the others', async () => {
    const { api, sandbox: target } = await sandbox();
    const result = await api.markContact({
      From_Account: 'carol',
      MarkItem: [
        { OptType: 2, ContactItem: bob },
        { OptType: 1, ContactItem: team, SetMark: [1, 2], ClearMark: [2] },
        { OptType: 1, ContactItem: carol, SetMark: [4] },
      ],
    });
    expect(result.ok && result.data.ResultItem?.map((item) => [item.ResultCode, item.ResultInfo])).toEqual([
      [50002, 'MarkItem[0]: OptType 2 changes the custom mark, so CustomMark is required ("" clears it)'],
      [50002, 'MarkItem[1]: bit 2 is in both SetMark and ClearMark'],
      [0, ''],
    ]);
    expect(target.state.conversations('carol').map((record) => record.key)).toEqual(['1:carol']);
  });

  it('answers 51006 for no item or more than 100, and 50002 for a custom mark over 256 bytes, when sent unchecked', async () => {
    const { api } = await sandbox();
    const path = '/v4/recentcontact/mark_contact';
    expect(await rawCode(api, path, { From_Account: 'carol', MarkItem: [] })).toBe(51006);
    expect(await rawCode(api, path, { From_Account: 'carol', MarkItem: Array.from({ length: 101 }, () => ({ OptType: 1, ContactItem: bob })) })).toBe(51006);
    expect(await rawCode(api, path, { From_Account: 'carol', MarkItem: [{ OptType: 2, ContactItem: bob, CustomMark: 'é'.repeat(129) }] })).toBe(50002);
  });

  it('answers 51013 on an edition without standard marks unless every item changes the custom mark only', async () => {
    const { api, sandbox: target } = await sandbox({ fixture: standard });
    expect(codeOf(await api.markContact({ From_Account: 'carol', MarkItem: [markItem(bob, { set: ['star'] })] }))).toBe(51013);
    expect(codeOf(await api.markContact({ From_Account: 'carol', MarkItem: [markItem(bob, { set: ['star'], customMark: 'x' })] }))).toBe(51013);
    expect(codeOf(await api.markContact({ From_Account: 'carol', MarkItem: [markItem(bob, { customMark: 'x' })] }))).toBe(0);
    expect(target.state.conversation('carol', '1:bob')?.customMark).toBe('x');
  });

  it('answers 50001 for a user never imported', async () => {
    expect(codeOf(await (await sandbox()).api.markContact({ From_Account: 'nobody', MarkItem: [markItem(bob, { set: ['star'] })] }))).toBe(50001);
  });
});

describe('search_contact_group', () => {
  it('answers the asked conversations that have data, each once, with the groups they are in', async () => {
    const { api } = await sandbox();
    await api.markContact({ From_Account: 'alice', MarkItem: [markItem(carol, { set: ['unread'] })] });
    clockMs = START_MS + 60_000;
    const result = await api.searchContactGroup({ From_Account: 'alice', ContactItem: [bob, bob, carol, { Type: 1, To_Account: 'zed' }] });
    expect(result.ok && result.data.ContactResultItem).toEqual([
      { Type: 1, To_Account: 'bob', StandardMark: '0', ContactGroupId: [1], Timestamp: START_MS / 1000 },
      { Type: 1, To_Account: 'carol', StandardMark: '10', ContactGroupId: [2], Timestamp: START_MS / 1000 },
    ]);
    expect(result.ok && result.data.GroupItem).toEqual([
      { GroupName: 'work', GroupId: 1 },
      { GroupName: 'family', GroupId: 2 },
    ]);
  });

  it('reads on every edition, and answers 50001 for a user never imported and 50002 for more than 300 when sent unchecked', async () => {
    const { api } = await sandbox({ fixture: standard });
    expect(codeOf(await api.searchContactGroup({ From_Account: 'alice', ContactItem: [bob] }))).toBe(0);
    expect(codeOf(await api.searchContactGroup({ From_Account: 'nobody', ContactItem: [bob] }))).toBe(50001);
    expect(await rawCode(api, '/v4/recentcontact/search_contact_group', { From_Account: 'alice', ContactItem: Array.from({ length: 301 }, () => bob) })).toBe(50002);
  });
});

describe('get_contact_group', () => {
  it('pages with the configured size, sends every group (an empty one too) with each page, and ends with CompleteFlag 1', async () => {
    const { api } = await sandbox({ pageSizes: { getContactGroup: 3 } });
    await api.updateContactGroup(change('alice', 'hobbies', [{ ContactOptType: 2, ContactItem: { Type: 2, ToGroupId: '@TGS#2CLIMB' } }]));
    await api.markContact({ From_Account: 'alice', MarkItem: [markItem({ Type: 1, To_Account: 'dan' }, { set: ['fold'] })] });
    const first = await api.getContactGroup({ From_Account: 'alice', StartIndex: 0 });
    expect(first.ok && [first.data.ContactItem?.length, first.data.CompleteFlag, first.data.NextStartIndex]).toEqual([3, 0, 3]);
    expect(first.ok && first.data.GroupItem?.map((group) => group.GroupName)).toEqual(['work', 'family', 'hobbies']);
    const second = await api.getContactGroup({ From_Account: 'alice', StartIndex: 3 });
    expect(second.ok && second.data.ContactItem?.map((item) => parseStandardMark(item.StandardMark ?? '0'))).toEqual([new Set(['fold'])]);
    expect(second.ok && [second.data.CompleteFlag, second.data.NextStartIndex]).toEqual([1, 0]);
  });

  it('answers an index past the end with an empty last page, 50001 for a user never imported, and works on every edition', async () => {
    const { api } = await sandbox({ fixture: standard });
    const past = await api.getContactGroup({ From_Account: 'alice', StartIndex: 50 });
    expect(past.ok && [past.data.ContactItem, past.data.CompleteFlag]).toEqual([[], 1]);
    expect(codeOf(await api.getContactGroup({ From_Account: 'nobody', StartIndex: 0 }))).toBe(50001);
  });

  it('uses page sizes of 100 by default, and refuses a page size that is not a positive integer', async () => {
    expect(DEFAULT_PAGE_SIZES).toEqual({ getContactGroup: 100, getRecentContactList: 100 });
    expect((await sandbox()).sandbox.pageSizes).toEqual(DEFAULT_PAGE_SIZES);
    await expect(startSandbox({ pageSizes: { getRecentContactList: 0 } })).rejects.toThrow(/getRecentContactList/);
  });
});

describe('get_list', () => {
  const page = (user: string, AssistFlags: number, cursor = { TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0 }) => ({
    From_Account: user,
    ...cursor,
    AssistFlags,
  });
  const peers = (result: CallResult<'getRecentContactList'>) =>
    result.ok ? (result.data.SessionItem ?? []).map((item) => `${item.Type === 1 ? item.To_Account : item.GroupId}:${item.TopFlag}`) : [];

  it('lists pinned conversations first, then the others newest first, with their marks and groups', async () => {
    const { api } = await sandbox();
    const result = await api.getRecentContactList(page('alice', 7));
    expect(peers(result)).toEqual(['bob:1', '@TGS#2ABC:0', 'carol:0', '@TGS#2CLIMB:0']);
    expect(result.ok && result.data.SessionItem?.[1]).toEqual({ Type: 2, GroupId: '@TGS#2ABC', MsgTime: 1_700_000_200, TopFlag: 0, StandardMark: '0', ContactGroupId: [1] });
    expect(result.ok && result.data.CompleteFlag).toBe(1);
  });

  it('treats pinned conversations as ordinary ones without AssistFlags bit 0', async () => {
    const { api } = await sandbox();
    expect(peers(await api.getRecentContactList(page('alice', 0)))).toEqual(['bob:0', '@TGS#2ABC:0', 'carol:0', '@TGS#2CLIMB:0']);
  });

  it('pages with cursors; without bit 2 every pinned conversation comes on the first page, beyond the page size', async () => {
    const { api } = await sandbox({ pageSizes: { getRecentContactList: 1 } });
    const first = await api.getRecentContactList(page('alice', 1));
    expect(peers(first)).toEqual(['bob:1', '@TGS#2ABC:0']);
    if (!first.ok) return;
    const { TimeStamp, StartIndex, TopTimeStamp, TopStartIndex } = first.data;
    expect({ TimeStamp, StartIndex }).toEqual({ TimeStamp: 1_700_000_200, StartIndex: 1 });
    const second = await api.getRecentContactList(page('alice', 1, { TimeStamp: TimeStamp ?? 0, StartIndex: StartIndex ?? 0, TopTimeStamp: TopTimeStamp ?? 0, TopStartIndex: TopStartIndex ?? 0 }));
    expect(peers(second)).toEqual(['carol:0']);
    expect(second.ok && second.data.CompleteFlag).toBe(0);
  });

  it('answers 50001 for a user never imported, an empty list for a user without one, and works on every edition', async () => {
    const { api } = await sandbox({ fixture: standard });
    expect(codeOf(await api.getRecentContactList(page('nobody', 63)))).toBe(50001);
    const empty = await api.getRecentContactList(page('carol', 63));
    expect(empty.ok && [empty.data.SessionItem, empty.data.CompleteFlag]).toEqual([[], 1]);
    expect(peers(await api.getRecentContactList(page('bob', 63)))).toEqual(['alice:0']);
  });
});

describe('delete (a conversation of the list)', () => {
  it('removes a one-to-one or a group conversation (ToGroupid) from the list only, and succeeds again for one already gone', async () => {
    const { api, sandbox: target } = await sandbox({ fixture: standard });
    expect(codeOf(await api.deleteRecentContact({ From_Account: 'alice', Type: 2, ToGroupid: '@TGS#2ABC', ClearRamble: 1 }))).toBe(0);
    expect(codeOf(await api.deleteRecentContact({ From_Account: 'alice', Type: 1, To_Account: 'bob' }))).toBe(0);
    expect(codeOf(await api.deleteRecentContact({ From_Account: 'alice', Type: 1, To_Account: 'bob' }))).toBe(0);
    expect(target.state.snapshot().users['alice']?.recent.map((entry) => (entry.Type === 1 ? entry.To_Account : entry.GroupId))).toEqual(['carol', '@TGS#2CLIMB']);
    // The conversation stays in its group: the group data is independent of the list.
    expect(target.state.group('alice', 'work')?.contacts).toContainEqual({ Type: 2, ToGroupId: '@TGS#2ABC' });
  });

  it('answers 50001 for a user never imported, and 50002 for a group conversation spelt ToGroupId when sent unchecked', async () => {
    const { api } = await sandbox();
    expect(codeOf(await api.deleteRecentContact({ From_Account: 'nobody', Type: 1, To_Account: 'bob' }))).toBe(50001);
    expect(await rawCode(api, '/v4/recentcontact/delete', { From_Account: 'alice', Type: 2, ToGroupId: '@TGS#2ABC' })).toBe(50002);
  });
});

describe('the fixture\'s conversation lists', () => {
  const base: Fixture = { sdkAppId: 1400000000, admins: ['administrator'], edition: 'ultimate', users: {} };
  function problemsOf(recent: unknown): readonly string[] {
    try {
      parseFixture({ ...base, users: { alice: { groups: {}, recent } } });
    } catch (error) {
      if (error instanceof FixtureError) return error.problems;
      throw error;
    }
    return [];
  }

  it('accepts the example fixture of docs/sandbox.md', () => {
    const readme = readFileSync(new URL('../../docs/sandbox.md', import.meta.url), 'utf8');
    const example = /## Fixture[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const fixture = parseFixture(JSON.parse(example ?? 'null'));
    expect(fixture.users['alice']?.recent).toHaveLength(2);
  });

  it('accepts the built-in data set and a user without a list', () => {
    expect(() => parseFixture(defaultFixture)).not.toThrow();
    expect(() => parseFixture({ ...base, users: { alice: { groups: {} } } })).not.toThrow();
  });

  it.each([
    ['not an array', { Type: 1 }, 'users.alice.recent must be an array of conversations'],
    ['a Type other than 1 or 2', [{ Type: 3, To_Account: 'bob', MsgTime: 1 }], 'users.alice.recent[0].Type must be 1 or 2, got 3'],
    ['ToGroupId instead of GroupId', [{ Type: 2, ToGroupId: '@TGS#1', MsgTime: 1 }], 'users.alice.recent[0].ToGroupId is not a conversation-list field'],
    ['a group entry with To_Account', [{ Type: 2, To_Account: 'bob', GroupId: 'x', MsgTime: 1 }], 'users.alice.recent[0].To_Account is not allowed with Type 2 (use GroupId)'],
    ['a missing MsgTime', [{ Type: 1, To_Account: 'bob' }], 'users.alice.recent[0].MsgTime must be the time of the last message in Unix seconds'],
    ['MsgTime 0', [{ Type: 1, To_Account: 'bob', MsgTime: 0 }], 'users.alice.recent[0].MsgTime must be the time of the last message'],
    ['a TopFlag of 2', [{ Type: 1, To_Account: 'bob', MsgTime: 1, TopFlag: 2 }], 'users.alice.recent[0].TopFlag must be 0 or 1, got 2'],
    ['a repeated conversation', [{ Type: 1, To_Account: 'bob', MsgTime: 1 }, { Type: 1, To_Account: 'bob', MsgTime: 2 }], 'users.alice.recent[1] repeats users.alice.recent[0]'],
  ])('names the bad entry for %s', (_case, recent, problem) => {
    expect(problemsOf(recent).some((found) => found.startsWith(problem))).toBe(true);
  });

  it('shows the conversation lists and the mark data under /__sandbox/state', async () => {
    const { sandbox: target, api } = await sandbox();
    await api.markContact({ From_Account: 'bob', MarkItem: [markItem(carol, { set: ['star'], customMark: 'c' })] });
    const snapshot = (await (await fetch(`${target.url}/__sandbox/state`)).json()) as { users: Record<string, { recent: unknown[]; conversations: unknown[] }> };
    expect(snapshot.users['bob']?.recent).toEqual([{ Type: 1, To_Account: 'alice', MsgTime: 1_700_000_300 }]);
    expect(snapshot.users['bob']?.conversations).toContainEqual({ contact: carol, marks: [1], customMark: 'c', groupIds: [1], timestamp: START_MS / 1000 });
  });
});
