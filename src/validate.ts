/**
 * Checks a request body against its operation's schema from the spec, including the byte limits that JSON Schema
 * cannot express (`x-max-bytes`). The client runs it before sending and the sandbox runs it on what it receives, so
 * both enforce the same rules from the same source, and neither restates a number of the spec.
 *
 * Only the keywords the spec uses are understood; a schema with any other assertion keyword makes
 * `validateRequest` throw, so a rule added to the spec can never be skipped without notice.
 */
import { operations, type OperationId } from '../generated/operations.js';

export type Rule =
  | 'required'
  | 'type'
  | 'enum'
  | 'const'
  | 'minItems'
  | 'maxItems'
  | 'minLength'
  | 'maxLength'
  | 'x-min-bytes'
  | 'x-max-bytes'
  | 'minimum'
  | 'maximum'
  | 'additionalProperties'
  | 'oneOf';

export interface Violation {
  /** Where in the body, e.g. `GroupName[0]`; empty for the body itself. */
  readonly field: string;
  readonly rule: Rule;
  /** A sentence naming the field, the rule and, for strings, the value's UTF-8 length. */
  readonly message: string;
  /** The ErrorCode the service answers for this violation (the spec's per-field code, or the operation's bad-request code). */
  readonly errorCode: number;
  /** For string values: their length in UTF-8 bytes. */
  readonly byteLength?: number;
}

type Schema = { readonly [keyword: string]: unknown };

const understoodKeywords = new Set([
  'type', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength',
  'minimum', 'maximum', 'enum', 'const', 'oneOf', 'allOf', 'discriminator', 'default', 'format', 'readOnly',
  'x-max-bytes', 'x-min-bytes', 'x-max-bytes-error-code',
]);

/** UTF-8 length without encoding the string (no allocation); a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder writes it. */
export function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < value.length) {
      const next = value.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** JSON Schema's maxLength counts code points, not UTF-16 units. */
function countCodePoints(value: string): number {
  let count = 0;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < value.length) {
      const next = value.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    count += 1;
  }
  return count;
}

