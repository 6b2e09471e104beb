/**
 * The breaking-change check: each kind of change that breaks callers is found and named, on small documents made
 * for the purpose, and each additive change is not. Where a rule is about the generated types, the test proves it:
 * caller code compiles against the types generated from the old document and, for a breaking change, stops
 * compiling against the new ones (for an additive change it compiles against both). Then the real document: the
 * kinds of edit made to its schemas are classified as they should be, it breaks nothing against the last release
 * stored in releases/, and the CHANGELOG entries name the operations each release touched.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  breakingAllowed,
  breakingChangeKinds,
  changelogEntry,
  currentDocumentPath,
  diffOperations,
  documentVersion,
  findBreakingChanges,
  readReleases,
  type BreakingChange,
  type BreakingChangeKind,
  type Document,
} from '../../scripts/release/breaking-changes.js';
import { compileErrors, generatedTypes, type CompileError } from '../support/type-check.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** A catalogue entry as the generated error-code table needs it. */
function errorCode(code: number, scope: 'operation' | 'public') {
  return { code, scope, meaning: `code ${code}`, retryable: false, strategy: 'none', appWide: false, source: 'test' };
}

/** A small document shaped like ours: path-level `$ref` parameters, `$ref` bodies, an `allOf` response, extensions. */
function baseDocument(): Document {
  return {
    openapi: '3.1.0',
    info: { title: 'things', version: '1.0.0' },
    servers: [
      { url: 'https://alpha.example', description: 'Alpha', 'x-region': 'alpha' },
      { url: 'https://beta.example', description: 'Beta', 'x-region': 'beta' },
    ],
    paths: {
      '/v4/things/delete': {
        parameters: [{ $ref: '#/components/parameters/random' }, { $ref: '#/components/parameters/mode' }],
        post: {
          operationId: 'deleteThing',
          summary: 'Delete a thing',
          'x-error-codes': [50001, 51009],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/DeleteRequest' } } } },
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/DeleteResponse' } } } } },
        },
      },
      '/v4/things/list': {
        post: {
          operationId: 'listThings',
          'x-error-codes': [],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: {} } } } },
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/ListResponse' } } } } },
        },
      },
    },
    components: {
      parameters: {
        random: { name: 'random', in: 'query', required: true, schema: { type: 'integer', minimum: 0, maximum: 4294967295 } },
        mode: { name: 'mode', in: 'query', required: false, schema: { type: 'string' } },
      },
      schemas: {
        UserId: { type: 'string', minLength: 1 },
        DeleteRequest: {
          type: 'object',
          required: ['From_Account', 'Names'],
          properties: {
            From_Account: { $ref: '#/components/schemas/UserId', description: 'who' },
            Names: { type: 'array', minItems: 0, maxItems: 2, items: { type: 'string', maxLength: 64, 'x-max-bytes': 64 } },
            Kind: { type: 'string', enum: ['a', 'b'] },
            Note: { type: 'string' },
            Count: { type: 'integer' },
          },
        },
        Envelope: {
          type: 'object',
          required: ['ActionStatus', 'ErrorCode'],
          properties: { ActionStatus: { type: 'string', enum: ['OK', 'FAIL'] }, ErrorCode: { type: 'integer' } },
        },
        ListResponse: {
          allOf: [
            { $ref: '#/components/schemas/Envelope' },
            { type: 'object', properties: { Things: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } },
          ],
        },
        Thing: {
          oneOf: [
            { type: 'object', required: ['Type', 'Id'], properties: { Type: { type: 'integer', const: 1 }, Id: { type: 'integer' } } },
            { type: 'object', required: ['Type', 'Name'], properties: { Type: { type: 'integer', const: 2 }, Name: { type: 'string' } } },
          ],
        },
        DeleteResponse: {
          allOf: [
            { $ref: '#/components/schemas/Envelope' },
            {
              type: 'object',
              properties: {
                Items: {
                  type: 'array',
                  items: { type: 'object', required: ['Id'], properties: { Id: { type: 'integer' }, Name: { type: 'string' } } },
                },
              },
            },
          ],
        },
      },
      'x-error-codes': [errorCode(50001, 'operation'), errorCode(51009, 'operation'), errorCode(60007, 'public')],
    },
  };
}

/** A modified copy of the base document; `edit` reaches into untyped JSON, as a hand edit of the file would. */
function changed(edit: (document: any) => void): Document {
  const document = structuredClone(baseDocument());
  edit(document);
  return document;
}

/** Gives the list response its own copy of the envelope, with `ActionStatus` restricted to `values` (or free). */
function listStatus(document: any, values: string[] | undefined): void {
  const envelope = structuredClone(document.components.schemas.Envelope);
  if (values === undefined) delete envelope.properties.ActionStatus.enum;
  else envelope.properties.ActionStatus.enum = values;
  document.components.schemas.ListResponse.allOf[0] = envelope;
}

