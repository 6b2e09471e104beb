/**
 * What the contract check reports: one check per rule it looked at, with where the rule comes from and the calls
 * that show the outcome (each with its `random`, to quote to the vendor's support).
 */
import type { OperationId } from '../../generated/operations.js';

export type CheckStatus = 'held' | 'contradicted' | 'not-probed';

export type Provenance =
  /** A rule the document states as the vendor's (an answer schema, the documented error codes). */
  | { readonly kind: 'document'; readonly pointer: string }
  /** A rule the document marks as inferred (`x-source`). */
  | { readonly kind: 'inferred'; readonly pointer: string; readonly reason: string; readonly probe?: string; readonly notProbed?: string };

export interface CallEvidence {
  readonly operation: OperationId;
  /** The `random` query parameter of the call; absent when nothing was sent. */
  readonly random?: number;
  readonly request: Readonly<Record<string, unknown>>;
  readonly httpStatus?: number;
  readonly errorCode?: number;
  /** The answer as the service sent it (JSON, or the text when it was not JSON). */
  readonly answer?: unknown;
  /** Why no answer came back. */
  readonly networkFailure?: string;
}

export interface Check {
  /** The operation the rule belongs to (for a shared schema: the one the probe calls). */
  readonly operation: OperationId | undefined;
  /** The keyword or extension holding the rule, e.g. `x-max-bytes`, `response schema`. */
  readonly rule: string;
  readonly provenance: Provenance;
  readonly status: CheckStatus;
  readonly evidence: {
    /** What was expected and what came back, or why the rule was not probed. */
    readonly detail: string;
    readonly calls: readonly CallEvidence[];
  };
}
