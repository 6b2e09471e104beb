/**
 * The whole family end to end: the typed client → Prism as a validating proxy → the sandbox. A user's group is
 * created, filled, renamed, its conversations marked, searched and paged through, then deleted twice; the
 * conversation list is paged and a conversation deleted from it; the 1000-conversation limits show up as partial
 * successes. Besides the results, every response must pass the spec: no `sl-violations` header and no violation
 * in Prism's log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactItem } from '../../generated/types.js';
import { isPartialSuccess, itemFailures } from '../../src/item-results.js';
import { customerMark, markItem, parseStandardMark } from '../../src/marks.js';
import { paginateContactGroupPages, paginateContactGroups, paginateRecentContacts, readAllContactGroups } from '../../src/paginate.js';
import type { Fixture } from '../../src/sandbox/index.js';
import { startSandboxStack, type SandboxStack } from '../support/sandbox-stack.js';

const bob: ContactItem = { Type: 1, To_Account: 'bob' };
const carol: ContactItem = { Type: 1, To_Account: 'carol' };
const frank: ContactItem = { Type: 1, To_Account: 'frank' };
const team: ContactItem = { Type: 2, ToGroupId: '@TGS#2TEAM' };
const ops: ContactItem = { Type: 2, ToGroupId: '@TGS#2OPS' };

const fixture: Fixture = {
  sdkAppId: 1400000000,
  admins: ['administrator'],
  edition: 'ultimate',
  users: {
    dave: {
      groups: {},
      recent: [
        { Type: 1, To_Account: 'bob', MsgTime: 1_700_000_500, TopFlag: 1 },
        { Type: 2, GroupId: '@TGS#2TEAM', MsgTime: 1_700_000_400 },
        { Type: 1, To_Account: 'carol', MsgTime: 1_700_000_300 },
        { Type: 2, GroupId: '@TGS#2OPS', MsgTime: 1_700_000_300 },
        { Type: 1, To_Account: 'frank', MsgTime: 1_700_000_100, TopFlag: 1 },
      ],
    },
    // 999 grouped conversations: one more fits, the next does not.
    gina: { groups: { archive: Array.from({ length: 999 }, (_, index) => ({ Type: 1 as const, To_Account: `peer${index}` })) } },
    hank: { groups: {} },
  },
};

let stack: SandboxStack;

beforeAll(async () => {
  stack = await startSandboxStack({ fixture, rateLimit: 'off', pageSizes: { getContactGroup: 2, getRecentContactList: 2 } });
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(() => {
  expect(stack.headerViolations.splice(0)).toEqual([]);
  expect(stack.loggedViolations()).toEqual([]);
});

function peerOf(item: { Type: 1; To_Account: string } | { Type: 2; ToGroupId: string }): string {
  return item.Type === 1 ? item.To_Account : item.ToGroupId;
}

describe('a conversation group from creation to deletion, through the typed client and Prism', () => {
  it('creates, adds conversations, renames, marks, searches, pages, deletes, and deletes again', async () => {
    const api = stack.client();

    const created = await api.createContactGroup({ From_Account: 'dave', GroupContactItem: [{ GroupName: 'work', ContactItem: [bob, team] }] });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.data.GroupResultItem).toEqual([
      {
        GroupItem: { GroupName: 'work', GroupId: 1 },
        ResultItem: [
          { ContactItem: bob, ResultCode: 0, ResultInfo: '' },
          { ContactItem: team, ResultCode: 0, ResultInfo: '' },
        ],
      },
    ]);
    expect(isPartialSuccess(created.data)).toBe(false);

    const added = await api.updateContactGroup({
      From_Account: 'dave',
      UpdateType: 1,
      UpdateGroup: {
        UpdateGroupType: 2,
        OldGroupName: 'work',
        ContactUpdateItem: [
          { ContactOptType: 1, ContactItem: carol },
          { ContactOptType: 1, ContactItem: ops },
          { ContactOptType: 2, ContactItem: bob },
        ],
      },
    });
    expect(added.ok && added.data.UpdateGroupResult).toMatchObject({ UpdateGroupType: 2, GroupName: 'work', GroupId: 1 });
    expect(added.ok && itemFailures(added.data)).toEqual([]);

    const renamed = await api.updateContactGroup({
      From_Account: 'dave',
      UpdateType: 1,
      UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'work', NewGroupName: 'office' },
    });
    expect(renamed.ok && renamed.data.UpdateGroupResult).toEqual({ UpdateGroupType: 1, GroupName: 'office', OldGroupName: 'work', GroupId: 1 });

    const marked = await api.markContact({
      From_Account: 'dave',
      MarkItem: [
        markItem(carol, { set: ['star', 'unread', customerMark(1)] }),
        markItem(ops, { customMark: 'vip' }),
        markItem(frank, { set: ['hide'] }),
      ],
    });
    expect(marked.ok && marked.data.ResultItem?.map((item) => [item.OptType, item.ResultCode])).toEqual([
      [1, 0],
      [2, 0],
      [1, 0],
    ]);

    const searched = await api.searchContactGroup({ From_Account: 'dave', ContactItem: [carol, ops, frank, { Type: 1, To_Account: 'nobody' }] });
    expect(searched.ok).toBe(true);
    if (!searched.ok) return;
    const found = new Map((searched.data.ContactResultItem ?? []).map((item) => [peerOf(item), item]));
    expect([...found.keys()]).toEqual(['carol', '@TGS#2OPS', 'frank']);
    expect(parseStandardMark(found.get('carol')?.StandardMark ?? '')).toEqual(new Set(['star', 'unread', 'customer-1']));
    expect(found.get('carol')).toMatchObject({ ContactGroupId: [1] });
    expect(found.get('@TGS#2OPS')).toMatchObject({ CustomMark: 'vip', StandardMark: '0', ContactGroupId: [1] });
    expect(found.get('frank')?.ContactGroupId).toBeUndefined();
    expect(parseStandardMark(found.get('frank')?.StandardMark ?? '')).toEqual(new Set(['hide']));
    expect(searched.data.GroupItem).toEqual([{ GroupName: 'office', GroupId: 1 }]);

    // Page size 2: two pages for the four conversations with data (bob left the group and has no marks).
    const pages = [];
    for await (const page of paginateContactGroupPages(api, 'dave')) pages.push(page);
    expect(pages.map((page) => [page.ContactItem?.length, page.CompleteFlag, page.NextStartIndex])).toEqual([
      [2, 0, 2],
      [2, 1, 0],
    ]);
    const all = await readAllContactGroups(api, 'dave');
    expect(all.ContactItem.map(peerOf)).toEqual(['@TGS#2TEAM', 'carol', '@TGS#2OPS', 'frank']);
    expect(all.GroupItem).toEqual([{ GroupName: 'office', GroupId: 1 }]);

    const deleted = await api.delContactGroup({ From_Account: 'dave', GroupName: ['office'] });
    expect(deleted.ok && deleted.data.GroupItem).toEqual([{ GroupName: 'office', GroupId: 1 }]);
    const again = await api.delContactGroup({ From_Account: 'dave', GroupName: ['office'] });
    expect(again.ok ? undefined : again.error).toMatchObject({ kind: 'api', code: 51009 });

    // The marks outlive the group; a conversation with nothing left drops out of the data.
    const left = [];
    for await (const item of paginateContactGroups(api, 'dave')) left.push(item);
    expect(left.map((item) => [peerOf(item), item.ContactGroupId])).toEqual([
      ['carol', undefined],
      ['@TGS#2OPS', undefined],
      ['frank', undefined],
    ]);
  });
});

describe('the conversation list, through the typed client and Prism', () => {
  it('pages pinned conversations first, then the rest newest first, and shows their marks', async () => {
    const api = stack.client();
    const sessions = [];
    for await (const item of paginateRecentContacts(api, 'dave')) sessions.push(item);
    expect(sessions.map((item) => [item.Type === 1 ? item.To_Account : item.GroupId, item.TopFlag])).toEqual([
      ['bob', 1],
      ['frank', 1],
      ['@TGS#2TEAM', 0],
      // Equal MsgTime: one-to-one before group, as the sandbox orders ties by conversation key.
      ['carol', 0],
      ['@TGS#2OPS', 0],
    ]);
    const frankItem = sessions.find((item) => item.Type === 1 && item.To_Account === 'frank');
    expect(parseStandardMark(frankItem?.StandardMark ?? '0')).toEqual(new Set(['hide']));
  });

  it('deletes a one-to-one and a group conversation (ToGroupid), and a second delete changes nothing', async () => {
    const api = stack.client();
    expect((await api.deleteRecentContact({ From_Account: 'dave', Type: 1, To_Account: 'bob', ClearRamble: 1 })).ok).toBe(true);
    expect((await api.deleteRecentContact({ From_Account: 'dave', Type: 2, ToGroupid: '@TGS#2OPS' })).ok).toBe(true);
    expect((await api.deleteRecentContact({ From_Account: 'dave', Type: 2, ToGroupid: '@TGS#2OPS' })).ok).toBe(true);
    const names = [];
    for await (const item of paginateRecentContacts(api, 'dave', { assistFlags: 7 })) names.push(item.Type === 1 ? item.To_Account : item.GroupId);
    expect(names).toEqual(['frank', '@TGS#2TEAM', 'carol']);
    // The group and mark data are kept apart from the list.
    const searched = await api.searchContactGroup({ From_Account: 'dave', ContactItem: [ops] });
    expect(searched.ok && searched.data.ContactResultItem?.length).toBe(1);
  });
});

describe('partial successes, through the typed client and Prism', () => {
  it('creates a group whose second conversation would be the 1001st grouped one: top-level OK, the item 51008', async () => {
    const result = await stack.client().createContactGroup({ From_Account: 'gina', GroupContactItem: [{ GroupName: 'new', ContactItem: [bob, carol] }] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(isPartialSuccess(result.data)).toBe(true);
    expect(itemFailures(result.data)).toEqual([
      expect.objectContaining({ path: 'GroupResultItem[0].ResultItem[1]', code: 51008, item: expect.objectContaining({ ContactItem: carol }) }),
    ]);
    expect(stack.sandbox.state.group('gina', 'new')?.contacts).toEqual([bob]);
  });

  it('marks 1000 conversations in ten calls of 100, then answers the next new one with 51008 item by item', async () => {
    const api = stack.client();
    for (let call = 0; call < 10; call++) {
      const MarkItem = Array.from({ length: 100 }, (_, index) => markItem({ Type: 1, To_Account: `m${call * 100 + index}` }, { set: ['star'] }));
      const result = await api.markContact({ From_Account: 'hank', MarkItem });
      expect(result.ok && itemFailures(result.data)).toEqual([]);
    }
    const more = await api.markContact({
      From_Account: 'hank',
      MarkItem: [markItem({ Type: 1, To_Account: 'm0' }, { set: ['unread'] }), markItem({ Type: 1, To_Account: 'late' }, { customMark: 'x' })],
    });
    expect(more.ok && itemFailures(more.data).map((failure) => [failure.path, failure.code])).toEqual([['ResultItem[1]', 51008]]);
  });
});