// Caller code, compiled after the modules generated/ would hold for a document (their names are in scope).
const LIST_BODY = `export type ListBody = paths['/v4/things/list']['post']['requestBody'];`;
const DELETE_OPERATION = `export type DeleteOperation = operations['deleteThing'];`;
const MINIMAL_BODY = `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'] };`;
const MINIMAL_QUERY = `export const query: operations['deleteThing']['parameters']['query'] = { random: 1 };`;
const EXHAUSTIVE_STATUS_SWITCH = `
  export function succeeded(response: ListResponse): boolean {
    switch (response.ActionStatus) {
      case 'OK': return true;
      case 'FAIL': return false;
      default: { const unhandled: never = response.ActionStatus; return unhandled; }
    }
  }`;
const EXHAUSTIVE_THING_SWITCH = `
  export function label(thing: Thing): string {
    switch (thing.Type) {
      case 1: return String(thing.Id);
      case 2: return thing.Name;
      default: { const unhandled: never = thing; return unhandled; }
    }
  }`;

const typesByDocument = new Map<string, Promise<string>>();

/**
 * The compile errors of `caller` against the types generated from `previous` (`before`) and from `current` (`after`),
 * one program for both. The generated modules themselves must compile: an error there would prove nothing.
 */
async function callerErrors(previous: Document, current: Document, caller: string): Promise<{ before: string[]; after: string[] }> {
  const typesOf = (document: Document): Promise<string> => {
    const key = JSON.stringify(document);
    const types = typesByDocument.get(key) ?? generatedTypes(document);
    typesByDocument.set(key, types);
    return types;
  };
  const [before, after] = await Promise.all([typesOf(previous), typesOf(current)]);
  const errors = compileErrors({ before: `${before}\n${caller}\n`, after: `${after}\n${caller}\n` });
  const inCaller = (types: string, list: CompileError[] = []): string[] => {
    const callerStart = types.split('\n').length + 1;
    expect(list.filter((error) => error.line < callerStart).map((error) => error.message), 'the generated modules compile').toEqual([]);
    return list.map((error) => `line ${error.line - callerStart + 1}: ${error.message}`);
  };
  return { before: inCaller(before, errors['before']), after: inCaller(after, errors['after']) };
}

function addCreateOperation(document: any): void {
  document.paths['/v4/things/create'] = structuredClone(document.paths['/v4/things/list']);
  document.paths['/v4/things/create'].post.operationId = 'createThing';
}

function only(findings: BreakingChange[], kind: BreakingChangeKind): BreakingChange {
  expect(findings.map((finding) => finding.kind), JSON.stringify(findings, null, 2)).toEqual([kind]);
  return findings[0] as BreakingChange;
}

