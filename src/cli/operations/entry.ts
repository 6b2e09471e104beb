/**
 * The shape of one entry of the command table (`table.ts`): how a vendor operation looks on the command
 * line. Only what differs between operations lives in an entry; parsing, settings, the call, paging, output, bulk
 * runs and help are shared (`command.ts`, `build-request.ts`, `run.ts`).
 */
import type { OperationId } from '../../../generated/operations.js';
import type { CallInit, CallResult } from '../../client/call-types.js';
import type { FieldFlag } from '../flags.js';

/** The request field naming the user an operation acts for; a bulk run sets it to each user of its list in turn. */
export const USER_FIELD = 'From_Account';

/** Parsed flag values as `parseArgs` gives them. */
export type FlagValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/** One page's call, as the client's paginators (`src/paginate.ts`) take a client method. */
export type PageCall = (body: never, init?: CallInit) => Promise<CallResult<OperationId>>;

/** A paged read: every page through the client's paginator, folded into one answer. */
export interface Paging {
  readAll(call: PageCall, request: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
}

/** A flag value the table cannot turn into a request field; reported as a usage error naming the flag. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export interface OperationCommandSpec {
  /** What the user types after `chat-groups`. */
  readonly name: string;
  /** The vendor command this entry is for (`del_contact_group`); the entry is skipped while the spec lacks it. */
  readonly vendorCommand: string;
  readonly summary: string;
  /** Paragraphs for `--help` after the usage line. */
  readonly description?: string;
  readonly flags: readonly FieldFlag[];
  /**
   * The request body from the field flags. A missing flag leaves its field out: the spec check then names it (and
   * the flag, through `fieldFlags`), so required fields are stated once, in the spec.
   */
  body(values: FlagValues): Record<string, unknown>;
  /** Top-level body field → the flag that sets it, so messages about a field name what the user typed. */
  readonly fieldFlags: Readonly<Record<string, string>>;
  readonly paging?: Paging;
  /** A readable account of a success; default: the answer's fields as indented JSON. */
  describe?(data: Readonly<Record<string, unknown>>, request: Readonly<Record<string, unknown>>): string;
  /** Command lines for `--help`, each a complete, runnable example. */
  readonly examples: readonly string[];
}

/** Body helpers for the table: leave a field out when its flag is absent, so the spec check can name it. */
export function text(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function texts(values: FlagValues, name: string): readonly string[] | undefined {
  const value = values[name];
  return Array.isArray(value) ? (value as readonly string[]) : undefined;
}

/** A repeatable flag's values, each also split at commas (`--set star,unread` and `--set star --set unread`). */
export function list(values: FlagValues, name: string): string[] | undefined {
  const given = texts(values, name);
  return given?.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

/** `{ key: value }` when the value is defined, `{}` otherwise, to spread into a body. */
export function field(key: string, value: unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: value };
}
