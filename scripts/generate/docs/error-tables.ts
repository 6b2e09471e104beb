/** The error-code tables: the catalogue in the introduction, and each operation's own codes under its description. */
import type { ErrorCodeEntry, OpenApiDocument, OperationRef, RuleSource } from '../openapi-document.js';
import { table } from './markdown.js';
import { errorCodesIntro } from './prose.js';
import { sourceText, type VendorPages } from './provenance.js';

/** The error-code catalogue, in document order. */
export function errorCatalogue(document: OpenApiDocument): ErrorCodeEntry[] {
  const catalogue = document.components['x-error-codes'];
  return Array.isArray(catalogue) ? catalogue : [];
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

/**
 * The Operations cell of an operation-scope code: "all" when every operation of the document lists it (naming all of
 * them would make the widest column of the table for no information), else the operationIds that do.
 */
export function operationsText(listedBy: string[], operationCount: number): string {
  if (listedBy.length === 0) return '(none in this document)';
  if (listedBy.length === operationCount) return 'all';
  return listedBy.map((id) => `\`${id}\``).join(', ');
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
      entry.scope === 'public' ? 'any' : operationsText(byCode.get(entry.code) ?? [], operations.length),
      sourceText((entry as { 'x-source'?: { value?: RuleSource } })['x-source']?.value, pages),
    ]),
  );
}

/** The "Error codes" text added to the introduction: what the columns mean (openapi/descriptions/), then the table. */
export function errorCodesSection(catalogue: ErrorCodeEntry[], operations: OperationRef[], pages: VendorPages = {}): string {
  return [
    errorCodesIntro(),
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

