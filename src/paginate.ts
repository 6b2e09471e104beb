/**
 * Async iterators that read `get_contact_group` and `get_list` to the end, page by page, through the client's own
 * methods (so signing, limits, retries and typed failures apply to every page).
 *
 * A failed page ends the iteration by throwing the call's typed error (`ApiError`, `NetworkError`,
 * `UnclearOutcomeError`, `UnexpectedAnswerError`, `UserSigError` or `RequestValidationError`). The vendor documents neither page size nor what a server that never finishes would do,
 * so the iterators stop with a `PaginationError` after `maxPages` pages, or as soon as a page would send the same
 * cursor again, instead of looping for ever.
 */
import type { RequestBody, ResponseBody } from './client/bodies.js';
import type { CallInit } from './client/call-types.js';
import type { ContactGroupData, GroupItem, SessionItem } from '../generated/types.js';

/** Pages read at most unless told otherwise: far more than 1000 grouped conversations or a long conversation list need. */
export const DEFAULT_MAX_PAGES = 1000;

/**
 * `AssistFlags` sent to `get_list` unless told otherwise: the newest vendor page says to send 63 for complete data
 * (bits 0 to 2 are pinned conversations, conversations without messages, separate paging of pinned ones).
 */
export const DEFAULT_ASSIST_FLAGS = 63;

export interface PaginateOptions {
  /** Stop with a PaginationError after this many pages (default DEFAULT_MAX_PAGES). */
  readonly maxPages?: number;
  /** Aborts the page in flight and ends the iteration with the client's `aborted` failure. */
  readonly signal?: AbortSignal;
}

export interface RecentContactsOptions extends PaginateOptions {
  /** `AssistFlags` of every request (default DEFAULT_ASSIST_FLAGS). */
  readonly assistFlags?: number;
}

export type PaginationFailure = 'max-pages' | 'no-progress';

/** The server kept answering "more to come" without finishing. */
export class PaginationError extends Error {
  override readonly name = 'PaginationError';
  readonly operationId: 'getContactGroup' | 'getRecentContactList';
  readonly reason: PaginationFailure;
  /** Pages read before stopping. */
  readonly pages: number;

  constructor(operationId: 'getContactGroup' | 'getRecentContactList', reason: PaginationFailure, pages: number) {
    super(
      reason === 'max-pages'
        ? `${operationId} was still not complete after ${pages} pages (maxPages); stopped reading`
        : `${operationId} answered page ${pages} with more to come but the same cursor as before; stopped reading to avoid a loop`,
    );
    this.operationId = operationId;
    this.reason = reason;
    this.pages = pages;
  }
}

export type ContactGroupPage = ResponseBody<'getContactGroup'>;
export type RecentContactPage = ResponseBody<'getRecentContactList'>;

/**
 * What a paginator needs of a client method: its answer's `ok` with `data` or a typed `error`. The client's methods
 * fit (pass the client itself); so does anything wrapping them.
 */
export type PageCall<Op extends 'getContactGroup' | 'getRecentContactList'> = (
  body: RequestBody<Op>,
  init?: CallInit,
) => Promise<{ readonly ok: true; readonly data: ResponseBody<Op> } | { readonly ok: false; readonly error: Error }>;

export interface ContactGroupClient {
  readonly getContactGroup: PageCall<'getContactGroup'>;
}

export interface RecentContactClient {
  readonly getRecentContactList: PageCall<'getRecentContactList'>;
}

function maxPagesOf(options: PaginateOptions): number {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError(`maxPages must be a positive integer, got ${String(maxPages)}`);
  return maxPages;
}

function callInit(options: PaginateOptions): CallInit {
  return options.signal === undefined ? {} : { signal: options.signal };
}

/**
 * Every page of a user's group and mark data, from `StartIndex` 0 until `CompleteFlag` is 1. A page without
 * `CompleteFlag` is taken as the last one, since it names no next page.
 */
