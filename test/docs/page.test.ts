import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleSpec } from '../../scripts/generate/bundle.js';
import { errorCatalogue, errorCodesTable, operationErrorCodesSection, operationsText, retryText } from '../../scripts/generate/docs/error-tables.js';
import { addToSection } from '../../scripts/generate/docs/markdown.js';
import { buildDocsHtml, prepareDocsDocument } from '../../scripts/generate/docs/page.js';
import { generatedHeader } from '../../scripts/generate/generate.js';
import { CONTRACT_TESTING_GUIDE, contractTestingGuide, testingSection } from '../../scripts/generate/docs/prose.js';
import { vendorPages } from '../../scripts/generate/docs/provenance.js';
import { regionsSection } from '../../scripts/generate/docs/regions-table.js';
import { codeSamplesFor, curlSample, requestExample, SIGNING_QUERY, toTypeScriptLiteral, typeScriptSample } from '../../scripts/generate/docs/samples.js';
import { listOperations, type OpenApiDocument, type OperationRef, type RuleSource } from '../../scripts/generate/openapi-document.js';
import { readMarkedSection, replaceMarkedSection } from '../../scripts/marked-sections.js';

const root = join(import.meta.dirname, '../..');

let bundled: OpenApiDocument;
let operations: OperationRef[];
let header: string;
let html: string;

beforeAll(async () => {
  bundled = await bundleSpec(join(root, 'openapi/openapi.yaml'));
  operations = listOperations(bundled);
  header = generatedHeader(bundled.info.version);
  // Built as `npm run generate` builds it, so it can be compared with the page that command wrote.
  html = await buildDocsHtml(bundled, { specVersion: bundled.info.version, header });
}, 30_000);

/** The server-rendered part of the page (what a reader sees before any script runs). */
function renderedBody(page: string): string {
  return page.slice(page.indexOf('<div id="redoc">'), page.indexOf('<script type="module">'));
}

describe('code samples', () => {
  it('curl posts to the first server with all five signing parameters and the JSON body', () => {
    for (const ref of operations) {
      const [curl] = codeSamplesFor(bundled, ref);
      expect(curl?.label).toBe('curl');
      const source = curl?.source ?? '';
      expect(source).toContain(`-X POST "${bundled.servers[0]?.url}${ref.path}?`);
      for (const param of ['sdkappid=1400000000', 'identifier=administrator', 'usersig=$USERSIG', 'random=$RANDOM', 'contenttype=json']) {
        expect(source).toContain(param);
      }
      expect(source).toContain(SIGNING_QUERY);
      expect(source).toContain(`-H 'Content-Type: application/json'`);
      const body = /-d '([\s\S]*)'$/.exec(source)?.[1];
      expect(JSON.parse(body ?? 'null')).toEqual(requestExample(bundled, ref.operation));
    }
  });

  it('curl uses the vendor-sample request example of del_contact_group', () => {
    const ref = operations.find((op) => op.operation.operationId === 'delContactGroup');
    expect(requestExample(bundled, ref!.operation)).toEqual({ From_Account: 'user_0001', GroupName: ['group_0001'] });
  });

  it('curl keeps a body with a single quote intact for the shell', () => {
    const source = curlSample({ serverUrl: 'https://example.test/', path: '/v4/x', body: { Name: "it's" } });
    expect(source).toContain(`"https://example.test/v4/x?${SIGNING_QUERY}"`);
    expect(source).toContain(`"Name": "it'\\''s"`);
  });

  it('TypeScript calls the operation by its operationId with the request example and reads the result', () => {
    for (const ref of operations) {
      const ts = codeSamplesFor(bundled, ref)[1];
      expect(ts?.label).toBe('TypeScript');
      const source = ts?.source ?? '';
      expect(source).toContain(`import { createChatGroupsClient } from 'tencent-chat-groups';`);
      expect(source).toContain(`secretKey: process.env.TENCENT_CHAT_SECRET_KEY!`);
      expect(source).toContain(`region: 'singapore'`);
      expect(source).toContain(`const result = await chat.${ref.operation.operationId}(`);
      expect(source).toContain('console.error(result.error.code, result.error.meaning, result.error.retryable);');
    }
  });

  it('TypeScript for del_contact_group logs the deleted GroupItem', () => {
    const ref = operations.find((op) => op.operation.operationId === 'delContactGroup')!;
    const source = codeSamplesFor(bundled, ref)[1]?.source ?? '';
    expect(source).toContain(`chat.delContactGroup({\n  From_Account: 'user_0001',\n  GroupName: ['group_0001'],\n});`);
    expect(source).toContain('console.log(result.data.GroupItem, result.random);');
  });

  it('TypeScript samples are generated for any operationId and example', () => {
    const source = typeScriptSample({ operationId: 'getList', body: { 'a-b': [{ c: 1 }], d: null } });
    expect(source).toContain(`chat.getList({\n  'a-b': [\n    {\n      c: 1,\n    },\n  ],\n  d: null,\n});`);
    expect(source).toContain('console.log(result.data, result.random);');
    expect(toTypeScriptLiteral("it's")).toBe(`'it\\'s'`);
    expect(toTypeScriptLiteral({})).toBe('{}');
  });
});

