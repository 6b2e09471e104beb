/**
 * One user's group and mark data, per conversation: how many of the user's groups it is in, its standard mark bits,
 * its custom mark and when any of that last changed. A conversation is listed while it has any such data, in the
 * order it first got some (the order get_contact_group pages through), and is dropped when it has none left.
 *
 * The counts behind the vendor's two 1000-conversation limits (grouped, and marked) are kept up to date here, so a
 * limit check costs nothing per item.
 */
import type { ContactItem } from './fixture.js';

export interface ConversationRecord {
  readonly key: string;
  readonly contact: ContactItem;
  /** Live groups of the user that hold this conversation. */
  readonly groupCount: number;
  /** Standard mark bits that are set (REST numbering, 1 to 64). */
  readonly marks: ReadonlySet<number>;
  /** '' when none. */
  readonly customMark: string;
  /** Unix seconds of the last change to its groups or marks. */
  readonly timestamp: number;
}

interface MutableRecord {
  readonly key: string;
  readonly contact: ContactItem;
  groupCount: number;
  marks: Set<number>;
  customMark: string;
  timestamp: number;
}

function isMarked(record: MutableRecord): boolean {
  return record.marks.size > 0 || record.customMark !== '';
}

export class ConversationData {
  readonly #records = new Map<string, MutableRecord>();
  #grouped = 0;
  #marked = 0;
  #bytes = 0;
  readonly #recordBytes: (contact: ContactItem, customMark: string) => number;

  /** `recordBytes`: the estimated memory of one record, summed into `storedBytes`. */
  constructor(recordBytes: (contact: ContactItem, customMark: string) => number = () => 0) {
    this.#recordBytes = recordBytes;
  }

  /** The estimated memory of the records, by the constructor's `recordBytes`. */
  get storedBytes(): number {
    return this.#bytes;
  }

  /** Conversations in at least one group. */
  get groupedCount(): number {
    return this.#grouped;
  }

  /** Conversations with a standard mark bit or a custom mark. */
  get markedCount(): number {
    return this.#marked;
  }

  get(key: string): ConversationRecord | undefined {
    return this.#records.get(key);
  }

  isGrouped(key: string): boolean {
    return (this.#records.get(key)?.groupCount ?? 0) > 0;
  }

  isMarked(key: string): boolean {
    const record = this.#records.get(key);
    return record !== undefined && isMarked(record);
  }

  /** Every conversation with data, in the order it first got some. */
  list(): ConversationRecord[] {
    return [...this.#records.values()];
  }

  joinedGroup(key: string, contact: ContactItem, now: number): void {
    const record = this.#ensure(key, contact, now);
    if (record.groupCount === 0) this.#grouped++;
    record.groupCount++;
    record.timestamp = now;
  }

  leftGroup(key: string, now: number): void {
    const record = this.#records.get(key);
    if (record === undefined || record.groupCount === 0) return;
    record.groupCount--;
    if (record.groupCount === 0) this.#grouped--;
    record.timestamp = now;
    this.#dropIfEmpty(record);
  }

  /** Replaces the marks of a conversation (the caller has already checked the limit). */
  setMarks(key: string, contact: ContactItem, marks: ReadonlySet<number>, customMark: string, now: number): void {
    const record = this.#ensure(key, contact, now);
    const wasMarked = isMarked(record);
    this.#bytes += this.#recordBytes(contact, customMark) - this.#recordBytes(record.contact, record.customMark);
    record.marks = new Set(marks);
    record.customMark = customMark;
    record.timestamp = now;
    const marked = isMarked(record);
    if (marked && !wasMarked) this.#marked++;
    if (!marked && wasMarked) this.#marked--;
    this.#dropIfEmpty(record);
  }

  #ensure(key: string, contact: ContactItem, now: number): MutableRecord {
    let record = this.#records.get(key);
    if (record === undefined) {
      record = { key, contact, groupCount: 0, marks: new Set(), customMark: '', timestamp: now };
      this.#records.set(key, record);
      this.#bytes += this.#recordBytes(contact, '');
    }
    return record;
  }

  #dropIfEmpty(record: MutableRecord): void {
    if (record.groupCount === 0 && !isMarked(record)) {
      this.#records.delete(record.key);
      this.#bytes -= this.#recordBytes(record.contact, record.customMark);
    }
  }
}