export async function* paginateContactGroupPages(
  client: ContactGroupClient,
  fromAccount: string,
  options: PaginateOptions = {},
): AsyncGenerator<ContactGroupPage, void, undefined> {
  const maxPages = maxPagesOf(options);
  let startIndex = 0;
  for (let pages = 1; ; pages++) {
    const result = await client.getContactGroup({ From_Account: fromAccount, StartIndex: startIndex }, callInit(options));
    if (!result.ok) throw result.error;
    const page = result.data;
    yield page;
    if (page.CompleteFlag !== 0) return;
    const next = page.NextStartIndex;
    // Only a forward move can end: the same or an earlier index would read the same pages again.
    if (next === undefined || next <= startIndex) throw new PaginationError('getContactGroup', 'no-progress', pages);
    if (pages >= maxPages) throw new PaginationError('getContactGroup', 'max-pages', pages);
    startIndex = next;
  }
}

/** Every conversation with group or mark data of a user, across all pages. */
export async function* paginateContactGroups(
  client: ContactGroupClient,
  fromAccount: string,
  options: PaginateOptions = {},
): AsyncGenerator<ContactGroupData, void, undefined> {
  for await (const page of paginateContactGroupPages(client, fromAccount, options)) yield* page.ContactItem ?? [];
}

/** All of a user's group and mark data: every conversation, and every group once (by `GroupId`). */
export async function readAllContactGroups(
  client: ContactGroupClient,
  fromAccount: string,
  options: PaginateOptions = {},
): Promise<{ readonly ContactItem: ContactGroupData[]; readonly GroupItem: GroupItem[] }> {
  const conversations: ContactGroupData[] = [];
  const groups = new Map<number, GroupItem>();
  for await (const page of paginateContactGroupPages(client, fromAccount, options)) {
    conversations.push(...(page.ContactItem ?? []));
    for (const group of page.GroupItem ?? []) groups.set(group.GroupId, group);
  }
  return { ContactItem: conversations, GroupItem: [...groups.values()] };
}

interface RecentCursor {
  readonly TimeStamp: number;
  readonly StartIndex: number;
  readonly TopTimeStamp: number;
  readonly TopStartIndex: number;
}

function sameCursor(a: RecentCursor, b: RecentCursor): boolean {
  return a.TimeStamp === b.TimeStamp && a.StartIndex === b.StartIndex && a.TopTimeStamp === b.TopTimeStamp && a.TopStartIndex === b.TopStartIndex;
}

/**
 * Every page of a user's conversation list: the four cursor fields start at 0 and each page's values are sent back
 * unchanged, until `CompleteFlag` is 1. A page without `CompleteFlag` is taken as the last one.
 */
export async function* paginateRecentContactPages(
  client: RecentContactClient,
  fromAccount: string,
  options: RecentContactsOptions = {},
): AsyncGenerator<RecentContactPage, void, undefined> {
  const maxPages = maxPagesOf(options);
  const assistFlags = options.assistFlags ?? DEFAULT_ASSIST_FLAGS;
  let cursor: RecentCursor = { TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0 };
  for (let pages = 1; ; pages++) {
    const result = await client.getRecentContactList({ From_Account: fromAccount, ...cursor, AssistFlags: assistFlags }, callInit(options));
    if (!result.ok) throw result.error;
    const page = result.data;
    yield page;
    if (page.CompleteFlag !== 0) return;
    const next: RecentCursor = {
      TimeStamp: page.TimeStamp ?? cursor.TimeStamp,
      StartIndex: page.StartIndex ?? cursor.StartIndex,
      TopTimeStamp: page.TopTimeStamp ?? cursor.TopTimeStamp,
      TopStartIndex: page.TopStartIndex ?? cursor.TopStartIndex,
    };
    // Cursors may move either way (time runs backwards through the list), but an unchanged one repeats the same page.
    if (sameCursor(next, cursor)) throw new PaginationError('getRecentContactList', 'no-progress', pages);
    if (pages >= maxPages) throw new PaginationError('getRecentContactList', 'max-pages', pages);
    cursor = next;
  }
}

/** Every conversation of a user's conversation list, across all pages. */
export async function* paginateRecentContacts(
  client: RecentContactClient,
  fromAccount: string,
  options: RecentContactsOptions = {},
): AsyncGenerator<SessionItem, void, undefined> {
  for await (const page of paginateRecentContactPages(client, fromAccount, options)) yield* page.SessionItem ?? [];
}