describe('error-code tables', () => {
  it('the catalogue table has one row per catalogue code with its retryability', () => {
    const catalogue = errorCatalogue(bundled);
    expect(catalogue.length).toBeGreaterThan(0);
    const rows = errorCodesTable(catalogue, operations).split('\n').slice(2);
    expect(rows).toHaveLength(catalogue.length);
    catalogue.forEach((entry, index) => {
      const cells = rows[index]?.split(' | ') ?? [];
      expect(cells[0]).toBe(`| ${entry.code}`);
      expect(cells[1]).toBe(entry.scope);
      expect(cells[3]).toBe(retryText(entry));
      expect(cells[3]?.startsWith(entry.retryable ? 'yes' : 'no')).toBe(true);
    });
  });

  it('the catalogue table names the operations of operation-scope codes, and says "all" for a code every operation lists', () => {
    const table = errorCodesTable(errorCatalogue(bundled), operations);
    expect(table).toContain('| 50001 | operation | ');
    // Every operation lists 50001, so its row says "all" rather than naming eight operations.
    expect(operations.every((ref) => ref.operation['x-error-codes'].includes(50001))).toBe(true);
    expect(table).toMatch(/\| 50001 \| operation \| [^\n]* \| no \| all \|/);
    expect(table).toMatch(/\| 51006 \| operation \| [^\n]* \| no \| [^\n]*`markContact`[^\n]* \|/);
    expect(table).toMatch(/\| 60007 \| public \| [^\n]* \| yes, rate-limit-backoff \| any \|/);
    expect(table).toMatch(/\| 70001 \| public \| [^\n]* \| no, re-sign-once \| any \|/);
  });

  it('the operations cell says "all" only when every operation lists the code', () => {
    expect(operationsText(['a', 'b', 'c'], 3)).toBe('all');
    expect(operationsText(['a', 'c'], 3)).toBe('`a`, `c`');
    expect(operationsText([], 3)).toBe('(none in this document)');
  });

  it("an operation's description lists its own codes with meaning and retryability", () => {
    const catalogue = errorCatalogue(bundled);
    const prepared = prepareDocsDocument(bundled);
    for (const ref of listOperations(prepared)) {
      const description = ref.operation.description ?? '';
      const perCode = (ref.operation['x-source'] as { 'x-error-codes': RuleSource })['x-error-codes'].perCode ?? {};
      expect(description).toContain(operationErrorCodesSection(ref.operation['x-error-codes'], catalogue, perCode, vendorPages(bundled)));
      for (const code of ref.operation['x-error-codes']) {
        const entry = catalogue.find((item) => item.code === code)!;
        expect(description).toContain(`| ${code} | ${entry.meaning} | ${retryText(entry)} | [`);
      }
      expect(description).toContain('public codes');
    }
  });

  it('the introduction gets the catalogue under its existing Error codes heading, and a Regions section', () => {
    const prepared = prepareDocsDocument(bundled);
    const description = prepared.info.description ?? '';
    expect(description.match(/^## Error codes$/gm)).toHaveLength(1);
    expect(description.indexOf('| 72000 |')).toBeLessThan(description.indexOf('## Sources'));
    expect(description).toContain(regionsSection(bundled.servers));
    for (const server of bundled.servers) {
      expect(description).toContain(`\`${server.url}\``);
      if (server['x-backup-url']) expect(description).toContain(`\`${server['x-backup-url']}\``);
    }
  });

  it("an operation's code table names, per code, the vendor pages that list it", () => {
    const del = listOperations(prepareDocsDocument(bundled)).find((ref) => ref.operation.operationId === 'delContactGroup')!;
    const pages = vendorPages(bundled);
    expect(del.operation.description).toContain('| Code | Meaning | Retry | Listed by |');
    expect(del.operation.description).toMatch(
      new RegExp(`\\| 51011 \\| [^\\n]* \\| \\[intl-53441-2026-04-14\\]\\(${pages['intl-53441-2026-04-14']!.url.replaceAll('.', '\\.')}\\)`),
    );
  });

  it('the catalogue table names the pages each meaning is read from', () => {
    const table = errorCodesTable(errorCatalogue(bundled), operations, vendorPages(bundled));
    expect(table.split('\n')[0]).toBe('| Code | Scope | Meaning | Retry | Operations | Source |');
    expect(table).toMatch(/\| 70114 \| public \| [^\n]* \| \[intl-34348-2023-03-30\]\(https:[^)]*\/34348\) \|/);
  });

  it('marks the rules this document infers with an "Inferred" note under their schema, and leaves vendor rules unmarked', () => {
    const schemas = prepareDocsDocument(bundled).components.schemas ?? {};
    const contactItem = ((schemas['NewContactGroup'] as { properties: Record<string, { description: string }> }).properties)['ContactItem']!;
    expect(contactItem.description).toContain('> **Inferred** (`minItems`): ');
    expect(contactItem.description).toContain('we accept it as no initial');
    expect(JSON.stringify(schemas['CustomMark'])).toContain('> **Inferred** (`x-empty-clears`): ');
    expect(JSON.stringify(schemas['MarkContactRequest'])).not.toContain('**Inferred**');
  });

  it('a section is appended when its heading is missing', () => {
    expect(addToSection('Intro\n\n## A\ntext\n', '## B', 'body')).toBe('Intro\n\n## A\ntext\n\n## B\nbody\n');
    expect(addToSection('## A\ntext\n## C\nmore', '## A', 'body')).toBe('## A\ntext\n\nbody\n\n## C\nmore\n');
  });

  it('preparing the docs copy leaves the bundled document untouched', () => {
    const before = JSON.stringify(bundled);
    prepareDocsDocument(bundled);
    expect(JSON.stringify(bundled)).toBe(before);
    expect(JSON.stringify(bundled)).not.toContain('x-codeSamples');
  });
});

describe('prose from Markdown files', () => {
  const description = (file: string): Promise<string> => readFile(join(root, 'openapi/descriptions', file), 'utf8');

  it('the introduction and the tag descriptions are the text of their .md files, inlined by the bundler', async () => {
    expect(bundled.info.description).toBe(await description('introduction.md'));
    const tags = (bundled['tags'] as { name: string; description: string }[]).map((tag) => tag.name);
    expect(tags).toEqual(['Conversation groups', 'Conversation marks', 'Recent contacts']);
    for (const tag of bundled['tags'] as { name: string; description: string }[]) {
      expect(tag.description).toBe(await description(`tag-${tag.name.toLowerCase().replaceAll(' ', '-')}.md`));
    }
  });

  it('the testing section names a response example and an operation that the document has', () => {
    const section = testingSection();
    const [, code] = /Prefer: example=error-(\d+)/.exec(section) ?? [];
    const [, operationId] = /see `(\w+)`/.exec(section) ?? [];
    const operation = operations.find((ref) => ref.operation.operationId === operationId)?.operation;
    expect(operation, `operation ${operationId} named by the testing section`).toBeDefined();
    expect(operation?.['x-error-codes']).toContain(Number(code));
  });

  it('docs/contract-testing.md carries the same text on the stand-ins as the page, and keeps the rest', async () => {
    const guide = await readFile(join(root, CONTRACT_TESTING_GUIDE), 'utf8');
    const shared = (await description('stand-ins.md')).trim();
    expect(readMarkedSection(guide, 'stand-ins')).toBe(shared);
    expect(testingSection()).toContain(shared);
    const edited = replaceMarkedSection(guide, 'stand-ins', 'stale text', CONTRACT_TESTING_GUIDE);
    expect(contractTestingGuide(edited)).toBe(guide);
  });

  it('a marked section that is missing is named in the error', () => {
    expect(() => replaceMarkedSection('# Title\n', 'bench:client', 'x', 'docs/benchmarks.md')).toThrow(
      'docs/benchmarks.md has no section between <!-- bench:client --> and <!-- /bench:client -->',
    );
  });
});

describe('buildDocsHtml', () => {
  it('starts with the header comment and has a title', () => {
    expect(html.startsWith(`<!-- ${header} -->\n<!DOCTYPE html>`)).toBe(true);
    expect(html).toContain(`<title>${bundled.info.title} — API reference ${bundled.info.version}</title>`);
  });

  it('loads no script, stylesheet or font from another host', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link[^>]*\shref=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import\s+(url\()?["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(["']?(https?:)?\/\/[^)]*\.(woff2?|ttf|otf|eot)/i);
    expect(html).not.toMatch(/\bimport\s*(\{[^}]*\}\s*from\s*)?["'](https?:)?\/\//);
    expect(html).not.toMatch(/fonts\.(googleapis|gstatic)\.com/);
    expect(html).toContain(`"disableTelemetry":true`);
  });

  it("contains every operation's summary and samples, and every error code in the rendered table", () => {
    const body = renderedBody(html);
    for (const { operation } of operations) {
      expect(html).toContain(JSON.stringify(operation.summary));
      expect(html).toContain(`chat.${operation.operationId}(`);
    }
    for (const { code } of errorCatalogue(bundled)) expect(body).toContain(`<td>${code}</td>`);
  });

  it('shows inferred rules and the pages listing each code on the rendered page', () => {
    expect(html).toContain('Inferred');
    expect(html).toContain('we accept it as no initial');
    expect(renderedBody(html)).toContain('intl-34348-2023-03-30');
    expect(html).toContain('Listed by');
  });

  it('gives byte-identical HTML on every build: this one and the one `npm run generate` wrote in another process', async () => {
    const committed = await readFile(join(root, 'generated/docs/index.html'), 'utf8');
    expect(html === committed, 'generated/docs/index.html differs from a fresh build (run `npm run generate`; the drift check says the same)').toBe(true);
    expect(html).not.toContain('chat-groups-docs-');
  });
});
