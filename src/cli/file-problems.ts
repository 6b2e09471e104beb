/**
 * A file the user named that cannot be used, said as a sentence that names the flag, the path and what is wrong
 * with it, instead of a bare `EACCES`. These are settings problems: the user fixes the path or its permissions.
 */
import { dirname } from 'node:path';

/**
 * What was being done with the file: reading it, writing it, or creating a file in its directory (a run creates
 * its results file and the lock next to it).
 */
export type FileUse = 'read' | 'write' | 'create';

/** An error with the errno code a file operation would have given, for problems found by looking (e.g. a directory). */
export function fileError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

export function fileProblem(setting: string, path: string, use: FileUse, error: unknown): string {
  const named = `${setting} ${path}`;
  const directory = dirname(path);
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return use === 'read' ? `${named} does not exist` : `the directory ${directory} of ${named} does not exist; create it or choose another path`;
    case 'EACCES':
    case 'EPERM':
      if (use === 'read') return `${named} cannot be read: permission denied`;
      if (use === 'write') return `${named} cannot be written: permission denied (is the file read-only?)`;
      return `cannot create files in ${directory}, the directory of ${named}: permission denied (a run writes its results and a lock file there)`;
    case 'EISDIR':
      return `${named} is a directory; give a file`;
    case 'EFTYPE':
      return `${named} is not a regular file (a pipe, socket or device); give a file`;
    case 'ENOTDIR':
      return `${named} is not a valid path: a part of it is a file, not a directory`;
    case 'EROFS':
      return `${named} is on a read-only file system`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `no space left for ${named} (${code}); free some space, then run the same command again`;
    case 'EFBIG':
      return `${named} has reached the largest file this process may write (EFBIG, see ulimit -f); choose another --results file or raise the limit`;
    default:
      return `cannot ${use === 'read' ? 'read' : 'write'} ${named}: ${code ?? (error as Error).message}`;
  }
}
