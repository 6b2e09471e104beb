/**
 * Standard conversation marks without bit strings by hand: named flags for the bits the vendor documents, the REST
 * bit numbers that `SetMark` and `ClearMark` take, `mark_contact` items built from flag sets, and the `StandardMark`
 * string of `search_contact_group` / `get_contact_group` answers read back into flags.
 *
 * Numbering: REST bit `n` (1 to 64) is what `SetMark: [n]` sets. Bits 1 to 32 belong to Chat (1 star, 2 marked
 * unread, 3 folded, 4 hidden, the rest undocumented), bits 33 to 64 are the app's own. The client SDKs number the same
 * bits from 0 (`1 << (n - 1)`: hidden is 8 there and 4 here).
 */
import type { ContactItem, MarkItem } from '../generated/types.js';

/** The REST bit numbers of the standard marks the vendor documents. */
export const MarkBit = {
  STAR: 1,
  UNREAD: 2,
  FOLD: 3,
  HIDE: 4,
} as const;

export const MIN_MARK_BIT = 1;
export const MAX_MARK_BIT = 64;
/** Bits 1 to 32 are Chat's; the customer's 32 bits follow. */
const CUSTOMER_BIT_OFFSET = 32;
export const CUSTOMER_MARK_COUNT = 32;

/** Documented bits by name. */
export type NamedMark = 'star' | 'unread' | 'fold' | 'hide';
/** One of the app's own 32 bits, `customer-1` (REST bit 33) to `customer-32` (REST bit 64). */
export type CustomerMark = `customer-${number}`;
/** A bit Chat reserves without documenting it (5 to 32), kept so that reading marks never loses one. */
export type ReservedMark = `chat-${number}`;
export type MarkFlag = NamedMark | CustomerMark | ReservedMark;

const namedBits: Readonly<Record<NamedMark, number>> = {
  star: MarkBit.STAR,
  unread: MarkBit.UNREAD,
  fold: MarkBit.FOLD,
  hide: MarkBit.HIDE,
};
const namesByBit = new Map<number, NamedMark>(Object.entries(namedBits).map(([name, bit]) => [bit, name as NamedMark]));

/**
 * How a `StandardMark` string maps to bits. The vendor never states it; its samples (`"1"`, `"11"`, `"111001"`,
 * `"11111110"`, `"011111110"`) read naturally as the 64-bit value written in binary, most significant bit first,
 * leading zeros left out: the last character is bit 1. Every conversion below goes through this one constant, so a
 * correction from the vendor is a one-line change (and the sandbox, which formats with the same functions, follows).
 */
export type StandardMarkBitOrder = 'last-character-is-bit-1' | 'first-character-is-bit-1';
export const STANDARD_MARK_BIT_ORDER: StandardMarkBitOrder = 'last-character-is-bit-1';

function checkBit(bit: number): number {
  if (!Number.isInteger(bit) || bit < MIN_MARK_BIT || bit > MAX_MARK_BIT) {
    throw new RangeError(`a standard mark bit is an integer from ${MIN_MARK_BIT} to ${MAX_MARK_BIT}, got ${String(bit)}`);
  }
  return bit;
}

/** The REST bit of the app's own mark `index` (1 to 32 → bits 33 to 64). */
export function customerMarkBit(index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > CUSTOMER_MARK_COUNT) {
    throw new RangeError(`a customer mark is numbered 1 to ${CUSTOMER_MARK_COUNT}, got ${String(index)}`);
  }
  return CUSTOMER_BIT_OFFSET + index;
}

/** The flag of the app's own mark `index` (1 to 32). */
export function customerMark(index: number): CustomerMark {
  customerMarkBit(index);
  return `customer-${index}`;
}

/** The REST bit number of a flag (a bit number passes through, checked). */
export function markFlagBit(flag: MarkFlag | number): number {
  if (typeof flag === 'number') return checkBit(flag);
  if (Object.hasOwn(namedBits, flag)) return namedBits[flag as NamedMark];
  const customer = /^customer-(\d+)$/.exec(flag);
  if (customer) return customerMarkBit(Number(customer[1]));
  const reserved = /^chat-(\d+)$/.exec(flag);
  if (reserved) {
    const bit = Number(reserved[1]);
    if (bit > MarkBit.HIDE && bit <= CUSTOMER_BIT_OFFSET) return bit;
  }
  throw new RangeError(`unknown mark flag ${JSON.stringify(flag)} (expected star, unread, fold, hide, customer-1 … customer-32 or chat-5 … chat-32)`);
}

