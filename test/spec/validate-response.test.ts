/**
 * `validateResponse`: an answer of the service against its operation's answer schema, as the contract check uses
 * it. Every documented example passes; a field the document lacks, a missing promised field and a broken pattern
 * are named with their place in the answer.
 */
import { describe, expect, it } from 'vitest';
import document from '../../generated/openapi.json' with { type: 'json' };
import type { OperationId } from '../../generated/operations.js';
import { validateResponse } from '../../src/validate.js';

interface Example {
  readonly value?: unknown;
  readonly $ref?: string;
}

const examples = Object.values(document.paths as Record<string, { post: { operationId: string; responses: Record<string, { content?: Record<string, { examples?: Record<string, Example> }> }> } }>).flatMap(
  ({ post }) =>
    Object.entries(post.responses['200']?.content?.['application/json']?.examples ?? {}).map(([name, example]) => {
      const resolved = example.$ref === undefined ? example : ((document.components.examples as Record<string, Example>)[example.$ref.split('/').at(-1) ?? ''] ?? {});
      return { operationId: post.operationId as OperationId, name, value: resolved.value };
    }),
);

describe('validateResponse', () => {
  it('accepts every answer example of the document', () => {
    expect(examples.length).toBeGreaterThan(50);
    for (const example of examples) expect(validateResponse(example.operationId, example.value), `${example.operationId} ${example.name}`).toEqual([]);
  });

  it('names a field the document lacks, at the top and inside items', () => {
    const answer = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', Extra: 1, GroupItem: [{ GroupName: 'work', GroupId: 1, Colour: 'red' }] };
    expect(validateResponse('delContactGroup', answer)).toEqual([
      { field: 'Extra', rule: 'undeclared', message: 'Extra is not in the document (value 1)' },
      { field: 'GroupItem[0].Colour', rule: 'undeclared', message: 'GroupItem[0].Colour is not in the document (value "red")' },
    ]);
  });

  it('names a promised field that is missing', () => {
    expect(validateResponse('delContactGroup', { ActionStatus: 'OK', ErrorCode: 0 })).toEqual([
      { field: 'ErrorInfo', rule: 'required', message: 'ErrorInfo is required' },
    ]);
  });

  it('reads the fields of the union branch that fits, so a one-to-one item may not carry a group ID', () => {
    const item = { Type: 1, To_Account: 'bob', StandardMark: '12', Timestamp: 1, ToGroupId: '@TGS#2ABC' };
    const violations = validateResponse('searchContactGroup', { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ContactResultItem: [item] });
    expect(violations.map((violation) => `${violation.field} ${violation.rule}`)).toEqual([
      'ContactResultItem[0].StandardMark pattern',
      'ContactResultItem[0].ToGroupId undeclared',
    ]);
  });

  it('refuses an answer that is not a JSON object', () => {
    expect(validateResponse('getContactGroup', 'Bad Gateway')).toEqual([{ field: '', rule: 'type', message: 'the answer must be a JSON object, got a string' }]);
  });
});
