/**
 * Checks a request body against its operation's schema from the spec, including the byte limits that JSON Schema
 * cannot express (`x-max-bytes`). The client runs it before sending and the sandbox runs it on what it receives, so
 * both enforce the same rules from the same source, and neither restates a number of the spec.
 *
 * Only the keywords the spec uses are understood; a schema with any other assertion keyword makes
 * `validateRequest` throw, so a rule added to the spec can never be skipped without notice.
 *
 * `validateResponse` runs the same checks on an answer of the service, against the operation's response schema, and
 * also names every field the document does not declare: a check of the contract rather than of a request.
 *
 * Error codes: a violation gets the operation's bad-request code unless the schema that holds the violated keyword
 * names another one, in `x-keyword-error-codes` (keyword → ErrorCode, e.g. the mark operation's own code for `minItems` and `maxItems`)
 * or, for the byte limit, in `x-max-bytes-error-code`. The vendor gives some limits codes of their own, and the
 * caller should see the code the service would answer.
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
  | 'pattern'
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
  'minimum', 'maximum', 'pattern', 'enum', 'const', 'oneOf', 'allOf', 'discriminator', 'default', 'format', 'readOnly',
  'x-max-bytes', 'x-min-bytes', 'x-max-bytes-error-code', 'x-keyword-error-codes',
]);

/** The rules a schema can give an ErrorCode of its own in `x-keyword-error-codes`. */
const rulesWithCodes: ReadonlySet<string> = new Set<Rule>([
  'required', 'type', 'enum', 'const', 'minItems', 'maxItems', 'minLength', 'maxLength', 'x-min-bytes', 'x-max-bytes',
  'minimum', 'maximum', 'pattern', 'additionalProperties', 'oneOf',
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
  return validateAgainstSchema(operation.requestSchema, body, operation.badRequestErrorCode);
}

/**
 * The same checks against any dereferenced schema, with `badRequestCode` for violations the schema gives no code of
 * their own. Throws on keywords it does not enforce, like `validateRequest`.
 */
export function validateAgainstSchema(schema: unknown, value: unknown, badRequestCode: number): Violation[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error('a schema must be an object');
  const violations: Violation[] = [];
  check(schema as Schema, value, '', badRequestCode, violations);
  return violations;
}

/** Longest rendering of a value in a message; a long string is cut, so an answer never echoes a huge value. */
const MAX_SHOWN_CHARACTERS = 40;

/**
 * A value for a message: primitives as JSON (cut when long), objects and arrays by their type only, so that no
 * message walks a value (which may nest deeply, or be cyclic when a caller built it in code).
 */
function show(value: unknown): string {
  if (typeof value === 'object' && value !== null) return describeType(value);
  if (value === undefined) return 'nothing';
  const text = typeof value === 'bigint' ? String(value) : JSON.stringify(value);
  return text.length > MAX_SHOWN_CHARACTERS ? `${text.slice(0, MAX_SHOWN_CHARACTERS)}…` : text;
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

/**
 * A malformed `x-keyword-error-codes` throws, like an unknown keyword: a code the spec means to give must never
 * silently become the bad-request code. Checked wherever the schema is visited, not only when a rule is broken.
 */
function checkKeywordCodes(schema: Schema, field: string): void {
  const codes = schema['x-keyword-error-codes'];
  if (codes === undefined) return;
  if (typeof codes !== 'object' || codes === null || Array.isArray(codes)) {
    throw new Error(`x-keyword-error-codes at ${label(field)} must map keywords to error codes`);
  }
  for (const [keyword, code] of Object.entries(codes)) {
    if (!rulesWithCodes.has(keyword) || !Number.isInteger(code)) {
      throw new Error(
        `x-keyword-error-codes at ${label(field)} has ${JSON.stringify(keyword)}: ${JSON.stringify(code)}, not a checked keyword with an integer code`,
      );
    }
  }
}

/** The ErrorCode for a violation of `rule` at `schema` (see the module comment). */
function codeFor(schema: Schema, rule: Rule, badRequestCode: number): number {
  const code = (schema['x-keyword-error-codes'] as Readonly<Record<string, number>> | undefined)?.[rule];
  if (code !== undefined) return code;
  const byteCode = schema['x-max-bytes-error-code'];
  if (rule === 'x-max-bytes' && typeof byteCode === 'number') return byteCode;
  return badRequestCode;
}

function check(schema: Schema, value: unknown, field: string, badRequestCode: number, out: Violation[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!understoodKeywords.has(keyword) && !keyword.startsWith('x-') && keyword !== '$schema') {
      throw new Error(`the request schema uses "${keyword}" at ${label(field)}, which validateRequest does not enforce`);
    }
  }
  checkKeywordCodes(schema, field);
  const add = (rule: Rule, message: string, extra: Partial<Violation> = {}): void => {
    out.push({ field, rule, message: `${label(field)} ${message}`, errorCode: codeFor(schema, rule, badRequestCode), ...extra });
  };

  if (Array.isArray(schema['allOf'])) {
    for (const part of schema['allOf'] as Schema[]) check(part, value, field, badRequestCode, out);
  }
  if (Array.isArray(schema['oneOf'])) {
    checkOneOf(schema, schema['oneOf'] as Schema[], value, field, badRequestCode, out);
  }

  const type = schema['type'];
  if (typeof type === 'string' && !matchesType(type, value)) {
    add('type', `must be ${type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`}, got ${describeType(value)}`);
    return;
  }
  if ('const' in schema && value !== schema['const']) {
    add('const', `must be ${JSON.stringify(schema['const'])}, got ${show(value)}`);
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) {
    add('enum', `must be one of ${schema['enum'].map((v) => JSON.stringify(v)).join(', ')}, got ${show(value)}`);
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
    add('x-max-bytes', `must be at most ${maxBytes} UTF-8 bytes, got ${sizes()}`, { byteLength: bytes });
  } else if (typeof maxLength === 'number' && characters > maxLength) {
    add('maxLength', `must be at most ${maxLength} characters, got ${sizes()}`, { byteLength: bytes });
  }
  const pattern = schema['pattern'];
  if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(value)) {
    add('pattern', `must match ${pattern}, got ${JSON.stringify(value)}`);
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
      const errorCode = codeFor(schema, 'required', badRequestCode);
      out.push({ field: `${prefix}${name}`, rule: 'required', message: `${prefix}${name} is required`, errorCode });
    }
  }
  for (const [name, propertySchema] of Object.entries(properties)) {
    if (name in value) check(propertySchema, value[name], `${prefix}${name}`, badRequestCode, out);
  }
  if (schema['additionalProperties'] === false) {
    for (const name of Object.keys(value)) {
      if (!(name in properties)) add('additionalProperties', `has an unknown field ${show(name)}`);
    }
  }
}

/**
 * A union (e.g. a one-to-one or a group conversation). When the branches are told apart by one property (named by
 * `discriminator.propertyName`, or found as the property every branch fixes to its own `const`), the branch is
 * picked by that property and only its violations are reported, so the message names the field that is actually
 * wrong. Otherwise every branch is tried.
 */
function checkOneOf(schema: Schema, branches: Schema[], value: unknown, field: string, badRequestCode: number, out: Violation[]): void {
  const tag = discriminatingProperty(schema, branches);
  if (tag !== undefined && matchesType('object', value)) {
    const object = value as Record<string, unknown>;
    const prefix = field === '' ? '' : `${field}.`;
    const errorCode = codeFor(schema, 'oneOf', badRequestCode);
    if (!(tag in object)) {
      out.push({ field: `${prefix}${tag}`, rule: 'required', message: `${prefix}${tag} is required`, errorCode });
      return;
    }
    const chosen = branches.filter((branch) => branchTagValues(branch, tag)?.includes(object[tag]));
    if (chosen.length === 1) {
      check(chosen[0] as Schema, value, field, badRequestCode, out);
      return;
    }
    if (chosen.length === 0) {
      const allowed = branches.flatMap((branch) => branchTagValues(branch, tag) ?? []);
      const message = `${prefix}${tag} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, got ${show(object[tag])}`;
      out.push({ field: `${prefix}${tag}`, rule: 'oneOf', message, errorCode });
      return;
    }
  }
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
  const errorCode = codeFor(schema, 'oneOf', badRequestCode);
  out.push({ field, rule: 'oneOf', message: `${label(field)} matches more than one of its allowed shapes`, errorCode });
}

/** Per union schema (the generated tables never change): its tag, or null when it has none. */
const tagCache = new WeakMap<Schema, string | null>();

/** The property that tells the branches apart: the declared discriminator, or one every branch fixes to distinct values. */
function discriminatingProperty(schema: Schema, branches: Schema[]): string | undefined {
  const cached = tagCache.get(schema);
  if (cached !== undefined) return cached ?? undefined;
  const found = findDiscriminatingProperty(schema, branches);
  tagCache.set(schema, found ?? null);
  return found;
}

function findDiscriminatingProperty(schema: Schema, branches: Schema[]): string | undefined {
  const declared = (schema['discriminator'] as { propertyName?: unknown } | undefined)?.propertyName;
  if (typeof declared === 'string') return declared;
  const [first] = branches;
  if (first === undefined) return undefined;
  const candidates = Object.keys(branchProperties(first));
  return candidates.find((name) => {
    const values = branches.map((branch) => branchTagValues(branch, name));
    if (values.some((list) => list === undefined)) return false;
    const flat = values.flat();
    return new Set(flat).size === flat.length;
  });
}

/** Per branch schema: its properties with those of its `allOf` parts, built once (the sandbox checks every request). */
const propertiesCache = new WeakMap<Schema, Readonly<Record<string, Schema>>>();

/** The properties a branch declares, its `allOf` parts included. */
function branchProperties(branch: Schema): Readonly<Record<string, Schema>> {
  let properties = propertiesCache.get(branch);
  if (properties === undefined) {
    const own = (branch['properties'] ?? {}) as Record<string, Schema>;
    const parts = Array.isArray(branch['allOf']) ? (branch['allOf'] as Schema[]) : [];
    properties = Object.assign({}, ...parts.map(branchProperties), own) as Record<string, Schema>;
    propertiesCache.set(branch, properties);
  }
  return properties;
}

/** The values a branch allows for `name` when it fixes them with `const` or `enum`; undefined when it does not. */
function branchTagValues(branch: Schema, name: string): readonly unknown[] | undefined {
  const property = branchProperties(branch)[name];
  if (property === undefined) return undefined;
  if ('const' in property) return [property['const']];
  return Array.isArray(property['enum']) ? (property['enum'] as unknown[]) : undefined;
}

/**
 * The declared part of a valid request body: a copy that keeps only the fields its schema declares (through
 * `items`, `allOf` and the `oneOf` branch the value matches), per the document's `x-request-limits.unknownFields`
 * (undeclared fields are ignored). The sandbox acts on this copy, so nothing undeclared is stored or echoed. The walk
 * follows the schema, which nests a few levels, never the value's own depth.
 */
export function declaredPart(operationId: OperationId, body: unknown): unknown {
  return keepDeclared(operations[operationId].requestSchema, body);
}

function keepDeclared(schema: Schema, value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = schema['items'];
    return items && typeof items === 'object' ? value.map((item) => keepDeclared(items as Schema, item)) : value;
  }
  if (!matchesType('object', value)) return value;
  const object = value as Record<string, unknown>;
  const properties = declaredProperties(schema, object);
  if (properties === undefined) return value;
  // A null-prototype copy: a declared name can never reach Object.prototype, and "__proto__" stays data.
  const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, propertySchema] of Object.entries(properties)) {
    if (Object.hasOwn(object, name)) copy[name] = keepDeclared(propertySchema, object[name]);
  }
  return copy;
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

/** A way an answer of the service departs from the operation's response schema. */
export interface ResponseViolation {
  /** Where in the answer, e.g. `GroupResultItem[0].GroupItem.GroupId`; empty for the answer itself. */
  readonly field: string;
  /** The broken keyword, or `undeclared` for a field the document does not have. */
  readonly rule: Rule | 'undeclared';
  readonly message: string;
}

/**
 * Every way the answer `body` departs from the operation's response schema: a broken rule (a promised field missing,
 * a wrong type, a value out of its enum or pattern), and every field the document does not declare at its place,
 * which a request check allows but which, in an answer, means the service has changed.
 */
export function validateResponse(operationId: OperationId, body: unknown): ResponseViolation[] {
  const schema = operations[operationId].responseSchema as Schema | null;
  if (schema === null) throw new Error(`${operationId} declares no answer schema`);
  if (!matchesType('object', body)) return [{ field: '', rule: 'type', message: `the answer must be a JSON object, got ${describeType(body)}` }];
  const found: Violation[] = [];
  check(schema, body, '', operations[operationId].badRequestErrorCode, found);
  const violations: ResponseViolation[] = found.map(({ field, rule, message }) => ({ field, rule, message }));
  findUndeclared(schema, body, '', violations);
  return violations;
}

/** The properties a schema declares for `value`: its own, its `allOf` parts' and those of the `oneOf` branch that fits. */
function declaredProperties(schema: Schema, value: Record<string, unknown>): Record<string, Schema> | undefined {
  let declared: Record<string, Schema> | undefined;
  const merge = (more: Record<string, Schema> | undefined): void => {
    if (more !== undefined) declared = { ...declared, ...more };
  };
  if (Array.isArray(schema['allOf'])) for (const part of schema['allOf'] as Schema[]) merge(declaredProperties(part, value));
  if (Array.isArray(schema['oneOf'])) {
    const branches = schema['oneOf'] as Schema[];
    const tag = discriminatingProperty(schema, branches);
    const chosen = tag === undefined ? branches : branches.filter((branch) => branchTagValues(branch, tag)?.includes(value[tag]));
    for (const branch of chosen) merge(declaredProperties(branch, value));
  }
  if (schema['properties'] !== undefined) merge(schema['properties'] as Record<string, Schema>);
  return declared;
}

function findUndeclared(schema: Schema, value: unknown, field: string, out: ResponseViolation[]): void {
  if (Array.isArray(value)) {
    const items = schema['items'];
    if (items && typeof items === 'object') value.forEach((item, index) => findUndeclared(items as Schema, item, `${field}[${index}]`, out));
    return;
  }
  if (!matchesType('object', value)) return;
  const object = value as Record<string, unknown>;
  const declared = declaredProperties(schema, object);
  // An object schema that names no property at all is open by design.
  if (declared === undefined) return;
  const prefix = field === '' ? '' : `${field}.`;
  for (const [name, item] of Object.entries(object)) {
    const propertySchema = declared[name];
    if (propertySchema === undefined) {
      out.push({ field: `${prefix}${name}`, rule: 'undeclared', message: `${prefix}${name} is not in the document (value ${JSON.stringify(item)})` });
    } else findUndeclared(propertySchema, item, `${prefix}${name}`, out);
  }
}
