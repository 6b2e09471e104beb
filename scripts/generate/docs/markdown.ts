/** Markdown building blocks of the page's sections: table cells, tables, and adding text under a heading. */

/** A table cell: one line, with its pipes escaped. */
export function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|').trim();
}

/** A Markdown table; every cell goes through `cell`. */
export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
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

