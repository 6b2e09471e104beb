/**
 * The lock of a results file under runs that start at the same instant: separate processes (a lock is held per
 * process, so threads of one process would not compete) are told to take the same lock at the same moment, round
 * after round, on a lock left by a dead run and on none at all. Exactly one of them may hold it each time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lockResults, ResultsLockedError } from '../../src/cli/bulk/results-lock.js';
import { ROOT } from '../support/cli-process.js';
import type { ContenderOrder, ContenderReport } from '../support/lock-contender.js';

const CONTENDERS = 4;
const ROUNDS = 120;
/** A process ID no process has (above any pid_max), as a run that was killed leaves behind. */
const DEAD_PID = 2147483646;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'results-lock-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Contender {
  readonly child: ChildProcess;
  next(): Promise<ContenderReport>;
}

function startContender(): Contender {
  const child = fork(inject('programs')['lock-contender'], [], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const reports: ContenderReport[] = [];
  const waiting: ((report: ContenderReport) => void)[] = [];
  child.on('message', (report: ContenderReport) => {
    const waiter = waiting.shift();
    if (waiter === undefined) reports.push(report);
    else waiter(report);
  });
  return {
    child,
    next: () => {
      const report = reports.shift();
      return report === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(report);
    },
  };
}

describe('the results lock', () => {
  it('is held by exactly one of several runs that start at the same instant, on a dead run\'s lock or on none', async () => {
    const contenders = Array.from({ length: CONTENDERS }, startContender);
    try {
      await Promise.all(contenders.map((contender) => contender.next()));
      for (let round = 0; round < ROUNDS; round++) {
        const path = join(dir, `round-${round}.ndjson`);
        // Every other round starts from a lock left by a dead run, the others from no lock at all.
        if (round % 2 === 0) writeFileSync(`${path}.lock`, `${DEAD_PID}\n`);
        const order: ContenderOrder = { round, path, at: Date.now() + 15 };
        for (const contender of contenders) contender.child.send(order);
        const reports = (await Promise.all(contenders.map((contender) => contender.next()))) as { held: boolean; error?: string }[];
        const holders = contenders.filter((_, index) => reports[index]?.held === true);
        expect({ round, holders: holders.length }).toEqual({ round, holders: 1 });
        expect(reports.filter((report) => !report.held).map((report) => report.error)).toEqual(Array(CONTENDERS - 1).fill('ResultsLockedError'));
        const holderPid = (holders[0] as Contender).child.pid;
        expect(readFileSync(`${path}.lock`, 'utf8').split('\n')[0]).toBe(String(holderPid));
        (holders[0] as Contender).child.send({ release: round } satisfies ContenderOrder);
        await (holders[0] as Contender).next();
        expect(existsSync(`${path}.lock`)).toBe(false);
      }
      // No spare names or take-over markers are left behind.
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      for (const contender of contenders) contender.child.kill();
    }
  }, 120_000);

  it('refuses a lock whose run is alive, naming the process and the file to delete if it is not a run', () => {
    const path = join(dir, 'alive.ndjson');
    writeFileSync(`${path}.lock`, `${process.ppid}\n`);
    expect(() => lockResults(path)).toThrow(ResultsLockedError);
    expect(() => lockResults(path)).toThrow(`is in use by another run (process ${process.ppid}); wait for it to end, or delete ${path}.lock`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.ppid}\n`);
    expect(readdirSync(dir).filter((name) => name.startsWith('alive'))).toEqual(['alive.ndjson.lock']);
  });

  it('takes over a dead run\'s lock, and on release removes only its own lock', () => {
    const path = join(dir, 'dead.ndjson');
    writeFileSync(`${path}.lock`, `${DEAD_PID}\n`);
    const lock = lockResults(path);
    expect(readFileSync(`${path}.lock`, 'utf8').split('\n')[0]).toBe(String(process.pid));
    // Someone deletes the lock by hand and another run takes it: releasing ours must not remove theirs.
    writeFileSync(`${path}.lock`, `${process.ppid}\n`);
    lock.release();
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('leaves a take-over cut short by a crash to a person, naming both files', () => {
    const path = join(dir, 'cut.ndjson');
    writeFileSync(`${path}.lock`, `${DEAD_PID}\n`);
    writeFileSync(`${path}.lock.takeover`, `${DEAD_PID - 1}\n`);
    expect(() => lockResults(path)).toThrow(`delete ${path}.lock and ${path}.lock.takeover if no run is going on`);
  });
});
