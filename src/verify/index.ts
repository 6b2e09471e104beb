/**
 * The contract check as a library (`tencent-chat-groups/verify`): what `chat-groups verify-contract` runs. A
 * subpath of its own, so the package entry does not load the bundled document it reads.
 */
export {
  contractPlan,
  DEFAULT_VERIFY_RATE,
  MAX_VERIFY_RATE,
  newRunId,
  verifyContract,
  type PlanInput,
  type VerifyContractOptions,
  type VerifyContractReport,
} from './verify-contract.js';
export type { CallEvidence, Check, CheckStatus, Provenance } from './checks.js';
export type { CleanupResult } from './cleanup.js';
export { inferredRules, type InferredRule } from './provenance.js';
export { passed, REPORT_FORMAT_VERSION, reportJson, summaryText, tally, type Tally } from './report.js';
