/**
 * One run per results file at a time. Two runs appending to the same file would each skip only what the other had
 * finished when they started, and call the same users twice; a lock file next to it prevents that. A lock left by a
 * run that was killed (its process is gone) is taken over, so a crash never blocks the resume.
 *
 * Why it holds when runs start at the same instant: nothing here checks a name and then acts on it. A run writes its
 * lock whole under a name of its own and `link()`s it to the lock's name, which fails if that name exists, so a lock
 * is never seen empty or half written and only one run can create it. Taking over a dead run's lock is the one step
 * that must replace an existing file; only the run that creates the take-over marker (again by `link()`) may do it,
 * it checks under the marker that the lock is still the dead one it read, and it swaps its own in with `rename()`,
 * so the lock's name never goes missing in between for a third run to grab.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, linkSync, openSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';

export class ResultsLockedError extends Error {
  override readonly name = 'ResultsLockedError';
}

/**
 * The lock could not be used at all: not created (a missing or read-only directory) or, when one exists, not read.
 * `path` is the lock file.
 */
export class LockFileError extends Error {
  override readonly name = 'LockFileError';
  readonly path: string;
  readonly use: 'create' | 'read';
  readonly code: string | undefined;

  constructor(path: string, use: 'create' | 'read', cause: NodeJS.ErrnoException) {
    super(`cannot ${use} ${path}: ${cause.code ?? cause.message}`, { cause });
    this.path = path;
    this.use = use;
    this.code = cause.code;
  }
}

export interface ResultsLock {
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which still means the file is in use.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** A lock file as found: its identity on disk and what it says. */
interface Found {
  readonly ino: number;
  readonly dev: number;
  readonly text: string;
}

/** The lock as it is now; undefined when there is none. */
function readLock(path: string): Found | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { ino, dev } = fstatSync(fd);
    // A lock is one short line (or two); more is not a lock of ours, and is not read whole.
    const buffer = Buffer.alloc(256);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    return { ino, dev, text: buffer.subarray(0, length).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

function sameLock(a: Found, b: Found | undefined): boolean {
  return b !== undefined && a.ino === b.ino && a.dev === b.dev && a.text === b.text;
}

/** The process ID on the first line, or undefined when there is none. */
function holderOf(found: Found): number | undefined {
  const holder = Number.parseInt(found.text, 10);
  return Number.isInteger(holder) && holder > 0 ? holder : undefined;
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

const ATTEMPTS = 3;

export function lockResults(resultsPath: string): ResultsLock {
  const lockPath = `${resultsPath}.lock`;
  const takeOverPath = `${lockPath}.takeover`;
  // The process ID first (what other runs read), then a nonce that tells this lock apart from any other of this PID.
  const content = `${process.pid}\n${randomBytes(8).toString('hex')}\n`;
  const candidate = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(candidate, content, { flag: 'wx' });
  } catch (error) {
    throw new LockFileError(lockPath, 'create', error as NodeJS.ErrnoException);
  }
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (tryLink(candidate, lockPath)) return heldLock(lockPath, content);
      let found: Found | undefined;
      try {
        found = readLock(lockPath);
      } catch (error) {
        throw new LockFileError(lockPath, 'read', error as NodeJS.ErrnoException);
      }
      // Released between the link and the read: try again.
      if (found === undefined) continue;
      const holder = holderOf(found);
      if (holder === undefined) {
        throw new ResultsLockedError(`${resultsPath} is being opened by another run (${lockPath} exists); delete ${lockPath} if no run is going on`);
      }
      if (holder !== process.pid && processAlive(holder)) {
        throw new ResultsLockedError(
          `${resultsPath} is in use by another run (process ${holder}); wait for it to end, or delete ${lockPath} if that process is not a chat-groups run`,
        );
      }
      if (takeOver(found, candidate, lockPath, takeOverPath, resultsPath)) return heldLock(lockPath, content);
    }
    throw new ResultsLockedError(`cannot take the lock ${lockPath}: another run keeps taking it`);
  } finally {
    // After a take-over the candidate's name is gone (renamed into place); otherwise it is only a spare name.
    removeQuietly(candidate);
  }
}

/** Replaces the dead run's lock `found` with ours; false when it changed meanwhile (the caller then looks again). */
function takeOver(found: Found, candidate: string, lockPath: string, takeOverPath: string, resultsPath: string): boolean {
  if (!tryLink(candidate, takeOverPath)) {
    const marker = readLock(takeOverPath);
    const taker = marker === undefined ? undefined : holderOf(marker);
    if (marker === undefined) return false;
    if (taker !== undefined && taker !== process.pid && processAlive(taker)) {
      throw new ResultsLockedError(`${resultsPath} is being taken over by another run (process ${taker}); wait for it to end`);
    }
    // The run that began the take-over died within it: rare enough to leave to a person.
    throw new ResultsLockedError(
      `${resultsPath} is locked by runs that are no longer running; delete ${lockPath} and ${takeOverPath} if no run is going on`,
    );
  }
  try {
    // Another run may have taken it over between our read and our marker; then it is not the lock we judged dead.
    if (!sameLock(found, readLock(lockPath))) return false;
    renameSync(candidate, lockPath);
    return true;
  } finally {
    unlinkSync(takeOverPath);
  }
}

function heldLock(lockPath: string, content: string): ResultsLock {
  const mine = statSync(lockPath);
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      // Only our own lock is removed: one deleted by hand may since belong to another run.
      let found: Found | undefined;
      try {
        found = readLock(lockPath);
      } catch {
        return;
      }
      if (sameLock({ ino: mine.ino, dev: mine.dev, text: content }, found)) removeQuietly(lockPath);
    },
  };
}
