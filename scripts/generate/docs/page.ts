/**
 * Builds the HTML reference of the API (Redoc, inlined: the page works offline) from the bundled document.
 *
 * The page is rendered from a docs-only copy of the document, which adds what a reader needs and the spec itself
 * keeps elsewhere:
 * - per operation, `x-codeSamples` (samples.ts);
 * - in the introduction, the error-code catalogue (`components.x-error-codes`) as a table, the regions and the
 *   section on testing against the contract, with their prose from openapi/descriptions/ (prose.ts);
 * - per operation, a table of its own error codes (`x-error-codes`), with the vendor pages that list each code;
 * - the provenance of the rules (`x-source`, provenance.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../repo-root.js';
import { quietRedoclyEnv, redoclyBin } from '../bundle.js';
import { listOperations, type JsonValue, type OpenApiDocument, type RuleSource } from '../openapi-document.js';
import { errorCatalogue, errorCodesSection, operationErrorCodesSection } from './error-tables.js';
import { addToSection } from './markdown.js';
import { testingSection } from './prose.js';
import { inferredNotes, markInferredRules, vendorPages } from './provenance.js';
import { regionsSection } from './regions-table.js';
import { codeSamplesFor } from './samples.js';

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
  description = `${description.replace(/\s+$/, '')}\n\n${regionsSection(document.servers)}\n\n${testingSection()}\n`;
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
 * fonts from other hosts (Redoc's attribution logo comes from a CDN otherwise); scripts and styles are inline. Its
 * style sheet makes the tables and samples fit a laptop screen.
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
    /* Redoc gives the samples panel half the width; the middle panel, with the tables, gets more (doubled selector:
       Redoc's own theme sets the variable on :root after this style sheet). */
    :root:root {
      --panel-samples-width: 40%;
    }
    /* At laptop width (1280 to 1440 px) the middle panel is narrow: a table's cells wrap their text, identifiers
       included, rather than pushing the table past the panel's edge where its last columns are cut off. */
    .md-table-wrapper table.md th,
    .md-table-wrapper table.md td {
      word-break: normal;
      overflow-wrap: anywhere;
      padding-left: 8px;
      padding-right: 8px;
    }
    /* A heading stays on one line, so no column gets narrower than its heading (a word like "public" stays whole). */
    .md-table-wrapper table.md th {
      white-space: nowrap;
    }
    /* The first column holds what a row is looked up by (an error code, a region): kept whole. */
    .md-table-wrapper table.md td:first-child {
      overflow-wrap: normal;
    }
    .md-table-wrapper table.md td code,
    .md-table-wrapper table.md td a {
      white-space: normal;
      overflow-wrap: anywhere;
    }
    /* The samples' long lines (the signed URL) wrap inside the right panel instead of running out of sight. */
    [data-testid="source-code"],
    [data-testid="source-code"] * {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
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
