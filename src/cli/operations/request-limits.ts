/**
 * The limits of request fields as help text ("1 to 32 UTF-8 bytes", "1 to 100"), read from the request schemas in
 * generated/operations.ts, so `--help` says what the client will check and never a number typed by hand.
 */
import { operations, type OperationId } from '../../../generated/operations.js';

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One step down: a property (searched through `oneOf` branches, first match) or `[]` for the items of an array. */
function step(schema: Schema, key: string): Schema | undefined {
  if (key === '[]') return isSchema(schema['items']) ? schema['items'] : undefined;
  const properties = schema['properties'];
  if (isSchema(properties) && isSchema(properties[key])) return properties[key];
  const branches = Array.isArray(schema['oneOf']) ? schema['oneOf'] : [];
  for (const branch of branches) {
    const found = isSchema(branch) ? step(branch, key) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The schema of a request field, e.g. `schemaAt('markContact', 'MarkItem', '[]', 'CustomMark')`. */
export function schemaAt(operationId: OperationId, ...path: string[]): Schema {
  let schema: Schema | undefined = operations[operationId].requestSchema as Schema;
  for (const key of path) schema = schema === undefined ? undefined : step(schema, key);
  if (schema === undefined) throw new Error(`${operationId} has no request field ${path.join('.')}`);
  return schema;
}

function numberKey(schema: Schema, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' ? value : undefined;
}

function range(min: number | undefined, max: number | undefined, where: string): string {
  if (max === undefined) throw new Error(`${where} has no upper limit to show`);
  return min === undefined || min === 0 ? `at most ${max}` : `${min} to ${max}`;
}

/** "1 to 32 UTF-8 bytes" from `minLength` and `x-max-bytes`. */
export function byteLimit(operationId: OperationId, ...path: string[]): string {
  const schema = schemaAt(operationId, ...path);
  return `${range(numberKey(schema, 'minLength'), numberKey(schema, 'x-max-bytes'), `${operationId} ${path.join('.')}`)} UTF-8 bytes`;
}

/** "1 to 100" from `minItems` and `maxItems`. */
export function countLimit(operationId: OperationId, ...path: string[]): string {
  const schema = schemaAt(operationId, ...path);
  return range(numberKey(schema, 'minItems'), numberKey(schema, 'maxItems'), `${operationId} ${path.join('.')}`);
}

/** "1 to 64" from `minimum` and `maximum`. */
export function valueLimit(operationId: OperationId, ...path: string[]): string {
  const schema = schemaAt(operationId, ...path);
  return range(numberKey(schema, 'minimum'), numberKey(schema, 'maximum'), `${operationId} ${path.join('.')}`);
}

/** The answer the document says an earlier success of this operation explains (e.g. "no such group" to a delete). */
export function alreadyDoneCode(operationId: OperationId): number {
  const [answer] = operations[operationId].alreadyDoneAnswers as readonly { code: number }[];
  if (answer === undefined) throw new Error(`${operationId} lists no already-done answer`);
  return answer.code;
}