describe('findBreakingChanges on small documents', () => {
  it('finds nothing between a document and itself', () => {
    expect(findBreakingChanges(baseDocument(), baseDocument())).toEqual([]);
  });

  const cases: {
    name: string;
    kind: BreakingChangeKind;
    edit: (document: any) => void;
    operationId?: string;
    path: string;
    mentions: string[];
    /** For a rule about the generated types: caller code that compiles against the old types, not the new ones. */
    caller?: string | undefined;
    /** An edit of the base document to start from, when the base lacks what the rule is about. */
    before?: (document: any) => void;
    /** The edit undoes the change: the check compares the edited document with the base one. */
    reversed?: boolean;
  }[] = [
    {
      name: 'a removed operation',
      kind: 'operation-removed',
      edit: (d) => delete d.paths['/v4/things/list'],
      operationId: 'listThings',
      path: 'POST /v4/things/list',
      mentions: ['listThings', 'removed'],
      caller: LIST_BODY,
    },
    {
      name: 'an operation moved to another path',
      kind: 'operation-removed',
      edit: (d) => {
        d.paths['/v4/things/list-all'] = d.paths['/v4/things/list'];
        delete d.paths['/v4/things/list'];
      },
      operationId: 'listThings',
      path: 'POST /v4/things/list',
      mentions: ['listThings', '/v4/things/list-all'],
      caller: LIST_BODY,
    },
    {
      name: 'a renamed operationId',
      kind: 'operation-id-renamed',
      edit: (d) => (d.paths['/v4/things/delete'].post.operationId = 'removeThing'),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete',
      mentions: ['deleteThing', 'removeThing'],
      caller: DELETE_OPERATION,
    },
    {
      name: 'a removed request field',
      kind: 'request-field-removed',
      edit: (d) => delete d.components.schemas.DeleteRequest.properties.Note,
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Note',
      mentions: ['Note', 'deleteThing'],
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'], Note: 'why' };`,
    },
    {
      name: 'a removed response field (inside allOf, inside array items)',
      kind: 'response-field-removed',
      edit: (d) => delete d.components.schemas.DeleteResponse.allOf[1].properties.Items.items.properties.Name,
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete response 200.Items[].Name',
      mentions: ['Items[].Name', 'deleteThing'],
      caller: `export const readName = (response: DeleteResponse): string | undefined => response.Items?.[0]?.Name;`,
    },
    {
      name: 'a new required request field',
      kind: 'request-field-required',
      edit: (d) => {
        d.components.schemas.DeleteRequest.properties.Reason = { type: 'string' };
        d.components.schemas.DeleteRequest.required.push('Reason');
      },
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Reason',
      mentions: ['Reason', 'new and required'],
      caller: MINIMAL_BODY,
    },
    {
      name: 'an optional request field made required',
      kind: 'request-field-required',
      edit: (d) => d.components.schemas.DeleteRequest.required.push('Kind'),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Kind',
      mentions: ['Kind', 'became required'],
      caller: MINIMAL_BODY,
    },
    {
      name: 'a narrowed request enum',
      kind: 'request-enum-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Kind.enum = ['a']),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Kind',
      mentions: ['Kind', '"b"'],
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'], Kind: 'b' };`,
    },
    {
      name: 'an enum put on a free request field',
      kind: 'request-enum-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Note.enum = ['x', 'y']),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Note',
      mentions: ['Note', 'restricted to "x", "y"'],
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'], Note: 'why' };`,
    },
    {
      name: 'a value removed from a response enum',
      kind: 'response-enum-value-removed',
      edit: (d) => listStatus(d, ['OK']),
      operationId: 'listThings',
      path: 'POST /v4/things/list response 200.ActionStatus',
      mentions: ['ActionStatus', '"FAIL"', 'listThings'],
      caller: `export const failed = (response: ListResponse): boolean => response.ActionStatus === 'FAIL';`,
    },
    {
      name: 'a changed request field type (through a $ref with siblings)',
      kind: 'type-changed',
      edit: (d) => (d.components.schemas.UserId = { type: 'integer' }),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.From_Account',
      mentions: ['From_Account', 'string', 'integer'],
      caller: MINIMAL_BODY,
    },
    {
      name: 'a changed response field type',
      kind: 'type-changed',
      edit: (d) => (d.components.schemas.DeleteResponse.allOf[1].properties.Items.items.properties.Id = { type: 'string' }),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete response 200.Items[].Id',
      mentions: ['Items[].Id', 'integer', 'string'],
      caller: `export const readId = (response: DeleteResponse): number | undefined => response.Items?.[0]?.Id;`,
    },
    {
      name: 'a new required query parameter',
      kind: 'parameter-required',
      edit: (d) => d.paths['/v4/things/delete'].post.parameters = [{ name: 'tenant', in: 'query', required: true, schema: { type: 'string' } }],
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete query.tenant',
      mentions: ['tenant', 'new and required'],
      caller: MINIMAL_QUERY,
    },
    {
      name: 'an optional query parameter made required',
      kind: 'parameter-required',
      edit: (d) => (d.components.parameters.mode.required = true),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete query.mode',
      mentions: ['mode', 'became required'],
      caller: MINIMAL_QUERY,
    },
    {
      name: 'a removed query parameter',
      kind: 'parameter-removed',
      edit: (d) => d.paths['/v4/things/delete'].parameters.pop(),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete query.mode',
      mentions: ['mode', 'removed'],
      caller: `export const query: operations['deleteThing']['parameters']['query'] = { random: 1, mode: 'fast' };`,
    },
    {
      name: 'a lower maxLength on request array items',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Names.items.maxLength = 32),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Names[]',
      mentions: ['Names[]', 'maxLength lowered from 64 to 32'],
    },
    {
      name: 'a lower x-max-bytes',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Names.items['x-max-bytes'] = 32),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Names[]',
      mentions: ['Names[]', 'x-max-bytes lowered from 64 to 32'],
    },
    {
      name: 'a lower maxItems',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Names.maxItems = 1),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Names',
      mentions: ['Names', 'maxItems lowered from 2 to 1'],
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a', 'b'] };`,
    },
    {
      name: 'a new maxLength on a request field that had none',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Note.maxLength = 10),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Note',
      mentions: ['Note', 'maxLength added, 10'],
    },
    {
      name: 'a higher minimum on a query parameter',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.parameters.random.schema.minimum = 1),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete query.random',
      mentions: ['random', 'minimum raised from 0 to 1'],
    },
    {
      name: 'a response field that is no longer always present',
      kind: 'response-field-optional',
      edit: (d) => (d.components.schemas.DeleteResponse.allOf[1].properties.Items.items.required = []),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete response 200.Items[].Id',
      mentions: ['Items[].Id'],
      caller: `export const readId = (item: NonNullable<DeleteResponse['Items']>[number]): number => item.Id;`,
    },
    {
      name: 'a response field that is now always present only under a condition (if/then)',
      kind: 'response-field-optional',
      edit: (d) => {
        const item = d.components.schemas.DeleteResponse.allOf[1].properties.Items.items;
        item.required = [];
        item.if = { required: ['Name'] };
        item.then = { required: ['Id'] };
      },
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete response 200.Items[].Id',
      mentions: ['Items[].Id', 'no longer always present'],
      caller: `export const readId = (item: NonNullable<DeleteResponse['Items']>[number]): number => item.Id;`,
    },
    {
      name: 'an error code removed from an operation',
      kind: 'error-code-removed',
      edit: (d) => (d.paths['/v4/things/delete'].post['x-error-codes'] = [50001]),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete x-error-codes',
      mentions: ['51009', 'deleteThing'],
      caller: `export const code: (typeof operationErrorCodes)['deleteThing'][number] = 51009;`,
    },
    {
      name: 'an error code removed from the catalogue',
      kind: 'error-code-removed',
      edit: (d) => d.components['x-error-codes'].pop(),
      path: 'components.x-error-codes',
      mentions: ['60007'],
      caller: `export const code: DocumentedErrorCode = 60007;`,
    },
    {
      name: 'a removed region',
      kind: 'region-removed',
      edit: (d) => d.servers.pop(),
      path: 'servers.beta',
      mentions: ['beta'],
      caller: `export const region: RegionName = 'beta';`,
    },
    {
      name: 'a value added to a response enum',
      kind: 'response-enum-widened',
      edit: (d) => listStatus(d, ['OK', 'FAIL', 'PARTIAL']),
      operationId: 'listThings',
      path: 'POST /v4/things/list response 200.ActionStatus',
      mentions: ['ActionStatus', '"PARTIAL"', 'exhaustive switch'],
      caller: EXHAUSTIVE_STATUS_SWITCH,
    },
    {
      name: 'a value added to a response enum of integers (as CompleteFlag)',
      kind: 'response-enum-widened',
      before: (d) => (d.components.schemas.ListResponse.allOf[1].properties.CompleteFlag = { type: 'integer', enum: [0, 1] }),
      edit: (d) => d.components.schemas.ListResponse.allOf[1].properties.CompleteFlag.enum.push(2),
      operationId: 'listThings',
      path: 'POST /v4/things/list response 200.CompleteFlag',
      mentions: ['CompleteFlag', 'new value 2'],
      caller: `
        export function morePages(flag: NonNullable<ListResponse['CompleteFlag']>): boolean {
          switch (flag) {
            case 0: return true;
            case 1: return false;
            default: { const unhandled: never = flag; return unhandled; }
          }
        }`,
    },
    {
      name: 'a response enum dropped for its free type',
      kind: 'response-enum-widened',
      edit: (d) => listStatus(d, undefined),
      operationId: 'listThings',
      path: 'POST /v4/things/list response 200.ActionStatus',
      mentions: ['ActionStatus', 'no longer restricted to "OK", "FAIL"'],
      caller: EXHAUSTIVE_STATUS_SWITCH,
    },
    {
      name: 'a new member of a response union',
      kind: 'response-variant-added',
      edit: (d) =>
        d.components.schemas.Thing.oneOf.push({ type: 'object', required: ['Type'], properties: { Type: { type: 'integer', const: 3 } } }),
      operationId: 'listThings',
      path: 'POST /v4/things/list response 200.Things[]',
      mentions: ['Things[]', '3 shapes instead of 2'],
      caller: EXHAUSTIVE_THING_SWITCH,
    },
    {
      name: 'a member removed from a response union',
      kind: 'response-variant-removed',
      edit: (d) => d.components.schemas.Thing.oneOf.pop(),
      operationId: 'listThings',
      path: 'POST /v4/things/list response 200.Things[]',
      mentions: ['Things[]', '1 shapes instead of 2'],
      caller: EXHAUSTIVE_THING_SWITCH,
    },
    {
      name: 'a request field required only under a condition (if/then)',
      kind: 'request-field-required',
      edit: (d) => {
        d.components.schemas.DeleteRequest.if = { properties: { Kind: { const: 'b' } }, required: ['Kind'] };
        d.components.schemas.DeleteRequest.then = { required: ['Note'] };
      },
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Note',
      mentions: ['Note', 'is now required when Kind is "b"'],
    },
    {
      name: 'a request field required when another one is sent (dependentRequired)',
      kind: 'request-field-required',
      edit: (d) => (d.components.schemas.DeleteRequest.dependentRequired = { Note: ['Kind'] }),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Kind',
      mentions: ['Kind', 'when Note is sent'],
    },
    {
      name: 'a request limit tightened under a condition (if/then)',
      kind: 'request-limit-narrowed',
      edit: (d) => {
        d.components.schemas.DeleteRequest.if = { properties: { Kind: { const: 'a' } }, required: ['Kind'] };
        d.components.schemas.DeleteRequest.then = { properties: { Note: { maxLength: 8 } } };
      },
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Note',
      mentions: ['Note', 'maxLength added, 8'],
    },
    {
      name: 'a nested request field required under a condition (if/then)',
      kind: 'request-field-required',
      before: (d) => (d.components.schemas.DeleteRequest.properties.Options = { type: 'object', properties: { Deep: { type: 'boolean' }, Fast: { type: 'boolean' } } }),
      edit: (d) => {
        d.components.schemas.DeleteRequest.if = { properties: { Kind: { const: 'b' } }, required: ['Kind'] };
        d.components.schemas.DeleteRequest.then = { properties: { Options: { required: ['Deep'] } } };
      },
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Options.Deep',
      mentions: ['Options.Deep', 'became required'],
    },
    {
      name: 'a pattern put on a request field',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.UserId.pattern = '^[a-z_0-9]+$'),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.From_Account',
      mentions: ['From_Account', 'pattern added'],
    },
    {
      name: 'request array items that must now be unique',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Names.uniqueItems = true),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Names',
      mentions: ['Names', 'unique'],
    },
    {
      name: 'undocumented request fields now refused (additionalProperties: false)',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.additionalProperties = false),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request',
      mentions: ['fields other than the documented ones'],
    },
    {
      name: 'a new uint32 maximum on a request field',
      kind: 'request-limit-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Count.maximum = 4294967295),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Count',
      mentions: ['Count', 'maximum added, 4294967295'],
    },
    {
      name: 'a request body that became required',
      kind: 'request-field-required',
      edit: (d) => (d.paths['/v4/things/list'].post.requestBody.required = false),
      operationId: 'listThings',
      path: 'POST /v4/things/list request',
      mentions: ['request body is now required'],
      reversed: true,
    },
    {
      name: 'a removed request body',
      kind: 'request-field-removed',
      edit: (d) => delete d.paths['/v4/things/list'].post.requestBody,
      operationId: 'listThings',
      path: 'POST /v4/things/list request',
      mentions: ['request body of listThings was removed'],
    },
    {
      name: 'a request union with fewer members',
      kind: 'type-changed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Count = { oneOf: [{ type: 'integer' }] }),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Count',
      mentions: ['Count', '1 fewer variant'],
      before: (d) => (d.components.schemas.DeleteRequest.properties.Count = { oneOf: [{ type: 'integer' }, { type: 'string' }] }),
    },
    {
      name: 'a type put on a request field that accepted any',
      kind: 'type-changed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Count = { type: 'integer' }),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Count',
      mentions: ['Count', 'from any type to integer'],
      before: (d) => (d.components.schemas.DeleteRequest.properties.Count = {}),
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'], Count: 'many' };`,
    },
    {
      name: 'a response field that may now be of any type',
      kind: 'type-changed',
      edit: (d) => (d.components.schemas.DeleteResponse.allOf[1].properties.Items.items.properties.Name = {}),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete response 200.Items[].Name',
      mentions: ['Items[].Name', 'from string to any type'],
      caller: `export const readName = (response: DeleteResponse): string | undefined => response.Items?.[0]?.Name;`,
    },
  ];

  for (const testCase of cases) {
    const proof = testCase.caller === undefined ? '' : ', and caller code written against the old types stops compiling';
    it(`names ${testCase.name}${proof}`, async () => {
      const start = changed(testCase.before ?? (() => undefined));
      const edited = changed((d) => {
        testCase.before?.(d);
        testCase.edit(d);
      });
      const [previous, current] = testCase.reversed ? [edited, start] : [start, edited];
      const finding = only(findBreakingChanges(previous, current), testCase.kind);
      expect(finding.operationId).toBe(testCase.operationId);
      expect(finding.path).toBe(testCase.path);
      for (const text of testCase.mentions) expect(finding.message).toContain(text);
      if (testCase.caller !== undefined) {
        const errors = await callerErrors(previous, current, testCase.caller);
        expect(errors.before, 'the caller compiles against the old types').toEqual([]);
        expect(errors.after.length, 'the caller stops compiling against the new types').toBeGreaterThan(0);
      }
    });
  }

  it('has a test above for every kind of breaking change', () => {
    expect([...new Set(cases.map((testCase) => testCase.kind))].sort()).toEqual([...breakingChangeKinds].sort());
  });

  const safe: {
    name: string;
    edit: (document: any) => void;
    before?: (document: any) => void;
    /** For a change the generated types show: caller code that compiles against the old and the new types. */
    caller?: string;
  }[] = [
    { name: 'a new operation', edit: (d) => addCreateOperation(d), caller: `${LIST_BODY}\n${DELETE_OPERATION}` },
    { name: 'a new optional request field', edit: (d) => (d.components.schemas.DeleteRequest.properties.Extra = { type: 'string' }), caller: MINIMAL_BODY },
    {
      name: 'a request field made optional',
      edit: (d) => (d.components.schemas.DeleteRequest.required = ['Names']),
      caller: MINIMAL_BODY,
    },
    {
      name: 'a value added to a request enum',
      edit: (d) => d.components.schemas.DeleteRequest.properties.Kind.enum.push('c'),
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'], Kind: 'b' };`,
    },
    {
      name: 'a request enum dropped for its free type',
      edit: (d) => delete d.components.schemas.DeleteRequest.properties.Kind.enum,
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'], Kind: 'b' };`,
    },
    {
      name: 'a request field type widened',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Count = { type: ['integer', 'string'] }),
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a'], Count: 2 };`,
    },
    {
      name: 'a higher maxItems',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Names.maxItems = 3),
      caller: `export const body: DeleteRequest = { From_Account: 'user_0001', Names: ['a', 'b'] };`,
    },
    { name: 'a higher maxLength and x-max-bytes', edit: (d) => Object.assign(d.components.schemas.DeleteRequest.properties.Names.items, { maxLength: 128, 'x-max-bytes': 128 }) },
    { name: 'a lower minLength', edit: (d) => (d.components.schemas.UserId.minLength = 0) },
    { name: 'a higher maximum', edit: (d) => (d.components.parameters.random.schema.maximum = 9007199254740991) },
    { name: 'a pattern removed', before: (d) => (d.components.schemas.UserId.pattern = '^[a-z]+$'), edit: (d) => delete d.components.schemas.UserId.pattern },
    {
      name: 'undocumented request fields accepted again',
      before: (d) => (d.components.schemas.DeleteRequest.additionalProperties = false),
      edit: (d) => delete d.components.schemas.DeleteRequest.additionalProperties,
    },
    {
      name: 'a request field required outright made required only under a condition (if/then)',
      edit: (d) => {
        const request = d.components.schemas.DeleteRequest;
        request.required = ['Names'];
        request.if = { properties: { Kind: { const: 'a' } }, required: ['Kind'] };
        request.then = { required: ['From_Account'] };
      },
      caller: MINIMAL_BODY,
    },
    {
      name: 'a request field required by one member of a union made required under the matching condition',
      before: (d) => (d.components.schemas.DeleteRequest.oneOf = [
        { properties: { Kind: { const: 'a' } }, required: ['Kind', 'Note'] },
        { properties: { Kind: { const: 'b' } }, required: ['Kind'] },
      ]),
      edit: (d) => {
        const request = d.components.schemas.DeleteRequest;
        delete request.oneOf;
        request.if = { properties: { Kind: { const: 'a' } }, required: ['Kind'] };
        request.then = { required: ['Note'] };
      },
    },
    {
      name: 'a condition dropped (dependentRequired, if/then)',
      before: (d) => {
        const request = d.components.schemas.DeleteRequest;
        request.dependentRequired = { Note: ['Kind'] };
        request.if = { properties: { Kind: { const: 'b' } }, required: ['Kind'] };
        request.then = { required: ['Note'] };
      },
      edit: (d) => {
        const request = d.components.schemas.DeleteRequest;
        delete request.dependentRequired;
        delete request.then;
      },
    },
    { name: 'a new optional query parameter', edit: (d) => (d.paths['/v4/things/delete'].post.parameters = [{ name: 'trace', in: 'query', schema: { type: 'string' } }]), caller: MINIMAL_QUERY },
    {
      name: 'a new response field',
      edit: (d) => (d.components.schemas.Envelope.properties.ErrorDisplay = { type: 'string' }),
      caller: EXHAUSTIVE_STATUS_SWITCH,
    },
    {
      name: 'an optional response field made always present',
      edit: (d) => (d.components.schemas.DeleteResponse.allOf[1].required = ['Items']),
      caller: `export const count = (response: DeleteResponse): number => response.Items?.length ?? 0;`,
    },
    {
      name: 'an enum put on a free response field',
      edit: (d) => (d.components.schemas.DeleteResponse.allOf[1].properties.Items.items.properties.Name.enum = ['x']),
      caller: `export const readName = (response: DeleteResponse): string | undefined => response.Items?.[0]?.Name;`,
    },
    {
      name: 'a new error code, for an operation and in the catalogue',
      edit: (d) => {
        d.components['x-error-codes'].push(errorCode(51010, 'operation'));
        d.paths['/v4/things/delete'].post['x-error-codes'].push(51010);
      },
      caller: `export const code: DocumentedErrorCode = 60007;\nexport const own: (typeof operationErrorCodes)['deleteThing'][number] = 51009;`,
    },
    {
      name: 'a new region',
      edit: (d) => d.servers.push({ url: 'https://gamma.example', description: 'Gamma', 'x-region': 'gamma' }),
      caller: `export const region: RegionName = 'beta';`,
    },
  ];

  for (const testCase of safe) {
    const proof = testCase.caller === undefined ? '' : ', and caller code compiles against the old and the new types';
    it(`lets ${testCase.name} through${proof}`, async () => {
      const previous = changed(testCase.before ?? (() => undefined));
      const current = changed((d) => {
        testCase.before?.(d);
        testCase.edit(d);
      });
      expect(findBreakingChanges(previous, current)).toEqual([]);
      if (testCase.caller !== undefined) expect(await callerErrors(previous, current, testCase.caller)).toEqual({ before: [], after: [] });
    });
  }

  it('names a request number narrowed to integers, and accepts integers widened to numbers', () => {
    const widened = changed((d) => (d.components.schemas.DeleteRequest.properties.Count = { type: 'number' }));
    expect(findBreakingChanges(baseDocument(), widened)).toEqual([]);
    const finding = only(findBreakingChanges(widened, baseDocument()), 'type-changed');
    expect(finding.path).toBe('POST /v4/things/delete request.Count');
    expect(finding.message).toContain('from number to integer');
  });

  it('names every change when there are several, each once', () => {
    const findings = findBreakingChanges(
      baseDocument(),
      changed((d) => {
        delete d.paths['/v4/things/list'];
        delete d.components.schemas.DeleteRequest.properties.Note;
        d.components.schemas.DeleteRequest.properties.Names.maxItems = 1;
        d.servers.pop();
      }),
    );
    expect(findings.map((finding) => finding.kind).sort()).toEqual(
      ['operation-removed', 'region-removed', 'request-field-removed', 'request-limit-narrowed'].sort(),
    );
  });

  it('lets additive and relaxing changes through', () => {
    const relaxed = changed((d) => {
      d.info.version = '1.1.0';
      d.paths['/v4/things/create'] = structuredClone(d.paths['/v4/things/list']);
      d.paths['/v4/things/create'].post.operationId = 'createThing';
      d.paths['/v4/things/delete'].post.summary = 'Delete one thing (reworded)';
      d.paths['/v4/things/delete'].post['x-error-codes'].push(51010);
      d.paths['/v4/things/delete'].post.parameters = [{ name: 'trace', in: 'query', required: false, schema: { type: 'string' } }];
      const request = d.components.schemas.DeleteRequest;
      request.properties.Extra = { type: 'string' };
      request.properties.Kind.enum.push('c');
      request.properties.Names.maxItems = 5;
      d.components.schemas.UserId.minLength = 0;
      request.properties.Names.items.maxLength = 128;
      request.properties.Names.items['x-max-bytes'] = 128;
      request.properties.Count = { type: ['integer', 'string'] };
      d.components.schemas.Envelope.properties.ErrorDisplay = { type: 'string' };
      d.components.schemas.DeleteResponse.allOf[1].required = ['Items'];
      d.components.parameters.random.schema.maximum = 9007199254740991;
      d.components['x-error-codes'].push(errorCode(70001, 'public'));
      d.servers.push({ url: 'https://gamma.example', 'x-region': 'gamma' });
    });
    expect(findBreakingChanges(baseDocument(), relaxed)).toEqual([]);
  });

  it('lists added, changed and removed operations for the changelog, ignoring prose', () => {
    const next = changed((d) => {
      d.paths['/v4/things/create'] = structuredClone(d.paths['/v4/things/list']);
      d.paths['/v4/things/create'].post.operationId = 'createThing';
      d.paths['/v4/things/delete'].post.description = 'Only the wording changed.';
      d.components.schemas.Envelope.properties.ErrorDisplay = { type: 'string', description: 'new field' };
    });
    expect(diffOperations(baseDocument(), next)).toEqual({ added: ['createThing'], removed: [], changed: ['deleteThing', 'listThings'] });
    expect(diffOperations(undefined, baseDocument())).toEqual({ added: ['deleteThing', 'listThings'], removed: [], changed: [] });
    expect(diffOperations(baseDocument(), changed((d) => (d.paths['/v4/things/delete'].post.summary = 'x')))).toEqual({ added: [], removed: [], changed: [] });
  });

  it('allows breaking changes only with a higher major version', () => {
    expect(breakingAllowed('1.4.2', '2.0.0')).toBe(true);
    expect(breakingAllowed('1.4.2', '1.5.0')).toBe(false);
    expect(breakingAllowed('1.4.2', '1.4.2')).toBe(false);
  });
});

