/** Reading a bulk run's NDJSON results file while the run writes it (or after it was killed). */
import { readFileSync } from 'node:fs';

export type Line = Record<string, unknown> & { type: string; user?: string; outcome?: string };

/** Every line that parses; a line that does not (cut short by a kill) is returned as `{ type: 'unreadable' }`. */
export function linesOf(file: string): Line[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Line;
      } catch {
        return { type: 'unreadable' };
      }
    });
}

/** How many `result` lines the file has so far; 0 before it exists. */
export function countResults(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('{"type":"result"')).length;
  } catch {
    return 0;
  }
}
