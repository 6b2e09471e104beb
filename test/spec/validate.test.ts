import { describe, expect, it } from 'vitest';
import { utf8ByteLength, validateQuery, validateRequest } from '../../src/validate.js';

describe('utf8ByteLength', () => {
  it('counts the bytes TextEncoder would write, without encoding', () => {
    const samples = ['', 'a', 'é', '项目', '😀', 'a😀b', '\ud800', '\udc00x', 'x\ud83d', '\u07ff\u0800\uffff', 'group_0001'];
    for (let round = 0; round < 500; round += 1) {
      samples.push(Array.from({ length: round % 40 }, () => String.fromCharCode(Math.floor(Math.random() * 0x10000))).join(''));
    }
    for (const sample of samples) expect(utf8ByteLength(sample)).toBe(new TextEncoder().encode(sample).length);
  });
});

describe('validateRequest on del_contact_group', () => {
  it('accepts the vendor sample request', () => {
    expect(validateRequest('delContactGroup', { From_Account: 'user_0001', GroupName: ['group_0001'] })).toEqual([]);
  });

  it('refuses a name over 64 UTF-8 bytes with 51011, naming the field, the rule and the byte length', () => {
    const [violation, ...rest] = validateRequest('delContactGroup', { From_Account: 'alice', GroupName: ['项'.repeat(22)] });
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ field: 'GroupName[0]', rule: 'x-max-bytes', errorCode: 51011, byteLength: 66 });
    expect(violation?.message).toBe('GroupName[0] must be at most 64 UTF-8 bytes, got 66 UTF-8 bytes (22 characters)');
  });

  it('accepts a name of exactly 64 bytes made of multi-byte characters', () => {
    expect(validateRequest('delContactGroup', { From_Account: 'alice', GroupName: ['é'.repeat(32)] })).toEqual([]);
  });

  it('counts a character outside the BMP as one character and four bytes', () => {
    const [violation] = validateRequest('delContactGroup', { From_Account: 'alice', GroupName: ['😀'.repeat(17)] });
    expect(violation?.message).toContain('68 UTF-8 bytes (17 characters)');
  });

  it('refuses more than one group name and a missing field with the bad-request code 50002', () => {
    const violations = validateRequest('delContactGroup', { GroupName: ['a', 'b'] });
    expect(violations.map((v) => [v.field, v.rule, v.errorCode])).toEqual([
      ['From_Account', 'required', 50002],
      ['GroupName', 'maxItems', 50002],
    ]);
  });

  it('names the wrong type of a field and of the body', () => {
    expect(validateRequest('delContactGroup', { From_Account: 7, GroupName: 'work' }).map((v) => v.message)).toEqual([
      'From_Account must be a string, got an integer',
      'GroupName must be an array, got a string',
    ]);
    expect(validateRequest('delContactGroup', [])[0]?.message).toBe('the request body must be an object, got an array');
  });
});

describe('validateQuery', () => {
  it('accepts the five signing parameters as the client sends them', () => {
    const query = new URLSearchParams('sdkappid=1400000000&identifier=administrator&usersig=x&random=4294967295&contenttype=json');
    expect(validateQuery('delContactGroup', query)).toEqual([]);
  });

  it('names each missing or out-of-range parameter', () => {
    const query = new URLSearchParams('sdkappid=12abc&identifier=&random=4294967296&contenttype=JSON');
    expect(validateQuery('delContactGroup', query).map((v) => v.message)).toEqual([
      'query parameter sdkappid must be an integer, got a string',
      'query parameter identifier must not be empty, got 0 UTF-8 bytes (0 characters)',
      'query parameter random must be at most 4294967295, got 4294967296',
      'query parameter contenttype must be one of "json", got "JSON"',
    ]);
    expect(validateQuery('delContactGroup', new URLSearchParams()).map((v) => v.message)).toContain('query parameter random is required');
  });
});