describe('the current document against the releases', () => {
  it('finds the real document shaped as the checker expects (a field removed from it is named)', async () => {
    const current = JSON.parse(await readFile(currentDocumentPath, 'utf8')) as Document;
    const broken = structuredClone(current) as any;
    const schemas = broken.components.schemas as Record<string, { properties?: Record<string, unknown> }>;
    const request = Object.entries(schemas).find(([name, schema]) => name.endsWith('Request') && schema.properties)?.[1];
    const field = Object.keys(request?.properties ?? {})[0];
    expect(field, 'a request schema with fields').toBeDefined();
    delete request?.properties?.[field as string];
    const findings = findBreakingChanges(current, broken);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((finding) => finding.kind === 'request-field-removed' && finding.message.includes(field as string))).toBe(true);
  });

  it('classifies the edits made to the real schemas: a new response value or optional response field and a new request limit break callers, a loosened request rule does not', async () => {
    const current = JSON.parse(await readFile(currentDocumentPath, 'utf8')) as Document;
    const findingsAfter = (edit: (document: any) => void): BreakingChange[] => {
      const next = structuredClone(current);
      edit(next);
      return findBreakingChanges(current, next);
    };
    const kindsAndFields = (findings: BreakingChange[]): string[] => [...new Set(findings.map((finding) => `${finding.kind} ${finding.path.split('.').at(-1)}`))];

    expect(kindsAndFields(findingsAfter((d) => d.components.schemas.ActionStatus.enum.push('PARTIAL')))).toEqual(['response-enum-widened ActionStatus']);
    expect(kindsAndFields(findingsAfter((d) => d.components.schemas.CompleteFlag.enum.push(2)))).toEqual(['response-enum-widened CompleteFlag']);
    const optional = findingsAfter((d) => (d.components.schemas.ContactResult.required = ['ContactItem', 'ResultCode']));
    expect(kindsAndFields(optional)).toEqual(['response-field-optional ResultInfo']);
    const limited = findingsAfter((d) => (d.components.schemas.GetRecentContactListRequest.properties.StartIndex.maximum = 1000));
    expect(kindsAndFields(limited)).toEqual(['request-limit-narrowed StartIndex']);
    // Loosening the rename further (conversation changes allowed with it, undeclared fields accepted) breaks no caller.
    const loosened = findingsAfter((d) => {
      const rename = d.components.schemas.RenameGroupUpdate;
      delete rename.properties.ContactUpdateItem.maxItems;
      delete rename.additionalProperties;
    });
    expect(loosened).toEqual([]);
  });

  it('breaks no caller of the last stored release (or bumps the major version and says so in CHANGELOG.md)', async () => {
    const releases = await readReleases();
    const latest = releases.at(-1);
    expect(latest, 'releases/ holds at least the first release').toBeDefined();
    if (latest === undefined) return;
    const current = JSON.parse(await readFile(currentDocumentPath, 'utf8')) as Document;
    const findings = findBreakingChanges(latest.document, current);
    const version = documentVersion(current);
    if (findings.length > 0 && breakingAllowed(latest.version, version)) {
      const entry = changelogEntry(await readFile(join(ROOT, 'CHANGELOG.md'), 'utf8'), version) ?? '';
      for (const finding of findings) {
        if (finding.operationId !== undefined) expect(entry, `CHANGELOG.md [${version}] names ${finding.operationId}: ${finding.message}`).toContain(finding.operationId);
      }
      return;
    }
    expect(
      findings.map((finding) => `[${finding.kind}] ${finding.path}: ${finding.message}`),
      `generated/openapi.json (${version}) breaks callers of release ${latest.version}; revert, or release a new major version`,
    ).toEqual([]);
  });

  it('has a CHANGELOG.md entry for every stored release naming the operations it added, changed or removed', async () => {
    const changelog = await readFile(join(ROOT, 'CHANGELOG.md'), 'utf8');
    const releases = await readReleases();
    for (const [index, release] of releases.entries()) {
      expect(documentVersion(release.document), `releases/${release.version}/openapi.json has info.version ${release.version}`).toBe(release.version);
      const entry = changelogEntry(changelog, release.version);
      expect(entry, `CHANGELOG.md has a "## [${release.version}]" entry`).toBeDefined();
      const changes = diffOperations(releases[index - 1]?.document, release.document);
      for (const operationId of [...changes.added, ...changes.changed, ...changes.removed]) {
        expect(entry, `CHANGELOG.md [${release.version}] names \`${operationId}\``).toContain(`\`${operationId}\``);
      }
    }
  });

  it('runs as a command: exit 0 on the current document, exit 1 naming the change on a broken one', { timeout: 30_000 }, async () => {
    const script = join(ROOT, 'scripts/release/breaking-changes.ts');
    const ok = await run(process.execPath, ['--import', 'tsx', script], { cwd: ROOT });
    expect(ok.stdout).toMatch(/no breaking change|accepted: major version/);

    const dir = await mkdtemp(join(tmpdir(), 'chat-groups-breaking-'));
    try {
      await writeFile(join(dir, 'before.json'), JSON.stringify(baseDocument()));
      await writeFile(join(dir, 'after.json'), JSON.stringify(changed((d) => (d.paths['/v4/things/delete'].post.operationId = 'removeThing'))));
      const failed = await run(process.execPath, ['--import', 'tsx', script, '--against', join(dir, 'before.json'), '--current', join(dir, 'after.json')], {
        cwd: ROOT,
      }).then(
        () => undefined,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout).toContain('[operation-id-renamed] POST /v4/things/delete');
      expect(failed?.stdout).toContain('removeThing');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
