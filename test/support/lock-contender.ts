/**
 * A process that competes for results locks on its parent's word, for the race test of the lock: told a path and an
 * instant, it spins until that instant (so every contender calls at the same moment, not whenever its message
 * arrived), tries to take the lock and says whether it got it; the one that did holds it until told to release it.
 */
import process from 'node:process';
import { lockResults, type ResultsLock } from '../../src/cli/bulk/results-lock.js';

export type ContenderOrder = { readonly round: number; readonly path: string; readonly at: number } | { readonly release: number };
export type ContenderReport =
  | { readonly ready: true }
  | { readonly round: number; readonly held: boolean; readonly error?: string }
  | { readonly released: number };

const held = new Map<number, ResultsLock>();
const send = (report: ContenderReport): void => {
  process.send?.(report);
};

/** How long before the instant a contender stops sleeping and spins: more than a timer's lateness. */
const SPIN_MS = 3;

function contend(order: Extract<ContenderOrder, { round: number }>): void {
  while (Date.now() < order.at) {
    // Spinning rather than a timer for the last moments: a timer fires up to a millisecond late, differently in each
    // process. The sleep before it keeps the spin short, so the contenders do not hold the CPUs the whole lead time.
  }
  try {
    held.set(order.round, lockResults(order.path));
    send({ round: order.round, held: true });
  } catch (error) {
    send({ round: order.round, held: false, error: (error as Error).name });
  }
}

process.on('message', (order: ContenderOrder) => {
  if ('release' in order) {
    held.get(order.release)?.release();
    held.delete(order.release);
    send({ released: order.release });
    return;
  }
  setTimeout(() => contend(order), Math.max(0, order.at - Date.now() - SPIN_MS));
});
process.on('disconnect', () => process.exit(0));
send({ ready: true });
