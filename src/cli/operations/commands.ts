/**
 * One command per operation of the spec: the table's entry where there is one, otherwise a plain command named after
 * the vendor command (`get_contact_group` → `get-contact-group`) that takes the body as `--body` (and `--user`, and so
 * bulk runs, when the operation acts for a user). An operation added to the spec is thus on the command line as soon
 * as `generated/` is regenerated.
 */
import { operations, type OperationId } from '../../../generated/operations.js';
import type { Command } from '../command.js';
import { operationCommand, takesUser } from './command.js';
import { field, text, USER_FIELD, type OperationCommandSpec } from './entry.js';
import { operationCommandSpecs } from './table.js';

type Schema = {
  readonly type?: unknown;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly oneOf?: readonly Schema[];
};

/** A body with every required field filled with a placeholder of its type, for a `--help` example. */
export function skeleton(schema: Schema): unknown {
  // The first variant of a union stands for all of them in an example.
  if (schema.oneOf?.[0] !== undefined) return skeleton(schema.oneOf[0]);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, skeleton(schema.properties?.[name] ?? {})]));
    case 'array':
      return [skeleton(schema.items ?? {})];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    default:
      return '…';
  }
}

export function genericSpec(operationId: OperationId): OperationCommandSpec {
  const operation = operations[operationId];
  const name = operation.vendorCommand.replaceAll('_', '-');
  const withUser = takesUser(operationId);
  const example = skeleton(operation.requestSchema as Schema);
  const { [USER_FIELD]: _user, ...rest } = typeof example === 'object' && example !== null ? (example as Record<string, unknown>) : {};
  const userArgs = withUser ? '--user alice ' : '';
  return {
    name,
    vendorCommand: operation.vendorCommand,
    summary: `${operation.summary} (request as --body JSON)`,
    description: `This operation has no field flags yet: give the request body with --body (the spec describes its fields).`,
    flags: withUser ? [{ name: 'user', value: 'ID', help: `the user (${USER_FIELD}) whose data this is` }] : [],
    body: (values) => field(USER_FIELD, text(values, 'user')),
    fieldFlags: withUser ? { [USER_FIELD]: '--user' } : {},
    examples: [`chat-groups ${name} ${userArgs}--body '${JSON.stringify(rest)}'`, `chat-groups ${name} --body @request.json`],
  };
}

export function operationCommands(): Command[] {
  const byVendorCommand = new Map(operationCommandSpecs.map((spec) => [spec.vendorCommand, spec]));
  return (Object.keys(operations) as OperationId[]).map((operationId) =>
    operationCommand(byVendorCommand.get(operations[operationId].vendorCommand) ?? genericSpec(operationId), operationId),
  );
}
