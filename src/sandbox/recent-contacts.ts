/**
 * One user's conversation list (get_list, delete) and its paging. The vendor documents the four cursor fields only
 * as "feed back what the last page answered", so the sandbox chooses a cursor that survives deletions between pages:
 *
 * - conversations are listed newest first (by `MsgTime`, ties by peer), pinned ones in a stream of their own;
 * - a stream's cursor is (`TimeStamp`, `StartIndex`): the `MsgTime` of the last conversation returned, and how many
 *   conversations with exactly that `MsgTime` have been returned; `(0, 0)` is the start;
 * - `AssistFlags` bit 0 off: pinning is not supported by the caller, so every conversation is in one stream with
 *   `TopFlag` 0; bit 0 on and bit 2 off: every pinned conversation comes first on the first page (cursors all 0),
 *   beyond the page size; bits 0 and 2 on: pinned conversations are paged with `TopTimeStamp`/`TopStartIndex`
 *   and fill a page before ordinary ones. Bit 1 (conversations without messages) changes nothing: the sandbox has none.
 */
import { conversationKey } from './conversation-key.js';
import type { RecentContact } from './fixture.js';

export interface RecentEntry {
  readonly key: string;
  readonly contact: RecentContact;
  readonly pinned: boolean;
}

export interface RecentCursor {
  readonly TimeStamp: number;
  readonly StartIndex: number;
  readonly TopTimeStamp: number;
  readonly TopStartIndex: number;
}

export interface RecentPage {
  /** In answer order, each with the `TopFlag` to answer. */
  readonly items: readonly { readonly entry: RecentEntry; readonly topFlag: 0 | 1 }[];
  readonly complete: boolean;
  readonly cursor: RecentCursor;
}

export const ASSIST_PINNED = 1;
export const ASSIST_PAGE_PINNED_SEPARATELY = 4;

/** Newest first; equal times by key, so the order (and a cursor into it) is stable. */
function newestFirst(a: RecentEntry, b: RecentEntry): number {
  return b.contact.MsgTime - a.contact.MsgTime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Where a stream continues after the cursor (time, count at that time). */
function startOf(stream: readonly RecentEntry[], time: number, count: number): number {
  if (time === 0) return 0;
  let seenAtTime = 0;
  for (let index = 0; index < stream.length; index++) {
    const msgTime = (stream[index] as RecentEntry).contact.MsgTime;
    if (msgTime > time) continue;
    if (msgTime === time && seenAtTime < count) {
      seenAtTime++;
      continue;
    }
    return index;
  }
  return stream.length;
}

/** The cursor after `stream[last]`: its time, and how many entries with that time precede it or are it. */
function cursorAfter(stream: readonly RecentEntry[], last: number): { time: number; count: number } {
  const time = (stream[last] as RecentEntry).contact.MsgTime;
  let first = last;
  while (first > 0 && (stream[first - 1] as RecentEntry).contact.MsgTime === time) first--;
  return { time, count: last - first + 1 };
}

interface StreamRead {
  readonly entries: readonly RecentEntry[];
  readonly exhausted: boolean;
  readonly time: number;
  readonly count: number;
}

function read(stream: readonly RecentEntry[], time: number, count: number, limit: number): StreamRead {
  const start = startOf(stream, time, count);
  const end = Math.min(stream.length, start + Math.max(0, limit));
  const entries = stream.slice(start, end);
  const next = end > start ? cursorAfter(stream, end - 1) : { time, count };
  return { entries, exhausted: end >= stream.length, ...next };
}

export class RecentContacts {
  #pinned: RecentEntry[];
  #ordinary: RecentEntry[];

  constructor(contacts: readonly RecentContact[]) {
    const entries = contacts.map((contact): RecentEntry => ({
      key: contact.Type === 1 ? conversationKey(1, contact.To_Account) : conversationKey(2, contact.GroupId),
      contact,
      pinned: contact.TopFlag === 1,
    }));
    this.#pinned = entries.filter((entry) => entry.pinned).sort(newestFirst);
    this.#ordinary = entries.filter((entry) => !entry.pinned).sort(newestFirst);
  }

  /** Removes a conversation from the list; false when it was not in it. */
  delete(key: string): boolean {
    const before = this.#pinned.length + this.#ordinary.length;
    this.#pinned = this.#pinned.filter((entry) => entry.key !== key);
    this.#ordinary = this.#ordinary.filter((entry) => entry.key !== key);
    return this.#pinned.length + this.#ordinary.length < before;
  }

  /** The list in fixture form, pinned ones first, newest first. */
  list(): RecentContact[] {
    return [...this.#pinned, ...this.#ordinary].map((entry) => entry.contact);
  }

  page(cursor: RecentCursor, assistFlags: number, pageSize: number): RecentPage {
    if ((assistFlags & ASSIST_PINNED) === 0) {
      const all = [...this.#pinned, ...this.#ordinary].sort(newestFirst);
      const ordinary = read(all, cursor.TimeStamp, cursor.StartIndex, pageSize);
      return {
        items: ordinary.entries.map((entry) => ({ entry, topFlag: 0 })),
        complete: ordinary.exhausted,
        cursor: { ...cursor, TimeStamp: ordinary.time, StartIndex: ordinary.count },
      };
    }
    const separately = (assistFlags & ASSIST_PAGE_PINNED_SEPARATELY) !== 0;
    const firstPage = cursor.TimeStamp === 0 && cursor.StartIndex === 0 && cursor.TopTimeStamp === 0 && cursor.TopStartIndex === 0;
    const pinned = separately
      ? read(this.#pinned, cursor.TopTimeStamp, cursor.TopStartIndex, pageSize)
      : read(this.#pinned, 0, 0, firstPage ? this.#pinned.length : 0);
    const room = separately ? pageSize - pinned.entries.length : pageSize;
    // Ordinary conversations follow only once the pinned ones are all out, so the list keeps its order.
    const ordinary = pinned.exhausted || !separately ? read(this.#ordinary, cursor.TimeStamp, cursor.StartIndex, room) : undefined;
    const topCursor = separately || firstPage ? { TopTimeStamp: pinned.time, TopStartIndex: pinned.count } : { TopTimeStamp: cursor.TopTimeStamp, TopStartIndex: cursor.TopStartIndex };
    return {
      items: [
        ...pinned.entries.map((entry) => ({ entry, topFlag: 1 as const })),
        ...(ordinary?.entries ?? []).map((entry) => ({ entry, topFlag: 0 as const })),
      ],
      complete: (separately ? pinned.exhausted : true) && (ordinary?.exhausted ?? false),
      cursor: {
        TimeStamp: ordinary?.time ?? cursor.TimeStamp,
        StartIndex: ordinary?.count ?? cursor.StartIndex,
        ...topCursor,
      },
    };
  }
}
