/**
 * The paginators against a scripted client: each call answers the next page of a script, so the cursor handling,
 * the end condition and the guards against a server that never finishes can be checked exactly.
 */
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { RequestBody, ResponseBody } from '../../src/client/bodies.js';
import type { CallInit } from '../../src/client/call-types.js';
import type { ChatGroupsClient } from '../../src/client/client.js';
import { ApiError } from '../../src/errors.js';
import {
  DEFAULT_ASSIST_FLAGS,
  PaginationError,
  paginateContactGroupPages,
  paginateContactGroups,
  paginateRecentContacts,
  readAllContactGroups,
  type ContactGroupClient,
  type RecentContactClient,
} from '../../src/paginate.js';

const envelope = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' } as const;

type ContactGroupPage = ResponseBody<'getContactGroup'>;
type RecentPage = ResponseBody<'getRecentContactList'>;

function conversation(name: string): NonNullable<ContactGroupPage['ContactItem']>[number] {
  return { Type: 1, To_Account: name, StandardMark: '1', Timestamp: 1_700_000_000 };
}

function contactGroupClient(pages: (ContactGroupPage | ApiError<'getContactGroup'>)[]) {
  const getContactGroup = vi.fn(async (body: RequestBody<'getContactGroup'>, _init?: CallInit) => {
    const page = pages.shift();
    if (page === undefined) throw new Error(`no page scripted for StartIndex ${body.StartIndex}`);
    if (page instanceof ApiError) return { ok: false as const, error: page };
    return { ok: true as const, data: page };
  });
  return { getContactGroup } satisfies ContactGroupClient;
}

function recentClient(pages: RecentPage[]) {
  const getRecentContactList = vi.fn(async (_body: RequestBody<'getRecentContactList'>, _init?: CallInit) => {
    const page = pages.shift();
    if (page === undefined) throw new Error('no page scripted');
    return { ok: true as const, data: page };
  });
  return { getRecentContactList } satisfies RecentContactClient;
}

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

describe('paginateContactGroups', () => {
  it('starts at 0, follows NextStartIndex and stops at CompleteFlag 1, yielding every item in order', async () => {
    const client = contactGroupClient([
      { ...envelope, ContactItem: [conversation('a'), conversation('b')], GroupItem: [{ GroupName: 'g', GroupId: 1 }], CompleteFlag: 0, NextStartIndex: 2 },
      { ...envelope, ContactItem: [conversation('c')], GroupItem: [{ GroupName: 'g', GroupId: 1 }], CompleteFlag: 1, NextStartIndex: 0 },
    ]);
    const items = await collect(paginateContactGroups(client, 'alice'));
    expect(items.map((item) => item.Type === 1 && item.To_Account)).toEqual(['a', 'b', 'c']);
    expect(client.getContactGroup.mock.calls.map(([body]) => body)).toEqual([
      { From_Account: 'alice', StartIndex: 0 },
      { From_Account: 'alice', StartIndex: 2 },
    ]);
  });

  it('reads a user without data in one call', async () => {
    const client = contactGroupClient([{ ...envelope, CompleteFlag: 1, NextStartIndex: 0 }]);
    expect(await collect(paginateContactGroups(client, 'carol'))).toEqual([]);
    expect(client.getContactGroup).toHaveBeenCalledTimes(1);
  });

  it('takes a page without CompleteFlag as the last one, since it names no next page', async () => {
    const client = contactGroupClient([{ ...envelope, ContactItem: [conversation('a')] }]);
    expect(await collect(paginateContactGroups(client, 'alice'))).toHaveLength(1);
  });

  it('throws the typed error of a failed page, after yielding the pages before it', async () => {
    const failure = new ApiError({ operationId: 'getContactGroup', code: 50004, info: 'busy', random: 7, body: { ActionStatus: 'FAIL', ErrorCode: 50004, ErrorInfo: 'busy' } });
    const client = contactGroupClient([{ ...envelope, ContactItem: [conversation('a')], CompleteFlag: 0, NextStartIndex: 1 }, failure]);
    const seen: string[] = [];
    await expect(async () => {
      for await (const item of paginateContactGroups(client, 'alice')) seen.push(item.Type === 1 ? item.To_Account : item.ToGroupId);
    }).rejects.toBe(failure);
    expect(seen).toEqual(['a']);
  });

  it('stops with PaginationError (no-progress) when a page repeats or rewinds the cursor', async () => {
    for (const next of [0, 3]) {
      const client = contactGroupClient([
        { ...envelope, CompleteFlag: 0, NextStartIndex: 3 },
        { ...envelope, CompleteFlag: 0, NextStartIndex: next },
      ]);
      const error = await collect(paginateContactGroupPages(client, 'alice')).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(PaginationError);
      expect(error).toMatchObject({ reason: 'no-progress', pages: 2, operationId: 'getContactGroup' });
    }
  });

  it('stops with PaginationError (max-pages) after maxPages pages of a server that never completes', async () => {
    const pages = Array.from({ length: 10 }, (_, index) => ({ ...envelope, CompleteFlag: 0 as const, NextStartIndex: index + 1 }));
    const client = contactGroupClient(pages);
    const error = await collect(paginateContactGroupPages(client, 'alice', { maxPages: 3 })).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: 'PaginationError', reason: 'max-pages', pages: 3 });
    expect(client.getContactGroup).toHaveBeenCalledTimes(3);
  });

  it('refuses a maxPages that is not a positive integer', async () => {
    await expect(collect(paginateContactGroups(contactGroupClient([]), 'alice', { maxPages: 0 }))).rejects.toThrow(RangeError);
  });

  it('passes the abort signal to every call', async () => {
    const controller = new AbortController();
    const client = contactGroupClient([{ ...envelope, CompleteFlag: 1 }]);
    await collect(paginateContactGroups(client, 'alice', { signal: controller.signal }));
    expect(client.getContactGroup.mock.calls[0]?.[1]).toEqual({ signal: controller.signal });
  });

  it('readAllContactGroups gathers every conversation and every group once', async () => {
    const client = contactGroupClient([
      { ...envelope, ContactItem: [conversation('a')], GroupItem: [{ GroupName: 'g', GroupId: 1 }, { GroupName: 'h', GroupId: 2 }], CompleteFlag: 0, NextStartIndex: 1 },
      { ...envelope, ContactItem: [conversation('b')], GroupItem: [{ GroupName: 'g', GroupId: 1 }], CompleteFlag: 1, NextStartIndex: 0 },
    ]);
    const all = await readAllContactGroups(client, 'alice');
    expect(all.ContactItem).toHaveLength(2);
    expect(all.GroupItem).toEqual([{ GroupName: 'g', GroupId: 1 }, { GroupName: 'h', GroupId: 2 }]);
  });
});

