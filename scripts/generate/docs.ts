/**
 * Builds the HTML reference of the API (Redoc, inlined: the page works offline) from the bundled document.
 *
 * The page is rendered from a docs-only copy of the document, which adds what a reader needs and the spec itself
 * keeps elsewhere:
 * - per operation, `x-codeSamples` (a curl call and a call through this package's client), generated from the
 *   operationId and the request example, so a new operation gets its samples without any edit here;
 * - in the introduction, the error-code catalogue (`components.x-error-codes`) as a table, and the regions;
 * - per operation, a table of its own error codes (`x-error-codes`), with the vendor pages that list each code;
 * - the provenance of the rules (`x-source`): every rule this document infers rather than reads on a vendor page gets
 *   a visible "Inferred" note in the description of its schema or operation, and the catalogue names its pages.
 *
 * The sample and table builders are pure functions, exported for the tests.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { quietRedoclyEnv, redoclyBin } from './bundle.js';
import {
  dereference,
  listOperations,
  type ErrorCodeEntry,
  type JsonObject,
  type JsonValue,
  type OpenApiDocument,
  type OperationRef,
  type ServerEntry,
} from './openapi-document.js';
import { REPO_ROOT } from '../repo-root.js';


/** One entry of Redoc's `x-codeSamples`. */
export interface CodeSample {
  lang: string;
  label: string;
  source: string;
}

/** Placeholder credentials shown in the samples (the vendor's own sample SDKAppID and admin account). */
export const SAMPLE_SDK_APP_ID = 1400000000;
export const SAMPLE_IDENTIFIER = 'administrator';
/** The five signing query parameters; `$USERSIG` and `$RANDOM` are expanded by the shell. */
export const SIGNING_QUERY = `sdkappid=${SAMPLE_SDK_APP_ID}&identifier=${SAMPLE_IDENTIFIER}&usersig=$USERSIG&random=$RANDOM&contenttype=json`;
/** The region the TypeScript sample passes to the client. */
export const SAMPLE_REGION = 'singapore';

/** The fields every response carries; whatever else a success response has is the operation's payload. */
const ENVELOPE_FIELDS = new Set(['ActionStatus', 'ErrorCode', 'ErrorInfo', 'ErrorDisplay']);

// ---------------------------------------------------------------------------------------------------------------
// Reading the document
// ---------------------------------------------------------------------------------------------------------------

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON media type object of an operation's request body, with `$ref`s resolved. */
function requestMediaType(document: OpenApiDocument, operation: OperationRef['operation']): JsonObject | undefined {
  const body = operation.requestBody as JsonValue | undefined;
  if (body === undefined) return undefined;
  const resolved = dereference(body, document);
  const media = isObject(resolved) && isObject(resolved['content']) ? resolved['content']['application/json'] : undefined;
  return isObject(media) ? media : undefined;
}

/**
 * The request example shown in the samples: the one named `vendor-sample`, else the first named example, else the
 * media type's single `example`. Undefined when the operation has none.
 */
export function requestExample(document: OpenApiDocument, operation: OperationRef['operation']): JsonValue | undefined {
  const media = requestMediaType(document, operation);
  if (!media) return undefined;
  const examples = media['examples'];
  if (isObject(examples)) {
    const chosen = examples['vendor-sample'] ?? Object.values(examples)[0];
    if (isObject(chosen) && 'value' in chosen) return chosen['value'];
  }
  return 'example' in media ? media['example'] : undefined;
}

/**
 * The payload field a success response adds to the envelope (for example `GroupItem`), read from the 200
 * response's success example, else from its schema. Undefined when the operation answers with the envelope only.
 */