/** Every violation of the operation's request schema, in document order; empty when the body is valid. */
export function validateRequest(operationId: OperationId, body: unknown): Violation[] {
  const operation = operations[operationId];
  const violations: Violation[] = [];
  check(operation.requestSchema as Schema, body, '', operation.badRequestErrorCode, violations);
  return violations;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function label(field: string): string {
  return field === '' ? 'the request body' : field;
}

function check(schema: Schema, value: unknown, field: string, badRequestCode: number, out: Violation[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!understoodKeywords.has(keyword) && !keyword.startsWith('x-') && keyword !== '$schema') {
      throw new Error(`the request schema uses "${keyword}" at ${label(field)}, which validateRequest does not enforce`);
    }
  }
  const add = (rule: Rule, message: string, extra: Partial<Violation> = {}): void => {
    out.push({ field, rule, message: `${label(field)} ${message}`, errorCode: badRequestCode, ...extra });
  };

  if (Array.isArray(schema['allOf'])) {
    for (const part of schema['allOf'] as Schema[]) check(part, value, field, badRequestCode, out);
  }
  if (Array.isArray(schema['oneOf'])) {
    checkOneOf(schema['oneOf'] as Schema[], value, field, badRequestCode, out);
  }

  const type = schema['type'];
  if (typeof type === 'string' && !matchesType(type, value)) {
    add('type', `must be ${type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`}, got ${describeType(value)}`);
    return;
  }
  if ('const' in schema && value !== schema['const']) {
    add('const', `must be ${JSON.stringify(schema['const'])}, got ${JSON.stringify(value)}`);
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) {
    add('enum', `must be one of ${schema['enum'].map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`);
  }

  if (typeof value === 'string') checkString(schema, value, add);
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) add('minimum', `must be at least ${schema['minimum']}, got ${value}`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) add('maximum', `must be at most ${schema['maximum']}, got ${value}`);
  }
  if (Array.isArray(value)) {
    const count = `${value.length} item${value.length === 1 ? '' : 's'}`;
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) {
      add('minItems', `must have at least ${schema['minItems']} item${schema['minItems'] === 1 ? '' : 's'}, got ${count}`);
    }
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) {
      add('maxItems', `must have at most ${schema['maxItems']} item${schema['maxItems'] === 1 ? '' : 's'}, got ${count}`);
    }
    const items = schema['items'];
    if (items && typeof items === 'object') {
      value.forEach((item, index) => check(items as Schema, item, `${field}[${index}]`, badRequestCode, out));
    }
  }
  if (matchesType('object', value)) checkObject(schema, value as Record<string, unknown>, field, badRequestCode, out, add);
}

function checkString(schema: Schema, value: string, add: (rule: Rule, message: string, extra?: Partial<Violation>) => void): void {
  const maxBytes = schema['x-max-bytes'];
  const minBytes = schema['x-min-bytes'];
  const maxLength = schema['maxLength'];
  const minLength = schema['minLength'];
  const bytes = utf8ByteLength(value);
  const characters = countCodePoints(value);
  // Built only for a violation: the sandbox runs this on every request.
  const sizes = (): string =>
    `${bytes} UTF-8 byte${bytes === 1 ? '' : 's'} (${characters} character${characters === 1 ? '' : 's'})`;
  // The byte limit is the vendor's real rule; report it (with its own error code) ahead of the weaker character bound.
  if (typeof maxBytes === 'number' && bytes > maxBytes) {
    const code = schema['x-max-bytes-error-code'];
    add('x-max-bytes', `must be at most ${maxBytes} UTF-8 bytes, got ${sizes()}`, {
      byteLength: bytes,
      ...(typeof code === 'number' ? { errorCode: code } : {}),
    });
  } else if (typeof maxLength === 'number' && characters > maxLength) {
    add('maxLength', `must be at most ${maxLength} characters, got ${sizes()}`, { byteLength: bytes });
  }
  if (typeof minBytes === 'number' && bytes < minBytes) {
    add('x-min-bytes', `must be at least ${minBytes} UTF-8 byte${minBytes === 1 ? '' : 's'}, got ${sizes()}`, { byteLength: bytes });
  } else if (typeof minLength === 'number' && characters < minLength) {
    add('minLength', minLength === 1 ? `must not be empty, got ${sizes()}` : `must be at least ${minLength} characters, got ${sizes()}`, { byteLength: bytes });
  }
}

function checkObject(
  schema: Schema,
  value: Record<string, unknown>,
  field: string,
  badRequestCode: number,
  out: Violation[],
  add: (rule: Rule, message: string) => void,
): void {
  const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
  const prefix = field === '' ? '' : `${field}.`;
  for (const name of (schema['required'] ?? []) as string[]) {
    if (!(name in value)) {
      out.push({ field: `${prefix}${name}`, rule: 'required', message: `${prefix}${name} is required`, errorCode: badRequestCode });
    }
  }
  for (const [name, propertySchema] of Object.entries(properties)) {
    if (name in value) check(propertySchema, value[name], `${prefix}${name}`, badRequestCode, out);
  }
  if (schema['additionalProperties'] === false) {
    for (const name of Object.keys(value)) {
      if (!(name in properties)) add('additionalProperties', `has an unknown field "${name}"`);
    }
  }
}

/** A union (e.g. a one-to-one or a group conversation): pick the branch by discriminator when there is one. */
function checkOneOf(branches: Schema[], value: unknown, field: string, badRequestCode: number, out: Violation[]): void {
  const results = branches.map((branch) => {
    const found: Violation[] = [];
    check(branch, value, field, badRequestCode, found);
    return found;
  });
  const passing = results.filter((found) => found.length === 0).length;
  if (passing === 1) return;
  if (passing === 0) {
    // Report the branch that came closest, so the message names the field that is actually wrong.
    const closest = results.reduce((best, found) => (found.length < best.length ? found : best));
    out.push(...closest);
    return;
  }
  out.push({ field, rule: 'oneOf', message: `${label(field)} matches more than one of its allowed shapes`, errorCode: badRequestCode });
}

/**
 * Checks the query string's signing parameters against the operation's parameter schemas. Query values are text,
 * so a parameter declared as an integer must be written as a plain decimal integer.
 */
export function validateQuery(operationId: OperationId, query: URLSearchParams): Violation[] {
  const operation = operations[operationId];
  const violations: Violation[] = [];
  for (const parameter of operation.queryParameters) {
    const raw = query.get(parameter.name);
    if (raw === null) {
      if (parameter.required) {
        violations.push({ field: parameter.name, rule: 'required', message: `${parameter.name} is required`, errorCode: operation.badRequestErrorCode });
      }
      continue;
    }
    const schema = parameter.schema as Schema;
    const value = schema['type'] === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    check(schema, value, parameter.name, operation.badRequestErrorCode, violations);
  }
  return violations.map((violation) => ({ ...violation, message: `query parameter ${violation.message}` }));
}
