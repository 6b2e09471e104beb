/**
 * One run per results file at a time. Two runs appending to the same file would each skip only what the other had
 * finished when they started, and call the same users twice; a lock file next to it prevents that. A lock left by a
 * run that was killed (its process is gone) is taken over, so a crash never blocks the resume.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

export class ResultsLockedError extends Error {
  override readonly name = 'ResultsLockedError';
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

export function lockResults(resultsPath: string): ResultsLock {
  const lockPath = `${resultsPath}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockPath, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      // An empty lock is one another run has just created and not yet written its process ID into.
      if (!Number.isInteger(holder) || holder <= 0) {
        throw new ResultsLockedError(`${resultsPath} is being opened by another run (${lockPath} exists); delete ${lockPath} if no run is going on`);
      }
      if (holder !== process.pid && processAlive(holder)) {
        throw new ResultsLockedError(
          `${resultsPath} is in use by another run (process ${holder}); wait for it to end, or delete ${lockPath} if that process is not a chat-groups run`,
        );
      }
      unlinkSync(lockPath);
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      },
    };
  }
  throw new ResultsLockedError(`cannot take the lock ${lockPath}: another run keeps taking it`);
}
