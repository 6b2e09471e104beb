/**
 * Undoes what the run did, also after a failure or an interruption: the marks of the owner's conversation with the
 * peer go back to what they were before the run, and every group of the owner whose name carries the run id (or
 * that the run tried to create) is deleted. Then it reads both back and names exactly what is left.
 */
import type { ContractRun } from './contract-run.js';
import { describeOutcome, succeeded } from './exchange.js';
import { readOwnerGroupNames, readPeerMarks } from './reads.js';

export interface CleanupResult {
  /** True when a read-back found nothing of the run left. */
  readonly complete: boolean;
  /** What is left, one sentence each (empty when complete). */
  readonly left: readonly string[];
}

export async function cleanUp(run: ContractRun): Promise<CleanupResult> {
  const left: string[] = [];
  await restoreMarks(run, left);
  await deleteGroups(run, left);
  return { complete: left.length === 0, left };
}

async function restoreMarks(run: ContractRun, left: string[]): Promise<void> {
  const before = run.marksBefore;
  if (run.touchedBits.size === 0 && !run.touchedCustomMark) return;
  const where = `the marks of ${run.owner}'s conversation with ${run.settings.peer}`;
  if (before === undefined) {
    left.push(`${where}: the run could not read them before changing them, so they were not restored`);
    return;
  }
  const items: Record<string, unknown>[] = [];
  const touched = [...run.touchedBits].sort((a, b) => a - b);
  if (touched.length > 0) {
    const setMark = touched.filter((bit) => before.bits.includes(bit));
    const clearMark = touched.filter((bit) => !before.bits.includes(bit));
    items.push({ OptType: 1, ContactItem: run.peerConversation, ...(setMark.length > 0 ? { SetMark: setMark } : {}), ...(clearMark.length > 0 ? { ClearMark: clearMark } : {}) });
  }
  if (run.touchedCustomMark) items.push({ OptType: 2, ContactItem: run.peerConversation, CustomMark: before.customMark ?? '' });
  // One item per call: an app without standard marks refuses a whole call that changes them, and the custom mark
  // must still be restored.
  for (const item of items) {
    const call = await run.send('markContact', { From_Account: run.owner, MarkItem: [item] });
    if (!succeeded(call)) left.push(`${where}: restoring them answered ${describeOutcome(call)}`);
  }
  const read = await readPeerMarks(run);
  if (!read.ok) {
    left.push(`${where}: reading them back answered ${describeOutcome(read.call)}, so the restore is unconfirmed`);
    return;
  }
  const bitsNow = read.marks.bits.filter((bit) => run.touchedBits.has(bit));
  const bitsThen = before.bits.filter((bit) => run.touchedBits.has(bit));
  if (bitsNow.join() !== bitsThen.join()) left.push(`${where}: standard mark bits ${bitsNow.join(', ') || 'none'} of those the run touched are set, before the run ${bitsThen.join(', ') || 'none'} were`);
  if (run.touchedCustomMark && read.marks.customMark !== before.customMark) {
    left.push(`${where}: the custom mark is ${JSON.stringify(read.marks.customMark ?? '')}, before the run it was ${JSON.stringify(before.customMark ?? '')}`);
  }
}

async function deleteGroups(run: ContractRun, left: string[]): Promise<void> {
  const found = await readOwnerGroupNames(run);
  const names = new Set(run.groupNames);
  if (found.ok) {
    for (const name of found.names) if (name.startsWith(run.prefix)) names.add(name);
    // A name the run tried but the service never created needs no delete.
    for (const name of run.groupNames) if (!found.names.has(name)) names.delete(name);
  } else if (run.groupNames.size > 0) {
    left.push(`the groups of ${run.owner} could not be listed (${found.reason}); only those the run named were deleted`);
  }
  for (const name of [...names].sort()) {
    const call = await run.send('delContactGroup', { From_Account: run.owner, GroupName: [name] });
    if (!succeeded(call) && !found.ok) left.push(`the group ${JSON.stringify(name)} of ${run.owner}: deleting it answered ${describeOutcome(call)}`);
  }
  if (!found.ok) return;
  const after = await readOwnerGroupNames(run);
  if (!after.ok) {
    if (names.size > 0) left.push(`the groups of ${run.owner} could not be read back (${after.reason}): ${[...names].map((name) => JSON.stringify(name)).join(', ')} may be left`);
    return;
  }
  for (const name of [...after.names].filter((name) => name.startsWith(run.prefix)).sort()) left.push(`the group ${JSON.stringify(name)} of ${run.owner} is still there`);
}