export function successPayloadField(document: OpenApiDocument, operation: OperationRef['operation']): string | undefined {
  const response = operation.responses['200'];
  if (!response) return undefined;
  const resolved = dereference(response, document);
  const content = isObject(resolved) ? resolved['content'] : undefined;
  const media = isObject(content) ? content['application/json'] : undefined;
  if (!isObject(media)) return undefined;
  const examples = isObject(media['examples']) ? Object.entries(media['examples']) : [];
  const success = examples
    .map(([name, example]) => ({ name, value: isObject(example) ? example['value'] : undefined }))
    .filter((entry): entry is { name: string; value: JsonObject } => isObject(entry.value) && entry.value['ErrorCode'] === 0)
    .sort((a, b) => Number(b.name === 'success') - Number(a.name === 'success'))[0];
  const fromExample = success && Object.keys(success.value).find((key) => !ENVELOPE_FIELDS.has(key));
  if (fromExample) return fromExample;
  return schemaPropertyNames(media['schema']).find((key) => !ENVELOPE_FIELDS.has(key));
}

/** Property names of an (already dereferenced) object schema, following `allOf`. */
function schemaPropertyNames(schema: JsonValue | undefined): string[] {
  if (!isObject(schema)) return [];
  const own = isObject(schema['properties']) ? Object.keys(schema['properties']) : [];
  const inherited = Array.isArray(schema['allOf']) ? schema['allOf'].flatMap((part) => schemaPropertyNames(part)) : [];
  return [...inherited, ...own];
}

/** The servers an operation is called on: its own, its path's, else the document's. */
function serversOf(document: OpenApiDocument, ref: OperationRef): ServerEntry[] {
  const own = ref.operation['servers'];
  if (Array.isArray(own) && own.length > 0) return own as ServerEntry[];
  const pathServers = document.paths[ref.path]?.['servers'];
  if (Array.isArray(pathServers) && pathServers.length > 0) return pathServers as ServerEntry[];
  return document.servers;
}

