/**
 * The provenance of the rules (`x-source`) on the page: every rule this document infers rather than reads on a vendor
 * page gets a visible "Inferred" note in the description of its schema or operation, and the tables link the pages.
 */
import { isJsonObject, type JsonValue, type OpenApiDocument, type RuleSource, type VendorPage } from '../openapi-document.js';
import { cell } from './markdown.js';

export type VendorPages = Record<string, Pick<VendorPage, 'url' | 'title' | 'revised'>>;

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
export function markInferredRules(node: JsonValue): void {
  if (Array.isArray(node)) {
    node.forEach(markInferredRules);
    return;
  }
  if (!isJsonObject(node)) return;
  const notes = inferredNotes(node['x-source'] as Record<string, RuleSource> | undefined);
  if (notes !== '') {
    const description = typeof node['description'] === 'string' ? node['description'].replace(/\s+$/, '') : '';
    node['description'] = `${description ? `${description}\n\n` : ''}${notes}\n`;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key !== 'x-source' && key !== 'examples' && key !== 'example') markInferredRules(value);
  }
}

