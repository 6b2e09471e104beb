/**
 * The document and the probe table stay in step: every probe the document names has code, every probe is named by
 * the document, and every inferred rule says how it is checked (a probe) or why it is not (notProbed).
 */
import { describe, expect, it } from 'vitest';
import { probes, textOfBytes } from '../../src/verify/probes.js';
import { inferredRules } from '../../src/verify/provenance.js';

describe('inferred rules and their probes', () => {
  const rules = inferredRules();

  it('finds the inferred rules of the bundled document with their JSON pointer, rule and reason', () => {
    expect(rules.length).toBeGreaterThan(0);
    expect(rules).toContainEqual(
      expect.objectContaining({ pointer: '/components/schemas/CustomMark', rule: 'x-empty-clears', probe: 'custom-mark-empty-clears', reason: expect.stringContaining('empty string') }),
    );
    expect(rules).toContainEqual(expect.objectContaining({ pointer: '/paths/~1v4~1recentcontact~1delete/post', operationId: 'deleteRecentContact' }));
  });

  it('has code for every probe the document names', () => {
    const named = rules.flatMap((rule) => (rule.probe === undefined ? [] : [rule.probe]));
    expect(named.filter((id) => !Object.hasOwn(probes, id))).toEqual([]);
  });

  it('has no probe the document never names', () => {
    const named = new Set(rules.flatMap((rule) => (rule.probe === undefined ? [] : [rule.probe])));
    expect(Object.keys(probes).filter((id) => !named.has(id))).toEqual([]);
  });

  it('gives a rule with no probe and no reason in the document a reason of its kind', () => {
    const document = { components: { examples: { A: { 'x-source': { value: { inferred: 'ours' } } } }, schemas: { B: { 'x-source': { minimum: { inferred: 'why' } } } } } };
    expect(inferredRules(document).map((rule) => rule.notProbed)).toEqual([expect.stringContaining('an example'), expect.stringContaining('no probe is written')]);
  });

  it('gives every inferred rule either a probe or the reason none can be safe, not both', () => {
    for (const rule of rules) expect([rule.probe, rule.notProbed].filter((value) => value !== undefined), `${rule.pointer} ${rule.rule}`).toHaveLength(1);
  });

  it('lists a rule of a made-up document under its pointer, escaping / and ~ in keys', () => {
    const document = { paths: { '/a~b': { post: { operationId: 'x', 'x-source': { maxItems: { inferred: 'why', notProbed: 'unsafe' }, minItems: { vendor: ['p'] } } } } } };
    expect(inferredRules(document)).toEqual([{ pointer: '/paths/~1a~0b/post', rule: 'maxItems', reason: 'why', notProbed: 'unsafe', operationId: 'x' }]);
  });
});

describe('textOfBytes', () => {
  it('builds text of exactly the asked UTF-8 length from three-byte characters and ASCII', () => {
    for (const bytes of [32, 33, 64, 65, 256, 257]) {
      const text = textOfBytes('vc1234abcd-a', bytes);
      expect(Buffer.byteLength(text)).toBe(bytes);
      expect(text.length).toBeLessThan(bytes);
      expect(text.startsWith('vc1234abcd-a')).toBe(true);
    }
  });
});
