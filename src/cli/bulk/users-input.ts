/**
 * Reads the users of a bulk run: one UserID a line, blank lines and `#` comments ignored, duplicates dropped.
 *
 * The file is streamed line by line and only the distinct IDs are kept, in file order, in one Set. Keeping them is
 * a choice: duplicates have to be recognised anyway (a Set of what was seen), the progress bar needs the total up
 * front for its percentage and ETA, and a resume holds a set of finished users of the same size. 100,000 IDs take
 * a few megabytes; the file's text and any per-user objects are never held beyond the calls in flight.
 */
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileError } from '../file-problems.js';

export interface UserList {
  /** Distinct UserIDs in the order they first appear. */
  readonly users: Set<string>;
  /** Lines that repeated a UserID already listed. */
  readonly duplicates: number;
  /** Blank and comment lines. */
  readonly ignoredLines: number;
  /** Distinct UserIDs left to other shards. */
  readonly outsideShard: number;
}

/** `keep`: whether a UserID belongs to this run (its shard); the others are only counted, once each. */
export async function readUserList(input: Readable, keep?: (user: string) => boolean): Promise<UserList> {
  const users = new Set<string>();
  const others = new Set<string>();
  let duplicates = 0;
  let ignoredLines = 0;
  // crlfDelay: a file written on Windows has \r\n, which must not leave a \r on the last UserID of each line.
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    // UserIDs never start or end with blanks; trailing spaces are an editor's, not part of the ID.
    const user = line.trim();
    if (user === '' || user.startsWith('#')) {
      ignoredLines++;
      continue;
    }
    if (users.has(user) || others.has(user)) duplicates++;
    else if (keep === undefined || keep(user)) users.add(user);
    else others.add(user);
  }
  return { users, duplicates, ignoredLines, outsideShard: others.size };
}

/** `-` is stdin; anything else a file, opened now so a missing file is reported before any call. */
export async function openUserSource(path: string, stdin: Readable | undefined): Promise<Readable> {
  if (path === '-') {
    if (stdin === undefined) throw new Error('standard input is not available');
    return stdin;
  }
  const handle = await open(path, 'r');
  // Opening a directory for reading succeeds; reading it is what fails, too late to be told apart from a bad file.
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw fileError('EISDIR', `${path} is a directory`);
  }
  return handle.createReadStream();
}