/** The flag of a REST bit number. */
export function markBitFlag(bit: number): MarkFlag {
  checkBit(bit);
  const named = namesByBit.get(bit);
  if (named !== undefined) return named;
  return bit > CUSTOMER_BIT_OFFSET ? `customer-${bit - CUSTOMER_BIT_OFFSET}` : `chat-${bit}`;
}

function sortedBits(flags: Iterable<MarkFlag | number> | undefined): number[] {
  return [...new Set([...(flags ?? [])].map(markFlagBit))].sort((a, b) => a - b);
}

export interface MarkChanges {
  /** Flags (or REST bit numbers) to set. */
  readonly set?: Iterable<MarkFlag | number>;
  /** Flags (or REST bit numbers) to clear. */
  readonly clear?: Iterable<MarkFlag | number>;
}

/**
 * `SetMark` and `ClearMark` for a change, sorted and without repeats; a field is left out when empty. A bit in both
 * lists is refused: the vendor does not say which would win.
 */
export function markChanges(changes: MarkChanges): { SetMark?: number[]; ClearMark?: number[] } {
  const set = sortedBits(changes.set);
  const clear = sortedBits(changes.clear);
  const both = set.filter((bit) => clear.includes(bit));
  if (both.length > 0) {
    throw new RangeError(`a mark cannot be set and cleared at once: ${both.map((bit) => markBitFlag(bit)).join(', ')}`);
  }
  return { ...(set.length > 0 ? { SetMark: set } : {}), ...(clear.length > 0 ? { ClearMark: clear } : {}) };
}

export interface MarkItemChanges extends MarkChanges {
  /** The custom mark to set (at most 256 UTF-8 bytes; `''` clears it). Absent: the custom mark is left alone. */
  readonly customMark?: string;
}

/**
 * One `MarkItem` of `mark_contact` for a conversation. `OptType` follows from what changes: 1 standard marks only,
 * 2 the custom mark only, 3 both, so a custom mark is never sent (or cleared) unless asked for.
 */
export function markItem(contact: ContactItem, changes: MarkItemChanges): MarkItem {
  const standard = markChanges(changes);
  const hasStandard = standard.SetMark !== undefined || standard.ClearMark !== undefined;
  const hasCustom = changes.customMark !== undefined;
  if (!hasStandard && !hasCustom) throw new RangeError('a mark item needs marks to set or clear, or a custom mark');
  const OptType = hasStandard && hasCustom ? 3 : hasCustom ? 2 : 1;
  return {
    OptType,
    ContactItem: contact,
    ...standard,
    ...(changes.customMark !== undefined ? { CustomMark: changes.customMark } : {}),
  };
}

/** The REST bits set in a `StandardMark` string, ascending. */
export function standardMarkBits(text: string): number[] {
  if (!/^[01]*$/.test(text) || text.length > MAX_MARK_BIT) {
    throw new RangeError(`a StandardMark is at most ${MAX_MARK_BIT} characters of 0 and 1, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  const bits: number[] = [];
  for (let index = 0; index < text.length; index++) {
    if (text[index] !== '1') continue;
    bits.push(STANDARD_MARK_BIT_ORDER === 'last-character-is-bit-1' ? text.length - index : index + 1);
  }
  return bits.sort((a, b) => a - b);
}

/** The flags set in a `StandardMark` string (e.g. `"1001"` → star and hide). */
export function parseStandardMark(text: string): Set<MarkFlag> {
  return new Set(standardMarkBits(text).map(markBitFlag));
}

/** Whether a `StandardMark` string has a flag set. */
export function hasMark(text: string, flag: MarkFlag | number): boolean {
  return standardMarkBits(text).includes(markFlagBit(flag));
}

/** The `StandardMark` string of a set of flags: `"0"` when none is set, otherwise no padding beyond the highest bit. */
export function formatStandardMark(flags: Iterable<MarkFlag | number>): string {
  const bits = sortedBits(flags);
  const highest = bits.at(-1);
  if (highest === undefined) return '0';
  const characters = Array.from({ length: highest }, () => '0');
  for (const bit of bits) {
    characters[STANDARD_MARK_BIT_ORDER === 'last-character-is-bit-1' ? highest - bit : bit - 1] = '1';
  }
  return characters.join('');
}
