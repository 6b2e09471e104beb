/**
 * The breaking-change check: each kind of change that breaks callers is found and named, on small documents made
 * for the purpose; additive changes are not; and the current document breaks nothing against the last release
 * stored in releases/, whose CHANGELOG entries name the operations each release touched.
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
  changelogEntry,
  currentDocumentPath,
  diffOperations,
  documentVersion,
  findBreakingChanges,
  readReleases,
  type BreakingChange,
  type BreakingChangeKind,
  type Document,
} from '../scripts/breaking-changes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** A small document shaped like ours: path-level `$ref` parameters, `$ref` bodies, an `allOf` response, extensions. */
function baseDocument(): Document {
  return {
    openapi: '3.1.0',
    info: { title: 'things', version: '1.0.0' },
    servers: [
      { url: 'https://alpha.example', 'x-region': 'alpha' },
      { url: 'https://beta.example', 'x-region': 'beta' },
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
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: {} } } } },
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Envelope' } } } } },
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
            Names: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string', maxLength: 64, 'x-max-bytes': 64 } },
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
      'x-error-codes': [{ code: 50001 }, { code: 51009 }, { code: 60007 }],
    },
  };
}

/** A modified copy of the base document; `edit` reaches into untyped JSON, as a hand edit of the file would. */
function changed(edit: (document: any) => void): Document {
  const document = structuredClone(baseDocument());
  edit(document);
  return document;
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
  }[] = [
    {
      name: 'a removed operation',
      kind: 'operation-removed',
      edit: (d) => delete d.paths['/v4/things/list'],
      operationId: 'listThings',
      path: 'POST /v4/things/list',
      mentions: ['listThings', 'removed'],
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
    },
    {
      name: 'a renamed operationId',
      kind: 'operation-id-renamed',
      edit: (d) => (d.paths['/v4/things/delete'].post.operationId = 'removeThing'),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete',
      mentions: ['deleteThing', 'removeThing'],
    },
    {
      name: 'a removed request field',
      kind: 'request-field-removed',
      edit: (d) => delete d.components.schemas.DeleteRequest.properties.Note,
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Note',
      mentions: ['Note', 'deleteThing'],
    },
    {
      name: 'a removed response field (inside allOf, inside array items)',
      kind: 'response-field-removed',
      edit: (d) => delete d.components.schemas.DeleteResponse.allOf[1].properties.Items.items.properties.Name,
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete response 200.Items[].Name',
      mentions: ['Items[].Name', 'deleteThing'],
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
    },
    {
      name: 'an optional request field made required',
      kind: 'request-field-required',
      edit: (d) => d.components.schemas.DeleteRequest.required.push('Kind'),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Kind',
      mentions: ['Kind', 'became required'],
    },
    {
      name: 'a narrowed request enum',
      kind: 'request-enum-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Kind.enum = ['a']),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Kind',
      mentions: ['Kind', '"b"'],
    },
    {
      name: 'an enum put on a free request field',
      kind: 'request-enum-narrowed',
      edit: (d) => (d.components.schemas.DeleteRequest.properties.Note.enum = ['x', 'y']),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.Note',
      mentions: ['Note', 'restricted to "x", "y"'],
    },
    {
      name: 'a value removed from a response enum',
      kind: 'response-enum-value-removed',
      edit: (d) => {
        const schema = structuredClone(d.components.schemas.Envelope);
        schema.properties.ActionStatus.enum = ['OK'];
        d.paths['/v4/things/list'].post.responses['200'].content['application/json'].schema = schema;
      },
      operationId: 'listThings',
      path: 'POST /v4/things/list response 200.ActionStatus',
      mentions: ['ActionStatus', '"FAIL"', 'listThings'],
    },
    {
      name: 'a changed request field type (through a $ref with siblings)',
      kind: 'type-changed',
      edit: (d) => (d.components.schemas.UserId = { type: 'integer' }),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete request.From_Account',
      mentions: ['From_Account', 'string', 'integer'],
    },
    {
      name: 'a changed response field type',
      kind: 'type-changed',
      edit: (d) => (d.components.schemas.DeleteResponse.allOf[1].properties.Items.items.properties.Id = { type: 'string' }),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete response 200.Items[].Id',
      mentions: ['Items[].Id', 'integer', 'string'],
    },
    {
      name: 'a new required query parameter',
      kind: 'parameter-required',
      edit: (d) => d.paths['/v4/things/delete'].post.parameters = [{ name: 'tenant', in: 'query', required: true, schema: { type: 'string' } }],
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete query.tenant',
      mentions: ['tenant', 'new and required'],
    },
    {
      name: 'an optional query parameter made required',
      kind: 'parameter-required',
      edit: (d) => (d.components.parameters.mode.required = true),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete query.mode',
      mentions: ['mode', 'became required'],
    },
    {
      name: 'a removed query parameter',
      kind: 'parameter-removed',
      edit: (d) => d.paths['/v4/things/delete'].parameters.pop(),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete query.mode',
      mentions: ['mode', 'removed'],
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
    },
    {
      name: 'an error code removed from an operation',
      kind: 'error-code-removed',
      edit: (d) => (d.paths['/v4/things/delete'].post['x-error-codes'] = [50001]),
      operationId: 'deleteThing',
      path: 'POST /v4/things/delete x-error-codes',
      mentions: ['51009', 'deleteThing'],
    },
    {
      name: 'an error code removed from the catalogue',
      kind: 'error-code-removed',
      edit: (d) => d.components['x-error-codes'].pop(),
      path: 'components.x-error-codes',
      mentions: ['60007'],
    },
    {
      name: 'a removed region',
      kind: 'region-removed',
      edit: (d) => d.servers.pop(),
      path: 'servers.beta',
      mentions: ['beta'],
    },
  ];

  for (const testCase of cases) {
    it(`names ${testCase.name}`, () => {
      const finding = only(findBreakingChanges(baseDocument(), changed(testCase.edit)), testCase.kind);
      expect(finding.operationId).toBe(testCase.operationId);
      expect(finding.path).toBe(testCase.path);
      for (const text of testCase.mentions) expect(finding.message).toContain(text);
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
      request.properties.Names.minItems = 0;
      request.properties.Names.items.maxLength = 128;
      request.properties.Names.items['x-max-bytes'] = 128;
      request.properties.Count = { type: ['integer', 'string'] };
      d.components.schemas.Envelope.properties.ErrorDisplay = { type: 'string' };
      d.components.schemas.Envelope.properties.ActionStatus.enum.push('PARTIAL');
      d.components.schemas.DeleteResponse.allOf[1].required = ['Items'];
      d.components.parameters.random.schema.maximum = 9007199254740991;
      d.components['x-error-codes'].push({ code: 70001 });
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
    const script = join(ROOT, 'scripts/breaking-changes.ts');
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