/** The error-code catalogue, in document order. */
export function errorCatalogue(document: OpenApiDocument): ErrorCodeEntry[] {
  const catalogue = document.components['x-error-codes'];
  return Array.isArray(catalogue) ? catalogue : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Code samples
// ---------------------------------------------------------------------------------------------------------------

/** Quotes text for a POSIX shell inside single quotes. */
function shellSingleQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A curl call: the method to `serverUrl + path` with the five signing query parameters, the JSON content type and
 * the body as pretty JSON. The URL is double-quoted so the shell fills in `$USERSIG` and `$RANDOM`.
 */
export function curlSample(input: { serverUrl: string; path: string; method?: string; body: JsonValue | undefined }): string {
  const url = `${input.serverUrl.replace(/\/+$/, '')}${input.path}?${SIGNING_QUERY}`;
  const body = JSON.stringify(input.body ?? {}, null, 2);
  return [
    `# USERSIG: a UserSig generated for "${SAMPLE_IDENTIFIER}"; RANDOM: the shell's random number`,
    `curl -X ${(input.method ?? 'post').toUpperCase()} "${url}" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellSingleQuote(body)}`,
  ].join('\n');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function tsString(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'");
  return `'${escaped}'`;
}

/** Writes a JSON value as a TypeScript literal (unquoted keys where possible, single-quoted strings). */
export function toTypeScriptLiteral(value: JsonValue, indent = ''): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? tsString(value) : String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => toTypeScriptLiteral(item, inner));
    const oneLine = `[${items.join(', ')}]`;
    if (!items.some((item) => item.includes('\n')) && oneLine.length <= 60) return oneLine;
    return `[\n${items.map((item) => `${inner}${item},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(
    ([key, item]) => `${inner}${IDENTIFIER.test(key) ? key : tsString(key)}: ${toTypeScriptLiteral(item, inner)},`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A call of the operation through this package's client, named by its operationId. */
export function typeScriptSample(input: { operationId: string; body: JsonValue | undefined; payloadField?: string | undefined }): string {
  const field = input.payloadField;
  const data = !field ? 'result.data' : IDENTIFIER.test(field) ? `result.data.${field}` : `result.data[${tsString(field)}]`;
  return [
    `import { createChatGroupsClient } from 'tencent-chat-groups';`,
    ``,
    `const chat = createChatGroupsClient({`,
    `  sdkAppId: ${SAMPLE_SDK_APP_ID},`,
    `  identifier: '${SAMPLE_IDENTIFIER}',`,
    `  secretKey: process.env.TENCENT_CHAT_SECRET_KEY!,`,
    `  region: '${SAMPLE_REGION}',`,
    `});`,
    ``,
    `const result = await chat.${input.operationId}(${toTypeScriptLiteral(input.body ?? {})});`,
    `if (result.ok) {`,
    `  console.log(${data}, result.random);`,
    `} else {`,
    `  console.error(result.error.code, result.error.meaning, result.error.retryable);`,
    `}`,
  ].join('\n');
}

/** The `x-codeSamples` of one operation: curl first, then TypeScript. */
export function codeSamplesFor(document: OpenApiDocument, ref: OperationRef): CodeSample[] {
  const body = requestExample(document, ref.operation);
  const serverUrl = serversOf(document, ref)[0]?.url ?? 'https://console.tim.qq.com';
  return [
    { lang: 'curl', label: 'curl', source: curlSample({ serverUrl, path: ref.path, method: ref.method, body }) },
    {
      lang: 'TypeScript',
      label: 'TypeScript',
      source: typeScriptSample({
        operationId: ref.operation.operationId,
        body,
        payloadField: successPayloadField(document, ref.operation),
      }),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown sections
// ---------------------------------------------------------------------------------------------------------------

function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|').trim();
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** "yes, backoff", "no", "no, re-sign-once": whether a client may retry, and how. */
export function retryText(entry: Pick<ErrorCodeEntry, 'retryable' | 'strategy'>): string {
  const verdict = entry.retryable ? 'yes' : 'no';
  return entry.strategy && entry.strategy !== 'none' ? `${verdict}, ${entry.strategy}` : verdict;
}

/** For each code, the operationIds whose `x-error-codes` list it, in document order. */
export function operationsByCode(operations: OperationRef[]): Map<number, string[]> {
  const byCode = new Map<number, string[]>();
  for (const { operation } of operations) {
    for (const code of operation['x-error-codes'] ?? []) {
      byCode.set(code, [...(byCode.get(code) ?? []), operation.operationId]);
    }
  }
  return byCode;
}

/** The catalogue as a Markdown table: one row per code. */
export function errorCodesTable(catalogue: ErrorCodeEntry[], operations: OperationRef[], pages: VendorPages = {}): string {
  const byCode = operationsByCode(operations);
  return table(
    ['Code', 'Scope', 'Meaning', 'Retry', 'Operations', 'Source'],
    catalogue.map((entry) => [
      String(entry.code),
      entry.scope,
      entry.meaning,
      retryText(entry),
      entry.scope === 'public'
        ? 'any'
        : (byCode.get(entry.code) ?? []).map((id) => `\`${id}\``).join(', ') || '(none in this document)',
      sourceText((entry as { 'x-source'?: { value?: RuleSource } })['x-source']?.value, pages),
    ]),
  );
}

/** The "Error codes" text added to the introduction: the catalogue table and what its retry column means. */
export function errorCodesSection(catalogue: ErrorCodeEntry[], operations: OperationRef[], pages: VendorPages = {}): string {
  return [
    `The catalogue of every code this document knows. **Scope** \`operation\`: documented by the operations listed`,
    `(their own \`x-error-codes\`); \`public\`: may come from any call. **Retry**: whether a client may send the same`,
    `request again (with a new \`random\` and a valid UserSig), and the strategy: \`backoff\` (wait, longer each time),`,
    `\`rate-limit-backoff\` (slow down: a call-rate limit was hit), \`re-sign-once\` (generate a new UserSig, then send`,
    `once more), \`wait-60s\` (calls are refused for about a minute). **Source**: the vendor pages the meaning is`,
    `read from (\`components.x-vendor-pages\`); retryability and strategy are this document's reading.`,
    ``,
    errorCodesTable(catalogue, operations, pages),
  ].join('\n');
}

/** The short table appended to an operation's description: its own codes, with meaning and retryability. */
export function operationErrorCodesSection(
  codes: number[],
  catalogue: ErrorCodeEntry[],
  perCode: Record<string, RuleSource> = {},
  pages: VendorPages = {},
): string {
  const byCode = new Map(catalogue.map((entry) => [entry.code, entry]));
  const rows = codes.map((code) => {
    const entry = byCode.get(code);
    return [
      String(code),
      entry?.meaning ?? '(not in the error-code catalogue)',
      entry ? retryText(entry) : 'no',
      sourceText(perCode[String(code)], pages),
    ];
  });
  return [
    `**Error codes of this operation**`,
    ``,
    rows.length > 0
      ? table(['Code', 'Meaning', 'Retry', 'Listed by'], rows)
      : `This operation documents no code of its own.`,
    ``,
    `The public codes, which any call may get, are in the **Error codes** section of the introduction.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Provenance (x-source)
// ---------------------------------------------------------------------------------------------------------------

/** `{ vendor: [page id, ...] }` and/or `{ inferred: reason }`, as openapi/README.md describes. */
export interface RuleSource {
  vendor?: string[];
  inferred?: string;
  perCode?: Record<string, RuleSource>;
}

export type VendorPages = Record<string, { url: string; title: string; revised: string }>;

/** The registry of vendor pages, `components.x-vendor-pages`. */
export function vendorPages(document: OpenApiDocument): VendorPages {
  return (document.components['x-vendor-pages'] ?? {}) as VendorPages;
}

/** A source as Markdown: each page id linked to its page, then the inference, if any. */
export function sourceText(source: RuleSource | undefined, pages: VendorPages): string {
  if (source === undefined) return '—';
  const links = (source.vendor ?? []).map((id) => (pages[id] ? `[${id}](${pages[id].url})` : id));
  const parts = [...links];
  if (source.inferred) parts.push(`inferred: ${source.inferred}`);
  return parts.join(', ') || '—';
}

/** The "Inferred" notes for an object's rules that are this document's reading rather than a vendor statement. */
export function inferredNotes(sources: Record<string, RuleSource> | undefined): string {
  const notes = Object.entries(sources ?? {})
    .filter(([, source]) => typeof source.inferred === 'string')
    .map(([rule, source]) => `> **Inferred** (\`${rule}\`): ${cell(source.inferred ?? '')}`);
  return notes.join('\n>\n');
}

/** Appends the "Inferred" notes of `node`'s `x-source` to its description; then does the same below it. */
function markInferredRules(node: JsonValue): void {
  if (Array.isArray(node)) {
    node.forEach(markInferredRules);
    return;
  }
  if (!isObject(node)) return;
  const notes = inferredNotes(node['x-source'] as Record<string, RuleSource> | undefined);
  if (notes !== '') {
    const description = typeof node['description'] === 'string' ? node['description'].replace(/\s+$/, '') : '';
    node['description'] = `${description ? `${description}\n\n` : ''}${notes}\n`;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'x-source' && key !== 'examples' && key !== 'example') markInferredRules(value);
  }
}

/** The "Regions" section: each server with its description, URL, backup URL and note. */
export function regionsSection(servers: ServerEntry[]): string {
  const code = (text: string | undefined): string => (text ? `\`${text}\`` : '—');
  return [
    `## Regions`,
    `Call the domain of the data center where the SDKAppID was created; the backup domain is for when DNS to the`,
    `primary one fails. The client's \`region\` option takes the name in the second column. A region has a backup`,
    `only where a vendor page lists one; the others get no failover unless the caller names a backup (\`backupBaseUrl\`),`,
    `so the UserSig never goes to a host the vendor does not list.`,
    ``,
    table(
      ['Region', '`region`', 'URL', 'Backup URL', 'Note'],
      servers.map((server) => [
        server.description,
        code(server['x-region']),
        code(server.url),
        server['x-backup-url'] === undefined ? 'none listed by the vendor' : code(server['x-backup-url']),
        server['x-note'] ?? '',
      ]),
    ),
  ].join('\n');
}

/** The package name the samples and the testing section install. */
export const PACKAGE_NAME = 'tencent-chat-groups';

/**
 * The "Testing against this contract" section: how another team runs the contract mock or the sandbox from the
 * installed package, and what each one is for. The one example it cites is taken from the first operation, so the
 * section stays true whatever operations the document has.
 */
export function testingSection(operations: OperationRef[]): string {
  const sample = operations[0];
  const sampleOperation = sample ? `\`${sample.operation.operationId}\`` : 'an operation';
  const sampleExample = sample?.operation['x-error-codes']?.[0];
  const exampleName = sampleExample === undefined ? 'error-<code>' : `error-${sampleExample}`;
  return [
    `## Testing against this contract`,
    `The npm package \`${PACKAGE_NAME}\` ships this document (\`${PACKAGE_NAME}/openapi.json\`, also the file`,
    `\`node_modules/${PACKAGE_NAME}/generated/openapi.json\`) and two local stand-ins for the service, so a team can test`,
    `its own code without an account, a network connection or the vendor's paid edition.`,
    ``,
    `### Contract mock (Prism)`,
    `Stateless: Stoplight Prism checks each request against this document (path, the five signing parameters, the`,
    `body and its limits) and answers with the operation's documented examples. Use it to check that your requests`,
    `are well-formed and that your code handles every documented answer.`,
    ``,
    '```sh',
    `npx @stoplight/prism-cli@5.14.2 mock node_modules/${PACKAGE_NAME}/generated/openapi.json --host 127.0.0.1 --port 4010 --errors`,
    '```',
    ``,
    `- A request that breaks the document gets HTTP 422 with the violations (\`--errors\`).`,
    `- The header \`Prefer: example=${exampleName}\` picks a named response example (each operation has \`success\` and`,
    `  one \`error-<code>\` example per code of its own, see ${sampleOperation}).`,
    `- It does not check the UserSig and keeps no state: a deleted group is still there on the next call.`,
    ``,
    `### Sandbox (chat-groups sandbox)`,
    `Stateful: a local service with the same paths, signing, checks, rate limits and error codes as this document,`,
    `backed by a small data set (\`--fixture FILE\` for your own). It verifies UserSigs: without`,
    `\`TENCENT_CHAT_SECRET_KEY\` it uses a fixed, public development key that it prints at start.`,
    ``,
    '```sh',
    `npx chat-groups sandbox --port 4012              # from a project that installed ${PACKAGE_NAME}`,
    `npx chat-groups sandbox --port 4012 --allow-faults`,
    '```',
    ``,
    `- \`GET /__sandbox/state\` and \`GET /__sandbox/deletions\` show the data as it is now.`,
    `- With \`--allow-faults\`, \`POST /__sandbox/faults\` makes the next calls answer with an error code of this`,
    `  document, a 5xx status, a delay or a dropped connection (for testing retries).`,
    `- Point the TypeScript client at either stand-in with \`baseUrl\` instead of \`region\`, e.g.`,
    `  \`createChatGroupsClient({ sdkAppId, identifier, secretKey, baseUrl: 'http://127.0.0.1:4012' })\`; plain HTTP is`,
    `  accepted for loopback addresses only.`,
  ].join('\n');
}

/**
 * Puts `body` under the Markdown heading `heading` of `markdown`: at the end of that section when the heading is
 * there (so the page gets no second section of the same name), else as a new section at the end.
 */
export function addToSection(markdown: string, heading: string, body: string): string {
  const text = markdown.replace(/\s+$/, '');
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) return `${text}\n\n${heading}\n${body}\n`;
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const next = lines.findIndex((line, index) => {
    if (index <= start) return false;
    const depth = /^(#+)\s/.exec(line)?.[1]?.length;
    return depth !== undefined && depth <= level;
  });
  const end = next < 0 ? lines.length : next;
  const before = lines.slice(0, end).join('\n').replace(/\s+$/, '');
  const after = lines.slice(end).join('\n');
  return `${before}\n\n${body}\n${after ? `\n${after}\n` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The docs-only document and the page
// ---------------------------------------------------------------------------------------------------------------

/** A deep copy of the bundled document with the samples and the error-code and region sections added. */
export function prepareDocsDocument(bundled: OpenApiDocument): OpenApiDocument {
  const document = structuredClone(bundled);
  const operations = listOperations(document);
  const catalogue = errorCatalogue(document);
  const pages = vendorPages(document);
  // Before the code tables are added, so that the notes sit right under each object's own text.
  markInferredRules(document.components.schemas ?? {});
  markInferredRules((document.components['parameters'] ?? {}) as JsonValue);
  for (const ref of operations) {
    ref.operation['x-codeSamples'] = codeSamplesFor(document, ref);
    const sources = (ref.operation['x-source'] ?? {}) as Record<string, RuleSource>;
    const notes = inferredNotes(sources);
    const description = (ref.operation.description ?? '').replace(/\s+$/, '');
    const perCode = sources['x-error-codes']?.perCode ?? {};
    const section = operationErrorCodesSection(ref.operation['x-error-codes'] ?? [], catalogue, perCode, pages);
    ref.operation.description = [description, notes, section].filter((part) => part !== '').join('\n\n') + '\n';
  }
  let description = document.info.description ?? '';
  description = addToSection(description, '## Error codes', errorCodesSection(catalogue, operations, pages));
  description = `${description.replace(/\s+$/, '')}\n\n${regionsSection(document.servers)}\n\n${testingSection(operations)}\n`;
  document.info.description = description;
  return document;
}

/** The page's `<title>`. */
export function pageTitle(document: OpenApiDocument, specVersion: string): string {
  return `${document.info.title} — API reference ${specVersion}`;
}

/**
 * Redoc options: show only this document's two sample languages (Redoc 3 hides an `x-codeSamples` entry whose
 * language is not listed, and generates samples in other languages when not told otherwise).
 */
const redoclyConfig = {
  telemetry: 'off',
  openapi: {
    codeSamples: {
      languages: [{ lang: 'curl' }, { lang: 'TypeScript', label: 'TypeScript' }],
    },
  },
};

/**
 * Redocly's default page template, plus a Content-Security-Policy that keeps the page from loading images and
 * fonts from other hosts (Redoc's attribution logo comes from a CDN otherwise); scripts and styles are inline.
 */
const pageTemplate = `<!DOCTYPE html>
<html lang="en">

<head>
  <meta charset="utf-8" />
  <meta http-equiv="Content-Security-Policy" content="img-src 'self' data:; font-src 'self' data:" />
  <title>{{title}}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>
    body {
      padding: 0;
      margin: 0;
    }
  </style>
  {{{redocHead}}}
</head>

<body>
  {{{redocHTML}}}
</body>

</html>
`;

/**
 * The documentation page: a self-contained HTML file (Redoc inlined, no request to another host needed), starting
 * with `<!-- header -->`. The same document gives the same bytes.
 */
export async function buildDocsHtml(
  bundled: OpenApiDocument,
  options: { specVersion: string; header: string },
): Promise<string> {
  const document = prepareDocsDocument(bundled);
  const dir = await mkdtemp(join(tmpdir(), 'chat-groups-docs-'));
  try {
    const input = join(dir, 'openapi.json');
    const config = join(dir, 'redocly.yaml');
    const template = join(dir, 'template.hbs');
    const output = join(dir, 'index.html');
    await Promise.all([
      writeFile(input, JSON.stringify(document, null, 2)),
      // JSON is YAML: no YAML writer needed.
      writeFile(config, JSON.stringify(redoclyConfig, null, 2)),
      writeFile(template, pageTemplate),
    ]);
    const args = [
      'build-docs',
      input,
      '--inlineBundle',
      '--config',
      config,
      '--lint-config',
      'off',
      '--template',
      template,
      '--title',
      pageTitle(document, options.specVersion),
      '-o',
      output,
    ];
    try {
      await promisify(execFile)(redoclyBin, args, { cwd: REPO_ROOT, env: quietRedoclyEnv, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`redocly build-docs failed: ${stderr.trim() || String(error)}`);
    }
    const html = await readFile(output, 'utf8');
    return `<!-- ${options.header.replaceAll('--', '- -')} -->\n${normaliseHtml(html)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Redocly 2.77 gives the same bytes for the same input (no timestamps, no random ids); the page must also not
 * depend on where it was built, so a leaked temporary path would be an error rather than be left in.
 */
function normaliseHtml(html: string): string {
  if (html.includes('chat-groups-docs-')) throw new Error('the docs page names its temporary build directory');
  return html.endsWith('\n') ? html : `${html}\n`;
}
