import { describe, expect, it } from 'vitest';
import {
  customerMark,
  customerMarkBit,
  formatStandardMark,
  hasMark,
  MarkBit,
  markBitFlag,
  markChanges,
  markFlagBit,
  markItem,
  parseStandardMark,
  STANDARD_MARK_BIT_ORDER,
  standardMarkBits,
} from '../../src/marks.js';
import { validateRequest } from '../../src/validate.js';

const bob = { Type: 1, To_Account: 'bob' } as const;

describe('named standard marks', () => {
  it('use the REST numbering of the vendor page: star 1, unread 2, fold 3, hide 4', () => {
    expect(MarkBit).toEqual({ STAR: 1, UNREAD: 2, FOLD: 3, HIDE: 4 });
    expect(['star', 'unread', 'fold', 'hide'].map((flag) => markFlagBit(flag as 'star'))).toEqual([1, 2, 3, 4]);
    expect([1, 2, 3, 4].map(markBitFlag)).toEqual(['star', 'unread', 'fold', 'hide']);
  });

  it('number the 32 customer bits 33 to 64, and refuse anything else', () => {
    expect(customerMarkBit(1)).toBe(33);
    expect(customerMarkBit(32)).toBe(64);
    expect(customerMark(7)).toBe('customer-7');
    expect(markFlagBit('customer-32')).toBe(64);
    expect(markBitFlag(40)).toBe('customer-8');
    for (const bad of [0, 33, 1.5, Number.NaN]) expect(() => customerMarkBit(bad)).toThrow(RangeError);
    expect(() => markFlagBit('customer-33' as never)).toThrow(RangeError);
  });

  it('keep the undocumented Chat bits 5 to 32 as chat-N, so reading marks never loses a bit', () => {
    expect(markBitFlag(5)).toBe('chat-5');
    expect(markBitFlag(32)).toBe('chat-32');
    expect(markFlagBit('chat-17')).toBe(17);
    expect(() => markFlagBit('chat-3' as never)).toThrow(RangeError);
    expect(() => markFlagBit('chat-33' as never)).toThrow(RangeError);
    expect(() => markFlagBit('starred' as never)).toThrow(/unknown mark flag/);
  });

  it('refuse bit numbers outside 1 to 64', () => {
    for (const bad of [0, 65, -1, 2.5]) expect(() => markBitFlag(bad)).toThrow(RangeError);
  });
});

describe('markChanges', () => {
  it('builds sorted SetMark and ClearMark arrays without repeats from flags and bit numbers', () => {
    expect(markChanges({ set: ['hide', 'star', 'star', customerMark(1)], clear: new Set(['unread' as const, 3]) })).toEqual({
      SetMark: [1, 4, 33],
      ClearMark: [2, 3],
    });
  });

  it('leaves out an empty side', () => {
    expect(markChanges({ set: ['star'] })).toEqual({ SetMark: [1] });
    expect(markChanges({ clear: ['star'] })).toEqual({ ClearMark: [1] });
    expect(markChanges({})).toEqual({});
  });

  it('refuses a bit that is both set and cleared, since the vendor does not say which wins', () => {
    expect(() => markChanges({ set: ['star', 'fold'], clear: [MarkBit.FOLD] })).toThrow(/set and cleared at once: fold/);
  });
});

describe('markItem', () => {
  it('chooses OptType from what changes: 1 standard, 2 custom, 3 both', () => {
    expect(markItem(bob, { set: ['star'] })).toEqual({ OptType: 1, ContactItem: bob, SetMark: [1] });
    expect(markItem(bob, { customMark: 'vip' })).toEqual({ OptType: 2, ContactItem: bob, CustomMark: 'vip' });
    expect(markItem(bob, { clear: ['hide'], customMark: '' })).toEqual({ OptType: 3, ContactItem: bob, ClearMark: [4], CustomMark: '' });
  });

  it('refuses an item that changes nothing', () => {
    expect(() => markItem(bob, {})).toThrow(RangeError);
  });

  it('builds items that pass the spec, for one-to-one and group conversations', () => {
    const items = [
      markItem(bob, { set: ['star', 'unread', 'fold', 'hide', customerMark(32)] }),
      markItem({ Type: 2, ToGroupId: '@TGS#2ABC' }, { clear: ['star'], customMark: 'x' }),
    ];
    expect(validateRequest('markContact', { From_Account: 'alice', MarkItem: items })).toEqual([]);
  });
});

describe('StandardMark strings', () => {
  it(`read the last character as bit 1 (${STANDARD_MARK_BIT_ORDER}), the documented assumption`, () => {
    expect(STANDARD_MARK_BIT_ORDER).toBe('last-character-is-bit-1');
    expect(standardMarkBits('1')).toEqual([1]);
    expect(standardMarkBits('10')).toEqual([2]);
    expect(standardMarkBits('1001')).toEqual([1, 4]);
  });

  it("read the vendor's samples as sets of flags", () => {
    expect(parseStandardMark('11')).toEqual(new Set(['star', 'unread']));
    expect(parseStandardMark('111001')).toEqual(new Set(['star', 'hide', 'chat-5', 'chat-6']));
    expect(parseStandardMark('11111110')).toEqual(new Set(['unread', 'fold', 'hide', 'chat-5', 'chat-6', 'chat-7', 'chat-8']));
    // Leading zeros change nothing.
    expect(parseStandardMark('011111110')).toEqual(parseStandardMark('11111110'));
    expect(parseStandardMark('')).toEqual(new Set());
    expect(parseStandardMark('0')).toEqual(new Set());
  });

  it('read all 64 bits, the customer ones included', () => {
    const all = '1'.repeat(64);
    expect(standardMarkBits(all)).toHaveLength(64);
    expect(parseStandardMark(`1${'0'.repeat(63)}`)).toEqual(new Set(['customer-32']));
    expect(hasMark(`1${'0'.repeat(32)}`, customerMark(1))).toBe(true);
    expect(hasMark('1001', 'hide')).toBe(true);
    expect(hasMark('1001', 'fold')).toBe(false);
  });

  it('refuse anything but 0 and 1, and more than 64 characters', () => {
    for (const bad of ['12', 'abc', ' 1', '1'.repeat(65)]) expect(() => standardMarkBits(bad)).toThrow(RangeError);
  });

  it('format flags back to the same strings, "0" for none', () => {
    expect(formatStandardMark([])).toBe('0');
    expect(formatStandardMark(['star'])).toBe('1');
    expect(formatStandardMark(['star', 'unread'])).toBe('11');
    expect(formatStandardMark(['hide', 'star'])).toBe('1001');
    for (const sample of ['1', '11', '111001', '11111110', `1${'0'.repeat(63)}`]) {
      expect(formatStandardMark(parseStandardMark(sample))).toBe(sample);
    }
  });
});
