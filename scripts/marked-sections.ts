/**
 * Sections of a Markdown file that a script writes: the text between `<!-- name -->` and `<!-- /name -->`. The rest
 * of the file is hand-written and left as it is.
 */

function markers(name: string): { open: string; close: string } {
  return { open: `<!-- ${name} -->`, close: `<!-- /${name} -->` };
}

/** `text` with the section `name` holding `body`; throws, naming the markers, when `where` lacks them. */
export function replaceMarkedSection(text: string, name: string, body: string, where: string): string {
  const { open, close } = markers(name);
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`${where} has no section between ${open} and ${close}`);
  return `${text.slice(0, start + open.length)}\n${body.replace(/\s+$/, '')}\n${text.slice(end)}`;
}

/** The text of the section `name` of `text`, trimmed; undefined when the markers are absent. */
export function readMarkedSection(text: string, name: string): string | undefined {
  const { open, close } = markers(name);
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  return start < 0 || end < start ? undefined : text.slice(start + open.length, end).trim();
}