describe('paginateRecentContacts', () => {
  const cursor = { TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0 };

  it('sends zero cursors first, then each page\'s four cursor fields unchanged, with AssistFlags 63 by default', async () => {
    const client = recentClient([
      { ...envelope, SessionItem: [{ Type: 1, To_Account: 'bob', MsgTime: 30, TopFlag: 1 }], CompleteFlag: 0, TimeStamp: 0, StartIndex: 0, TopTimeStamp: 30, TopStartIndex: 1 },
      { ...envelope, SessionItem: [{ Type: 2, GroupId: '@TGS#1', MsgTime: 20, TopFlag: 0 }], CompleteFlag: 0, TimeStamp: 20, StartIndex: 1, TopTimeStamp: 30, TopStartIndex: 1 },
      { ...envelope, SessionItem: [], CompleteFlag: 1, TimeStamp: 20, StartIndex: 1, TopTimeStamp: 30, TopStartIndex: 1 },
    ]);
    const items = await collect(paginateRecentContacts(client, 'alice'));
    expect(items.map((item) => (item.Type === 1 ? item.To_Account : item.GroupId))).toEqual(['bob', '@TGS#1']);
    expect(client.getRecentContactList.mock.calls.map(([body]) => body)).toEqual([
      { From_Account: 'alice', ...cursor, AssistFlags: DEFAULT_ASSIST_FLAGS },
      { From_Account: 'alice', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 30, TopStartIndex: 1, AssistFlags: 63 },
      { From_Account: 'alice', TimeStamp: 20, StartIndex: 1, TopTimeStamp: 30, TopStartIndex: 1, AssistFlags: 63 },
    ]);
  });

  it('sends the AssistFlags it is given', async () => {
    const client = recentClient([{ ...envelope, CompleteFlag: 1, ...cursor }]);
    await collect(paginateRecentContacts(client, 'alice', { assistFlags: 7 }));
    expect(client.getRecentContactList.mock.calls[0]?.[0]).toMatchObject({ AssistFlags: 7 });
  });

  it('stops with PaginationError when "more to come" arrives with an unchanged cursor', async () => {
    const client = recentClient([
      { ...envelope, CompleteFlag: 0, TimeStamp: 5, StartIndex: 1, TopTimeStamp: 0, TopStartIndex: 0 },
      { ...envelope, CompleteFlag: 0, TimeStamp: 5, StartIndex: 1, TopTimeStamp: 0, TopStartIndex: 0 },
    ]);
    await expect(collect(paginateRecentContacts(client, 'alice'))).rejects.toMatchObject({ reason: 'no-progress', pages: 2 });
  });

  it('stops with PaginationError after maxPages', async () => {
    const client = recentClient(Array.from({ length: 5 }, (_, index) => ({ ...envelope, CompleteFlag: 0 as const, ...cursor, TimeStamp: 100 - index })));
    await expect(collect(paginateRecentContacts(client, 'alice', { maxPages: 2 }))).rejects.toMatchObject({ reason: 'max-pages', pages: 2 });
  });
});

describe('the client type', () => {
  it('fits the paginators as it is', () => {
    expectTypeOf<ChatGroupsClient>().toMatchTypeOf<ContactGroupClient & RecentContactClient>();
  });
});
