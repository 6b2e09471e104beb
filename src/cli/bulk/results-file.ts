/**
 * The results file of a bulk run: NDJSON, appended one line per event, never buffered in this process.
 *
 * Why a crash loses nothing already written: each line goes out with one `writeSync` on a descriptor opened with
 * O_APPEND. When `writeSync` returns, the bytes are in the kernel's page cache, which belongs to the operating
 * system, not to this process, so a SIGKILL, an out-of-memory kill or an uncaught exception cannot take them back.
 * Only losing the machine itself (power, kernel panic) can, and against that the file is fsync'd once a second and
 * at the end: at most the last second of lines is at risk there, instead of paying a disk flush per user. A line is
 * a single write of well under a page, so a line is either whole or, after a power loss at worst, cut short at the
 * end of the file, which the reader tolerates.
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';

const SYNC_INTERVAL_MS = 1000;

export class ResultsFile {
  readonly path: string;
  readonly #fd: number;
  readonly #timer: NodeJS.Timeout;
  #dirty = false;
  #closed = false;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
    this.#timer = setInterval(() => {
      try {
        this.sync();
      } catch {
        // A disk that fails is reported by the next append or by close; a timer has no one to tell.
      }
    }, SYNC_INTERVAL_MS);
    // The timer must not keep a finished run alive.
    this.#timer.unref();
  }

  /** Opens for appending (creating it), first ending a line a crash may have cut short, so the next line is whole. */
  static open(path: string): ResultsFile {
    const fd = openSync(path, 'a+');
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(fd, '\n');
    }
    return new ResultsFile(path, fd);
  }

  /**
   * Throws when the line could not be written whole. A write the disk cuts short (full, or a file size limit)
   * returns a count instead of failing; writing the rest then fails with the reason, so a caller never takes a
   * partly written `start` line for one that is on file.
   */
  append(line: object): void {
    if (this.#closed) throw new Error(`${this.path} is closed`);
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`);
    this.#dirty = true;
    for (let offset = 0; offset < bytes.length; ) {
      const written = writeSync(this.#fd, bytes, offset);
      if (written === 0) throw Object.assign(new Error(`${this.path}: no byte could be written`), { code: 'EIO' });
      offset += written;
    }
  }

  sync(): void {
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    fdatasyncSync(this.#fd);
  }

  close(): void {
    if (this.#closed) return;
    clearInterval(this.#timer);
    this.sync();
    this.#closed = true;
    closeSync(this.#fd);
  }
}
