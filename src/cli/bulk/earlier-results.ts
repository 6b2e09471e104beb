/**
 * What the results file says about earlier runs, for a resume: which users already have a result (and which), and
 * whose call was under way when a run was cut off. Streamed, so a file of a million lines costs one line at a time
 * plus one map entry per user.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { tallyKey, type OutcomeKind } from './outcome.js';

/** The first line of every run: what it was doing, so a resume cannot mix two different jobs in one file. */
export interface RunLine {
  readonly type: 'run';
  readonly command: string;
  readonly operationId: string;
  /** The request every user got, the user field left out. */
  readonly request: Readonly<Record<string, unknown>>;
  readonly at: string;
  readonly pid: number;
  /** `K/N` when the run took shard K of N of the users. */
  readonly shard?: string;
}

export interface EarlierResults {
  /** The first run line of the file; undefined for a new or empty file. */
  readonly firstRun: RunLine | undefined;
  /** Each user's latest result, as a summary key (`ok`, `api-error CODE`, `network timeout`…). */
  readonly latest: Map<string, string>;
  /** Users with a `start` line and no result after it: their call was under way when a run was cut off. */
  readonly interrupted: Set<string>;
  /** Users whose latest result is a network failure after which the request may still have been carried out. */
  readonly unanswered: Set<string>;
  /** Lines that are not JSON objects of this format, e.g. the end of a line a power loss cut short. */
  readonly unreadableLines: number;
  /** Lines other than blank ones. */
  readonly lines: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function readEarlierResults(path: string): Promise<EarlierResults> {
  const latest = new Map<string, string>();
  const interrupted = new Set<string>();
  const unanswered = new Set<string>();
  let firstRun: RunLine | undefined;
  let unreadableLines = 0;
  let lines = 0;
  // One string per distinct key rather than per user: a million users share a handful of keys.
  const keys = new Map<string, string>();
  const intern = (key: string): string => keys.get(key) ?? (keys.set(key, key), key);

  const input = createReadStream(path, { encoding: 'utf8' });
  try {
    // Waiting for the open tells a missing file (a first run) apart before reading starts.
    await new Promise<void>((resolve, reject) => {
      input.once('open', () => resolve()).once('error', reject);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { firstRun, latest, interrupted, unanswered, unreadableLines, lines };
    throw error;
  }

  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (text.trim() === '') continue;
    lines++;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      unreadableLines++;
      continue;
    }
    if (!isRecord(line)) {
      unreadableLines++;
      continue;
    }
    const user = line['user'];
    switch (line['type']) {
      case 'run':
        if (firstRun === undefined && typeof line['command'] === 'string' && isRecord(line['request'])) firstRun = line as unknown as RunLine;
        break;
      case 'start':
        if (typeof user === 'string') interrupted.add(user);
        else unreadableLines++;
        break;
      case 'result':
        if (typeof user !== 'string' || typeof line['outcome'] !== 'string') {
          unreadableLines++;
          break;
        }
        interrupted.delete(user);
        latest.set(user, intern(tallyKey({ outcome: line['outcome'] as OutcomeKind, code: typeof line['code'] === 'number' ? line['code'] : null, reason: line['reason'] })));
        if (line['outcome'] === 'network' && line['delivery'] !== 'not-sent') unanswered.add(user);
        else unanswered.delete(user);
        break;
      case 'end':
        break;
      default:
        unreadableLines++;
    }
  }
  return { firstRun, latest, interrupted, unanswered, unreadableLines, lines };
}
