/**
 * The client against the document itself: Prism mocks the bundled spec (refusing requests that break it), and Ajv
 * checks the vendor's published samples against the same schemas.
 */
import { readFileSync } from 'node:fs';
// The named export: under NodeNext the default import of this CommonJS module is typed as the module object.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { operationErrorCodes } from '../../generated/error-codes.js';
import {
  errorCodes,
  validateRequest,
  type OperationId,
} from '../../src/index.js';
import { useContractMock } from '../support/contract-mock.js';

interface Example {
  value?: unknown;
  $ref?: string;
}
interface MediaType {
  schema: { $ref: string };
  examples?: Record<string, Example>;
}
interface Operation {
  operationId: OperationId;
  requestBody: { content: { 'application/json': MediaType } };
  responses: Record<string, { content?: { 'application/json': MediaType } }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { examples: Record<string, Example>; schemas: Record<string, unknown> };
}

const specUrl = new URL('../../generated/openapi.json', import.meta.url);
const doc = JSON.parse(readFileSync(specUrl, 'utf8')) as Document;

function resolveExample(example: Example): unknown {
  if (example.$ref === undefined) return example.value;
  const name = example.$ref.replace('#/components/examples/', '');
  const target = doc.components.examples[name];
  if (target === undefined) throw new Error(`unresolved example ${example.$ref}`);
  return resolveExample(target);
}

const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item)
    // A path item also holds path-wide keys (e.g. `parameters`); operations are the entries with an operationId.
    .filter(([, operation]) => typeof operation === 'object' && operation !== null && 'operationId' in operation)
    .map(([method, operation]) => ({ path, method, operation })),
);

function requestSample(operation: Operation): unknown {
  const [first] = Object.values(operation.requestBody.content['application/json'].examples ?? {});
  if (first === undefined) throw new Error(`${operation.operationId} has no request example`);
  return resolveExample(first);
}

const responseExamples = documented.flatMap(({ operation }) =>
  Object.entries(operation.responses['200']?.content?.['application/json'].examples ?? {}).map(([name, example]) => ({
    operationId: operation.operationId,
    name,
    body: resolveExample(example) as { ErrorCode: number },
    request: requestSample(operation),
  })),
);

const mock = useContractMock();

describe('requests the client sends', () => {
  const bodies: [string, OperationId, unknown][] = [
    ...documented.map(({ operation }): [string, OperationId, unknown] => [`${operation.operationId} request example`, operation.operationId, requestSample(operation)]),
    ['a multi-byte group name', 'delContactGroup', { From_Account: 'user_0001', GroupName: ['会话分组 ☕ 🎉'] }],
    ['an account with punctuation', 'delContactGroup', { From_Account: 'user-01_ä', GroupName: ['x'] }],
  ];

  it.each(bodies)('are accepted by the spec mock: %s', async (_case, operationId, body) => {
    mock.prefer = undefined;
    const refusalsBefore = mock.refusals();
    const result = await mock.chat.call(operationId, body as never);
    expect(mock.refusals()).toBe(refusalsBefore);
    // Without a Prefer header Prism answers with the first example, which is the operation's `success`.
    const success = responseExamples.find((example) => example.operationId === operationId && example.name === 'success');
    expect(result).toMatchObject({ ok: true, data: success?.body });
  });
});

describe('every documented response example', () => {
  it.each(responseExamples.map((example) => [`${example.operationId} ${example.name}`, example] as const))(
    'comes back typed: %s',
    async (_case, example) => {
      mock.prefer = `example=${example.name}`;
      const result = await mock.chat.call(example.operationId, example.request as never);
      mock.prefer = undefined;
      const code = example.body.ErrorCode;
      if (code === 0) {
        expect(result).toMatchObject({ ok: true, data: example.body });
        return;
      }
      const info = errorCodes[code as keyof typeof errorCodes];
      expect(info).toBeDefined();
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error).toMatchObject({
        kind: 'api',
        code,
        meaning: info.meaning,
        retryable: info.retryable,
        strategy: info.strategy,
        documented: true,
      });
      expect(typeof result.random).toBe('number');
    },
  );

  it.each(documented.map(({ operation }) => [operation.operationId] as const))(
    'include a success and exactly one failure per code %s documents',
    (operationId) => {
      const own = responseExamples.filter((example) => example.operationId === operationId);
      // Further successful variants (partial-success, more-pages, ...) may follow; `success` is the one full success.
      expect(own.filter((example) => example.name === 'success' && example.body.ErrorCode === 0)).toHaveLength(1);
      const codes = own.map((example) => example.body.ErrorCode);
      expect(codes.filter((code) => code !== 0).sort()).toEqual([...operationErrorCodes[operationId]].sort());
    },
  );
});

