/**
 * The baseline scenario: one pass through the group operations on the owner's data with a group named with the run
 * id (create, read, rename, change its conversations, mark, delete). Each answer is checked against the document as
 * it comes; a step that does not succeed ends the scenario (the probes still run, each on its own).
 */
import type { OperationId } from '../../generated/operations.js';
import type { ContractRun } from './contract-run.js';
import { describeOutcome, succeeded } from './exchange.js';

export interface ScenarioStep {
  readonly operation: OperationId;
  readonly plan: string;
  request(run: ContractRun): Record<string, unknown>;
}

export const scenario: readonly ScenarioStep[] = [
  {
    operation: 'getContactGroup',
    plan: "read the first page of the owner's groups and marks",
    request: (run) => ({ From_Account: run.owner, StartIndex: 0 }),
  },
  {
    operation: 'createContactGroup',
    plan: 'create a group <run>-main holding the conversation with the peer',
    request: (run) => ({ From_Account: run.owner, GroupContactItem: [{ GroupName: run.name('main'), ContactItem: [run.peerConversation] }] }),
  },
  {
    operation: 'updateContactGroup',
    plan: 'rename it to <run>-renamed',
    request: (run) => ({ From_Account: run.owner, UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: run.name('main'), NewGroupName: run.name('renamed') } }),
  },
  {
    operation: 'updateContactGroup',
    plan: 'remove the conversation with the peer from it',
    request: (run) => ({
      From_Account: run.owner,
      UpdateType: 1,
      UpdateGroup: { UpdateGroupType: 2, OldGroupName: run.name('renamed'), ContactUpdateItem: [{ ContactOptType: 2, ContactItem: run.peerConversation }] },
    }),
  },
  {
    operation: 'markContact',
    plan: 'set the custom mark <run> on the conversation with the peer',
    request: (run) => ({ From_Account: run.owner, MarkItem: [{ OptType: 2, ContactItem: run.peerConversation, CustomMark: run.prefix }] }),
  },
  {
    operation: 'searchContactGroup',
    plan: 'read the marks of the conversation with the peer',
    request: (run) => ({ From_Account: run.owner, ContactItem: [run.peerConversation] }),
  },
  {
    operation: 'delContactGroup',
    plan: 'delete the group <run>-renamed',
    request: (run) => ({ From_Account: run.owner, GroupName: [run.name('renamed')] }),
  },
];

/** Runs the steps in order; answers why it stopped early, or undefined when every step succeeded. */
export async function runScenario(run: ContractRun): Promise<string | undefined> {
  for (const [index, step] of scenario.entries()) {
    const call = await run.send(step.operation, step.request(run));
    if (!succeeded(call)) return `scenario step ${index + 1} (${step.plan.replaceAll('<run>', run.prefix)}) answered ${describeOutcome(call)}; the later steps were skipped`;
  }
  return undefined;
}
