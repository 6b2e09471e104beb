/**
 * Ctrl-C during a bulk run: the first SIGINT (or SIGTERM) asks the run to stop taking users and finish the calls in
 * flight, so every call that was sent gets its result line; the second one quits at once, for when a call hangs.
 * Quitting at once loses nothing written: lines are in the file as each call ends, and the users whose calls were
 * cut off are recognised on resume by their `start` line.
 */
import process from 'node:process';

export interface StopWatch {
  /** The signal that asked to stop, once one did. */
  readonly requested: NodeJS.Signals | undefined;
  dispose(): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export function watchStopSignals(onStop: (signal: NodeJS.Signals) => void, onQuit: (signal: NodeJS.Signals) => void): StopWatch {
  let requested: NodeJS.Signals | undefined;
  const handle = (signal: NodeJS.Signals): void => {
    if (requested === undefined) {
      requested = signal;
      onStop(signal);
    } else {
      onQuit(signal);
    }
  };
  for (const signal of SIGNALS) process.on(signal, handle);
  return {
    get requested() {
      return requested;
    },
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, handle);
    },
  };
}
