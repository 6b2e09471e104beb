/** The `--help` text of an operation command, built from its table entry, the spec and the shared flag lists. */
import { operations, type OperationId } from '../../../generated/operations.js';
import { bulkFlags, flagLines, requestFlags, settingFlags, usageToken, type FieldFlag } from '../flags.js';
import { SETTINGS_ENV } from '../settings.js';
import { alreadyDoneCode } from './request-limits.js';
import type { OperationCommandSpec } from './entry.js';

export const EXIT_CODES_HELP = `Exit codes:
  0    success; also an unclear outcome whose answer an earlier, unanswered attempt explains (e.g. ${alreadyDoneCode('delContactGroup')} after a
       lost answer to a delete: the group is gone either way)
  1    the service answered a non-zero ErrorCode (bulk: at least one user failed so, none on the network)
  2    bad flags or settings, or a request the spec refuses; nothing was sent
  3    no answer came back (connection, timeout, HTTP 5xx) after the retries (bulk: at least one user still so)
  4    a bulk run stopped early, as no user could succeed: an ErrorCode that concerns the whole app (e.g. a wrong
       key or a non-admin identifier), a host no call could reach, or a results file that cannot be written; fix it
       and run the same command with --retry-failed to run the users not run and those that failed
  130  a bulk run stopped by Ctrl-C once the calls in flight finished (143 for SIGTERM)`;

export const BULK_OVERVIEW = `Every command that takes --user also runs for a list of users, resumably:
  --users-file FILE|- --results FILE (see 'chat-groups delete-group --help').`;

export const SETTINGS_HELP = `Settings come from the environment: ${SETTINGS_ENV.sdkAppId}, ${SETTINGS_ENV.admin}, ${SETTINGS_ENV.secretKey},
and ${SETTINGS_ENV.region} (a region name) or ${SETTINGS_ENV.baseUrl} (e.g. a sandbox), and optionally
${SETTINGS_ENV.backupUrl}. Flags override them, except the secret key, which is read from the environment only.
--region/--base-url on the command line replace both variables; setting both at the same level is an error. The
UserSig goes only to the primary host and to the backup domain a vendor page lists for the region, or to the
backup URL you name.`;

interface ObjectSchema {
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, ObjectSchema>>;
  readonly items?: ObjectSchema;
  readonly oneOf?: readonly ObjectSchema[];
}

/** Whether the field at `path` (`A[0].B`) must be present: required at every step, in every variant. */
function requiredAt(schema: ObjectSchema, path: readonly string[]): boolean {
  const [step, ...rest] = path;
  if (step === undefined) return true;
  if (schema.oneOf !== undefined && schema.oneOf.length > 0) return schema.oneOf.every((variant) => requiredAt(variant, path));
  const name = step.replace(/\[\d+\]$/, '');
  const property = schema.properties?.[name];
  if (!(schema.required ?? []).includes(name) || property === undefined) return false;
  return requiredAt(name === step ? property : (property.items ?? {}), rest);
}

/** The flags that set a field the request schema requires: the others are shown as optional in the usage line. */
function requiredFlags(spec: OperationCommandSpec, operationId: OperationId): ReadonlySet<string> {
  const schema = operations[operationId].requestSchema as ObjectSchema;
  return new Set(Object.entries(spec.fieldFlags).flatMap(([field, flag]) => (requiredAt(schema, field.split('.')) ? [flag] : [])));
}

export function operationHelp(spec: OperationCommandSpec, operationId: OperationId, bulk: boolean): string {
  const operation = operations[operationId];
  const required = requiredFlags(spec, operationId);
  const token = (flag: FieldFlag): string => usageToken(flag, !required.has(`--${flag.name}`));
  const fieldUsage = spec.flags.map(token).join(' ');
  const single = `chat-groups ${spec.name} ${fieldUsage === '' ? '--body JSON|@FILE' : fieldUsage} [options]`;
  const bulkFields = spec.flags.filter((flag) => flag.name !== 'user').map(token);
  const usage = bulk
    ? [`Usage: ${single}`, `       chat-groups ${spec.name} ${[...bulkFields, '--users-file FILE|-', '--results FILE'].join(' ')} [options]`]
    : [`Usage: ${single}`];
  const { calls, perSeconds } = operation.rateLimit;
  const sections = [
    ...usage,
    '',
    spec.summary + '.',
    ...(spec.description === undefined ? [] : ['', spec.description]),
    '',
    `Calls ${operation.vendorCommand} (${operation.method.toUpperCase()} ${operation.path}); documented limit ${calls} calls per ${perSeconds === 1 ? 'second' : `${perSeconds} s`}.` +
      (spec.paging === undefined ? '' : ' Pages through every page and prints them as one answer.'),
    '',
    'Request:',
    ...flagLines([...spec.flags, ...requestFlags.filter((flag) => flag.name === 'body')]),
    '',
    'Settings:',
    ...flagLines(settingFlags),
    '',
    'Output and calls:',
    ...flagLines(requestFlags.filter((flag) => flag.name !== 'body')),
    ...(bulk ? ['', 'Bulk runs (instead of --user):', ...flagLines(bulkFlags), '', BULK_HELP] : []),
    '',
    SETTINGS_HELP,
    '',
    EXIT_CODES_HELP,
    '',
    'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    '',
  ];
  return sections.join('\n');
}

const BULK_HELP = `A bulk run makes one call per user, at the rate limit, --concurrency at a time. Each user gets a line in the
results file as soon as its call ends ({"type":"result","user","outcome","ok","code","info","random","attempts",
"at",…}); a crash loses nothing already written. Run the same command with the same --results file to resume:
users with a result are skipped, and a user whose call was cut off and who now gets an answer the cut-off call
would explain (e.g. ${alreadyDoneCode('delContactGroup')} for a delete) is recorded as "possibly-done-earlier", not as a failure. Progress goes to
stderr, a summary (counts by outcome and ErrorCode) to stdout; with --json, stdout gets every result line and a
summary line instead. Ctrl-C stops taking users, finishes the calls in flight and exits 130; a second Ctrl-C quits
at once.`;
