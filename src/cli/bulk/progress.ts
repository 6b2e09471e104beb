/**
 * Progress of a bulk run on stderr: on a terminal one line redrawn in place, at most four times a second (more would
 * only cost terminal output); otherwise a plain line every few seconds, which reads well in a log file. The rate is
 * over the last few seconds, so the ETA follows the rate limit rather than a slow start.
 */
import type { CliOutput } from '../command.js';

const TICK_MS = 250;
/** The rate is measured over this many seconds of samples. */
const RATE_WINDOW_TICKS = 20;
const BAR_WIDTH = 20;

/** Made at the first count printed: the first Intl object of a process costs about 40 ms, and most commands print none. */
let numbers: Intl.NumberFormat | undefined;

export function formatCount(value: number): string {
  numbers ??= new Intl.NumberFormat('en-US');
  return numbers.format(value);
}

/** `m:ss`, or `h:mm:ss` from an hour. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** For plain lines (not a terminal). */
  readonly intervalMs: number;
}

export class ProgressReporter {
  readonly #out: CliOutput;
  readonly #options: ProgressOptions;
  readonly #terminal: boolean;
  readonly #samples: { at: number; done: number }[] = [];
  #done = 0;
  #failed = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastPlainAt = 0;
  #drawn = false;
  #note = '';

  constructor(out: CliOutput, options: ProgressOptions) {
    this.#out = out;
    this.#options = options;
    this.#terminal = out.isTTY === true;
  }

  start(): void {
    const now = performance.now();
    this.#samples.push({ at: now, done: 0 });
    this.#lastPlainAt = now;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
    if (this.#terminal) this.#draw();
  }

  /** One user finished; `failed` when it needs attention. */
  record(failed: boolean): void {
    this.#done++;
    if (failed) this.#failed++;
  }

  /** A short status after the figures, e.g. "stopping after the calls in flight". */
  note(text: string): void {
    this.#note = text;
    if (this.#terminal) this.#draw();
    else this.#out.write(`${this.#options.label}: ${text}\n`);
  }

  /** Writes the final state and stops redrawing; the terminal line is left in place, ended. */
  finish(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#terminal) {
      this.#draw();
      this.#out.write('\n');
    }
  }

  #tick(): void {
    const now = performance.now();
    this.#samples.push({ at: now, done: this.#done });
    if (this.#samples.length > RATE_WINDOW_TICKS + 1) this.#samples.shift();
    if (this.#terminal) this.#draw();
    else if (now - this.#lastPlainAt >= this.#options.intervalMs) {
      this.#lastPlainAt = now;
      this.#out.write(`${this.#options.label}: ${this.#figures()}\n`);
    }
  }

  #rate(): number {
    const oldest = this.#samples[0];
    if (oldest === undefined) return 0;
    const seconds = (performance.now() - oldest.at) / 1000;
    return seconds <= 0 ? 0 : (this.#done - oldest.done) / seconds;
  }

  #figures(): string {
    const { total } = this.#options;
    const rate = this.#rate();
    const percent = total === 0 ? 100 : Math.floor((this.#done / total) * 100);
    const eta = rate > 0 ? formatDuration((total - this.#done) / rate) : '?';
    const failed = this.#failed === 0 ? '' : ` · ${formatCount(this.#failed)} failed`;
    return `${formatCount(this.#done)}/${formatCount(total)} ${percent}% ${rate.toFixed(1)}/s ETA ${eta}${failed}${this.#note === '' ? '' : ` · ${this.#note}`}`;
  }

  #draw(): void {
    const { total } = this.#options;
    const filled = total === 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((this.#done / total) * BAR_WIDTH));
    let line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${this.#figures()}`;
    const columns = this.#out.columns;
    // A line longer than the terminal wraps, and `\r` would then redraw only its last part.
    if (columns !== undefined && columns > 1 && line.length >= columns) line = line.slice(0, columns - 1);
    this.#out.write(`\r${line}\x1b[K`);
    this.#drawn = true;
  }

  /** Whether a terminal line is showing (so other output must start on a new line). */
  get drawing(): boolean {
    return this.#terminal && this.#drawn && this.#timer !== undefined;
  }
}
