/** `--body JSON` or `--body @FILE`: a request body given whole, for fields no flag covers. */
import { readFile } from 'node:fs/promises';
import { fileProblem } from './file-problems.js';

export type BodyResult = { readonly ok: true; readonly body: Record<string, unknown> } | { readonly ok: false; readonly message: string };

export async function readBodyFlag(value: string): Promise<BodyResult> {
  let text = value;
  if (value.startsWith('@')) {
    const path = value.slice(1);
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      return { ok: false, message: fileProblem('--body', `@${path}`, 'read', error) };
    }
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which is not repeated: it could be a secret pasted by mistake.
    return { ok: false, message: '--body is not valid JSON (in a shell, put it in single quotes)' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: '--body must be a JSON object' };
  return { ok: true, body: body as Record<string, unknown> };
}