describe('requests that break the schema', () => {
  const broken: [string, unknown, string][] = [
    ['two group names', { From_Account: 'user_0001', GroupName: ['a', 'b'] }, 'GroupName'],
    ['a missing GroupName', { From_Account: 'user_0001' }, 'GroupName'],
    ['a missing From_Account', { GroupName: ['a'] }, 'From_Account'],
    ['GroupName as a string', { From_Account: 'user_0001', GroupName: 'a' }, 'GroupName'],
    ['a group name that is a number', { From_Account: 'user_0001', GroupName: [1] }, 'GroupName'],
  ];

  it.each(broken)('are refused by the client before sending: %s', async (_case, body, field) => {
    mock.sent.mockClear();
    const result = await mock.chat.delContactGroup(body as never);
    expect(mock.sent).not.toHaveBeenCalled();
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: 'validation' });
    expect(result.ok ? '' : result.error.message).toContain(field);
  });

  it.each(broken)('are refused by the spec mock with 422 when sent unchecked: %s', async (_case, body, field) => {
    mock.prefer = undefined;
    const refusalsBefore = mock.refusals();
    const { response, error } = await mock.chat.raw.POST('/v4/recentcontact/del_contact_group', { body: body as never });
    expect(response.status).toBe(422);
    // What the other tests count to show that Prism refused none of their requests.
    expect(mock.refusals()).toBe(refusalsBefore + 1);
    const problems = (error as unknown as { validation: { location: string[]; message: string }[] }).validation;
    // Prism names a missing property in the message and a wrong one in the location.
    expect(problems.some((problem) => problem.location.includes(field) || problem.message.includes(`'${field}'`))).toBe(true);
  });
});

describe("the vendor's samples", () => {
  // Copied from the vendor's del_contact_group page (last updated 2026-04-14), without its inline comment.
  const vendorRequest = { From_Account: 'user_0001', GroupName: ['group_0001'] };
  const vendorResponse = {
    GroupItem: [{ GroupName: 'group_0001', GroupId: 1 }],
    ActionStatus: 'OK',
    ErrorCode: 0,
    ErrorInfo: '',
  };

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const base = 'https://spec.test/openapi.json';
  ajv.addSchema({ ...doc, $id: base });
  // These samples are del_contact_group's; the family's own samples are checked in family-spec.test.ts.
  const only = documented.find(({ operation }) => operation.operationId === 'delContactGroup');
  if (only === undefined) throw new Error('the document has no delContactGroup operation');
  const schemaOf = (ref: string) => {
    const validate = ajv.getSchema(`${base}${ref}`);
    if (validate === undefined) throw new Error(`no schema at ${ref}`);
    return validate;
  };
  const validateVendorRequest = schemaOf(only.operation.requestBody.content['application/json'].schema.$ref);
  const validateVendorResponse = schemaOf(only.operation.responses['200']?.content?.['application/json'].schema.$ref ?? '');

  it('the sample request is valid', () => {
    expect(validateVendorRequest(vendorRequest), JSON.stringify(validateVendorRequest.errors)).toBe(true);
    expect(validateRequest('delContactGroup', vendorRequest)).toEqual([]);
  });

  it('the sample response is valid', () => {
    expect(validateVendorResponse(vendorResponse), JSON.stringify(validateVendorResponse.errors)).toBe(true);
  });

  it('every example in the document is valid against its schema', () => {
    for (const example of responseExamples.filter((candidate) => candidate.operationId === 'delContactGroup')) {
      expect(validateVendorResponse(example.body), `${example.name}: ${JSON.stringify(validateVendorResponse.errors)}`).toBe(true);
    }
    expect(validateVendorRequest(requestSample(only.operation))).toBe(true);
  });

  it.each([
    ['two names', { ...vendorRequest, GroupName: ['group_0001', 'group_0002'] }, '/GroupName', 'maxItems'],
    ['no name', { ...vendorRequest, GroupName: [] }, '/GroupName', 'minItems'],
    ['an empty From_Account', { ...vendorRequest, From_Account: '' }, '/From_Account', 'minLength'],
    ['no From_Account', { GroupName: vendorRequest.GroupName }, '', 'required'],
    ['no GroupName', { From_Account: vendorRequest.From_Account }, '', 'required'],
    ['an empty group name', { ...vendorRequest, GroupName: [''] }, '/GroupName/0', 'minLength'],
  ])('a sample with %s breaks the documented limit', (_case, body, path, keyword) => {
    expect(validateVendorRequest(body)).toBe(false);
    expect(validateVendorRequest.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ instancePath: path, keyword })]),
    );
    expect(validateRequest('delContactGroup', body).map((violation) => violation.rule)).toContain(keyword);
  });

  it('a sample name over the byte limit passes the schema but not validateRequest, which gives its ErrorCode', () => {
    const nameSchema = doc.components.schemas['DelGroupName'] as { 'x-max-bytes': number; 'x-max-bytes-error-code': number };
    const limit = nameSchema['x-max-bytes'];
    // Two-byte characters: within the character bound that JSON Schema can check, over the byte bound it cannot.
    const name = 'é'.repeat(Math.ceil((limit + 1) / 2));
    const body = { ...vendorRequest, GroupName: [name] };
    expect(validateVendorRequest(body)).toBe(true);
    const violations = validateRequest('delContactGroup', body);
    expect(violations).toEqual([
      expect.objectContaining({ field: 'GroupName[0]', rule: 'x-max-bytes', errorCode: nameSchema['x-max-bytes-error-code'], byteLength: Buffer.byteLength(name) }),
    ]);
  });
});
