/**
 * Compares the bundled document with the last released one (`releases/<version>/openapi.json`) and names every
 * change that breaks a caller: code written against the released document (by hand, with the generated types or
 * with the typed client) that stops compiling or starts failing against the new one.
 *
 *   npx tsx scripts/release/breaking-changes.ts                 check generated/openapi.json against the newest release
 *   npx tsx scripts/release/breaking-changes.ts --against FILE  check against another document
 *   npx tsx scripts/release/breaking-changes.ts --record        store generated/openapi.json as the release of its version
 *
 * Exits 1 when a breaking change is found, unless the major version went up (the one way semver allows one).
 *
 * The rules, from the caller's side. A request is what the caller sends: it breaks when something the caller sends
 * is no longer accepted (a field or parameter removed, a field made required, outright or under a condition, an enum
 * value or a type dropped, a limit tightened); loosening any of these is additive. A response is what the caller
 * reads: it breaks when something the caller reads may be missing or different (a field removed or made optional, an
 * enum value removed or added, a new type, a new member of a union): code that reads the field, or that switches
 * exhaustively over the generated union, stops compiling. Removing an operation, a path, a region or a documented
 * error code breaks callers too: the client method, the `region` value or the error-code literal they use
 * disappears from the generated types. test/spec/breaking-changes.test.ts proves each rule about the generated types by
 * compiling caller code against the types generated from both documents.
 */
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  dereference,
  isJsonObject,
  listOperations,
  resolveReference,
  withoutKeys,
  type JsonObject,
  type JsonValue,
  type OpenApiDocument,
} from '../generate/openapi-document.js';
import { REPO_ROOT } from '../repo-root.js';

export const releasesDir = join(REPO_ROOT, 'releases');
export const currentDocumentPath = join(REPO_ROOT, 'generated/openapi.json');

/** Every kind of change the check names; each has its tests in test/spec/breaking-changes.test.ts. */
export const breakingChangeKinds = [
  'operation-removed',
  'operation-id-renamed',
  'request-field-removed',
  'request-field-required',
  'request-enum-narrowed',
  'request-limit-narrowed',
  'parameter-removed',
  'parameter-required',
  'response-field-removed',
  'response-field-optional',
  'response-enum-value-removed',
  'response-enum-widened',
  'response-variant-added',
  'response-variant-removed',
  'type-changed',
  'error-code-removed',
  'region-removed',
] as const;

export type BreakingChangeKind = (typeof breakingChangeKinds)[number];

export interface BreakingChange {
  readonly kind: BreakingChangeKind;
  /** The operation affected, as the released document names it; absent for document-wide changes. */
  readonly operationId?: string;
  /** Where: `POST /v4/... request.GroupName[]`, `... query.sdkappid`, `... response 200.GroupItem[]`, `servers.mumbai`. */
  readonly path: string;
  readonly message: string;
}

type Json = JsonValue;
/** Any OpenAPI 3.x document, read loosely: the check must not reject a document it does not fully understand. */
export type Document = JsonObject;

// ---------------------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------------------

/** A schema reduced to what the comparison reads: `$ref`s resolved and `allOf` merged into one object. */
interface FlatSchema {
  readonly types: ReadonlySet<string> | undefined;
  readonly enumValues: readonly Json[] | undefined;
  readonly properties: ReadonlyMap<string, Json>;
  readonly required: ReadonlySet<string>;
  readonly items: Json | undefined;
  readonly variants: readonly Json[];
  readonly raw: JsonObject;
}

function flatten(document: Document, schema: Json | undefined): FlatSchema {
  const resolved = resolveReference(schema, document);
  const raw: JsonObject = isJsonObject(resolved) ? { ...resolved } : {};
  const properties = new Map<string, Json>();
  const required = new Set<string>();
  const parts = Array.isArray(raw['allOf']) ? raw['allOf'].map((part) => flatten(document, part)) : [];
  for (const part of parts) {
    for (const [name, property] of part.properties) properties.set(name, property);
    for (const name of part.required) required.add(name);
    // Keywords of the parts that the schema itself does not set (e.g. `type: object` in one part).
    for (const [key, value] of Object.entries(part.raw)) if (!(key in raw) && key !== 'properties' && key !== 'required') raw[key] = value;
  }
  if (isJsonObject(raw['properties'])) for (const [name, property] of Object.entries(raw['properties'])) properties.set(name, property);
  if (Array.isArray(raw['required'])) for (const name of raw['required']) if (typeof name === 'string') required.add(name);
  const enumValues = Array.isArray(raw['enum']) ? raw['enum'] : 'const' in raw ? [raw['const'] ?? null] : undefined;
  const variants = [raw['oneOf'], raw['anyOf']].flatMap((list) => (Array.isArray(list) ? list : []));
  return { types: typesOf(raw, properties, enumValues), enumValues, properties, required, items: raw['items'], variants, raw };
}

function typesOf(raw: JsonObject, properties: ReadonlyMap<string, Json>, enumValues: readonly Json[] | undefined): Set<string> | undefined {
  const type = raw['type'];
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((entry): entry is string => typeof entry === 'string'));
  if (enumValues) return new Set(enumValues.map((value) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value)));
  if (properties.size > 0) return new Set(['object']);
  if (raw['items'] !== undefined) return new Set(['array']);
  return undefined;
}

/** Whether every value of type `type` is a value of one of `types` (`integer` is a `number`). */
function accepts(types: ReadonlySet<string> | undefined, type: string): boolean {
  return types === undefined || types.has(type) || (type === 'integer' && types.has('number'));
}

function describeTypes(types: ReadonlySet<string> | undefined): string {
  return types === undefined ? 'any type' : [...types].join(' | ');
}

function showValue(value: Json): string {
  return JSON.stringify(value);
}

/** Request limits: a number that may only grow (`max`) or only shrink (`min`) without refusing what callers send. */
const UPPER_LIMITS = ['maxLength', 'maxItems', 'maxProperties', 'x-max-bytes', 'maximum', 'exclusiveMaximum'] as const;
const LOWER_LIMITS = ['minLength', 'minItems', 'minProperties', 'minimum', 'exclusiveMinimum'] as const;

interface Context {
  readonly document: { previous: Document; current: Document };
  readonly operationId: string | undefined;
  readonly found: BreakingChange[];
}

function report(context: Context, kind: BreakingChangeKind, path: string, message: string): void {
  context.found.push({ kind, ...(context.operationId === undefined ? {} : { operationId: context.operationId }), path, message });
}

/**
 * Where a schema sits: `base` locates its root (`POST /v4/... request`, `POST /v4/... query.random`), `field` the
 * node below it (`GroupName[]`, `GroupItem[].GroupId`, empty at the root), `root` names the root in messages.
 */
interface Place {
  readonly base: string;
  readonly field: string;
  readonly root: string;
}

function below(place: Place, step: string): Place {
  const field = step.startsWith('[') || step.startsWith('|') ? `${place.field}${step}` : place.field === '' ? step : `${place.field}.${step}`;
  return { ...place, field };
}

function compareSchemas(
  context: Context,
  direction: 'request' | 'response',
  previousSchema: Json | undefined,
  currentSchema: Json | undefined,
  place: Place,
  depth = 0,
): void {
  if (depth > 32) return;
  const previous = flatten(context.document.previous, previousSchema);
  const current = flatten(context.document.current, currentSchema);
  const path = place.field === '' ? place.base : `${place.base}.${place.field}`;
  const where = `${place.field === '' ? place.root : `${direction} field ${place.field}`}${context.operationId === undefined ? '' : ` of ${context.operationId}`}`;
  const add = (kind: BreakingChangeKind, message: string, at = path): void => report(context, kind, at, message);

  // Types. A request may accept more types than before, a response may return fewer.
  const lostTypes = direction === 'request' ? [...(previous.types ?? [])].filter((type) => !accepts(current.types, type)) : [];
  const requestNarrowedFromAny = direction === 'request' && previous.types === undefined && current.types !== undefined;
  const newTypes =
    direction === 'response' && previous.types !== undefined
      ? current.types === undefined
        ? ['any type']
        : [...current.types].filter((type) => !accepts(previous.types, type))
      : [];
  if (lostTypes.length > 0 || newTypes.length > 0 || requestNarrowedFromAny) {
    add(
      'type-changed',
      `${where} changed type from ${describeTypes(previous.types)} to ${describeTypes(current.types)}` +
        (direction === 'request' ? ': values callers send today are refused' : ': callers may read a type they do not handle'),
    );
    return;
  }

  // Enums (and const).
  const removedValues =
    previous.enumValues !== undefined && current.enumValues !== undefined
      ? previous.enumValues.filter((value) => !current.enumValues?.some((kept) => showValue(kept) === showValue(value)))
      : [];
  if (direction === 'request') {
    if (previous.enumValues === undefined && current.enumValues !== undefined) {
      add('request-enum-narrowed', `${where} is now restricted to ${current.enumValues.map(showValue).join(', ')}`);
    } else if (removedValues.length > 0) {
      add('request-enum-narrowed', `${where} no longer accepts ${removedValues.map(showValue).join(', ')}`);
    }
  } else {
    if (removedValues.length > 0) {
      add(
        'response-enum-value-removed',
        `${where} no longer has the value${removedValues.length > 1 ? 's' : ''} ${removedValues.map(showValue).join(', ')}: code that compares with it stops compiling`,
      );
    }
    // A response value callers have never seen: an exhaustive `switch` over the generated union (the `never` check
    // of its default branch) stops compiling, and code that handles every documented value meets one it does not.
    const addedValues =
      previous.enumValues !== undefined && current.enumValues !== undefined
        ? current.enumValues.filter((value) => !previous.enumValues?.some((known) => showValue(known) === showValue(value)))
        : [];
    if (previous.enumValues !== undefined && current.enumValues === undefined) {
      add(
        'response-enum-widened',
        `${where} is no longer restricted to ${previous.enumValues.map(showValue).join(', ')}: an exhaustive switch over it stops compiling`,
      );
    } else if (addedValues.length > 0) {
      add(
        'response-enum-widened',
        `${where} has the new value${addedValues.length > 1 ? 's' : ''} ${addedValues.map(showValue).join(', ')}: an exhaustive switch over it stops compiling`,
      );
    }
  }

  // Limits, on the request side only: an answer that gets shorter is no caller's problem.
  if (direction === 'request') {
    for (const keyword of UPPER_LIMITS) {
      const [before, after] = [previous.raw[keyword], current.raw[keyword]];
      if (typeof after === 'number' && (typeof before !== 'number' || after < before)) {
        add('request-limit-narrowed', `${where}: ${keyword} ${typeof before === 'number' ? `lowered from ${before} to` : 'added,'} ${after}`);
      }
    }
    for (const keyword of LOWER_LIMITS) {
      const [before, after] = [previous.raw[keyword], current.raw[keyword]];
      if (typeof after === 'number' && (typeof before !== 'number' || after > before)) {
        add('request-limit-narrowed', `${where}: ${keyword} ${typeof before === 'number' ? `raised from ${before} to` : 'added,'} ${after}`);
      }
    }
    const [beforePattern, afterPattern] = [previous.raw['pattern'], current.raw['pattern']];
    if (typeof afterPattern === 'string' && afterPattern !== beforePattern) {
      add('request-limit-narrowed', `${where}: pattern ${typeof beforePattern === 'string' ? `changed from ${beforePattern} to` : 'added,'} ${afterPattern}`);
    }
    if (current.raw['uniqueItems'] === true && previous.raw['uniqueItems'] !== true) {
      add('request-limit-narrowed', `${where}: items must now be unique`);
    }
    if (current.raw['additionalProperties'] === false && previous.raw['additionalProperties'] !== false) {
      add('request-limit-narrowed', `${where}: fields other than the documented ones are now refused`);
    }
  }

  // Object fields.
  for (const [name, before] of previous.properties) {
    const child = below(place, name);
    const childPath = `${place.base}.${child.field}`;
    const childWhere = `${direction} field ${child.field}${context.operationId === undefined ? '' : ` of ${context.operationId}`}`;
    const after = current.properties.get(name);
    if (after === undefined) {
      if (direction === 'request') add('request-field-removed', `${childWhere} was removed: callers that send it are refused, or their value is ignored`, childPath);
      else add('response-field-removed', `${childWhere} was removed: callers that read it get nothing`, childPath);
      continue;
    }
    if (direction === 'response' && previous.required.has(name) && !current.required.has(name)) {
      add('response-field-optional', `${childWhere} is no longer always present`, childPath);
    }
    compareSchemas(context, direction, before, after, child, depth + 1);
  }
  if (direction === 'request') {
    for (const name of current.required) {
      if (previous.required.has(name)) continue;
      const child = below(place, name);
      const childWhere = `request field ${child.field}${context.operationId === undefined ? '' : ` of ${context.operationId}`}`;
      add(
        'request-field-required',
        previous.properties.has(name)
          ? `${childWhere} became required: callers that leave it out are refused`
          : `${childWhere} is new and required: callers that do not send it are refused`,
        `${place.base}.${child.field}`,
      );
    }
  }

  if (direction === 'request') compareConditions(context, previous, current, place, depth);

  // Array items and variants.
  if (previous.items !== undefined && current.items !== undefined) {
    compareSchemas(context, direction, previous.items, current.items, below(place, '[]'), depth + 1);
  }
  const pairs = Math.min(previous.variants.length, current.variants.length);
  for (let index = 0; index < pairs; index += 1) {
    compareSchemas(context, direction, previous.variants[index], current.variants[index], below(place, `|${index + 1}`), depth + 1);
  }
  if (direction === 'request' && current.variants.length > 0 && current.variants.length < previous.variants.length) {
    add('type-changed', `${where} accepts ${previous.variants.length - current.variants.length} fewer variant(s) than before`);
  }
  // A response union with fewer members: code that handles the member that is gone compares with a value the
  // union no longer has, and stops compiling.
  if (direction === 'response' && current.variants.length > 0 && current.variants.length < previous.variants.length) {
    add(
      'response-variant-removed',
      `${where} is now one of ${current.variants.length} shapes instead of ${previous.variants.length}: code that handles the shapes that are gone stops compiling`,
    );
  }
  // A response union with more members: code that narrows it member by member (an exhaustive switch over the
  // discriminating field) meets a shape it does not handle and stops compiling.
  if (direction === 'response' && previous.variants.length > 0 && current.variants.length > previous.variants.length) {
    add(
      'response-variant-added',
      `${where} may now be one of ${current.variants.length} shapes instead of ${previous.variants.length}: code that handles each shape stops compiling`,
    );
  }
}

/** The values a schema pins a field to (`const` or `enum`), or undefined when it does not pin it. */
function pinnedValues(document: Document, schema: FlatSchema, field: string): string[] | undefined {
  const property = schema.properties.get(field);
  if (property === undefined) return undefined;
  return flatten(document, property).enumValues?.map(showValue);
}

/** `UpdateGroupType is 1 and Kind is "a" or "b"`: the fields an `if` pins, for messages. */
function describeCondition(document: Document, condition: FlatSchema): string {
  const parts = [...condition.properties.keys()].flatMap((field) => {
    const values = pinnedValues(document, condition, field);
    return values === undefined ? [] : [`${field} is ${values.join(' or ')}`];
  });
  return parts.length > 0 ? parts.join(' and ') : `its condition (${JSON.stringify(condition.raw)}) holds`;
}

/**
 * The fields every request in a branch of `condition` already had to send before: the fields required outright,
 * and those required by every variant (`oneOf`/`anyOf`) such a request could have matched. A branch no variant
 * could match was refused whole, so nothing in it is newly refused.
 */
function requiredBefore(document: Document, previous: FlatSchema, condition: FlatSchema, branch: 'then' | 'else'): (field: string) => boolean {
  if (previous.variants.length === 0) return (field) => previous.required.has(field);
  const fields = [...condition.properties.keys()].flatMap((field) => {
    const values = pinnedValues(document, condition, field);
    return values === undefined ? [] : [{ field, values }];
  });
  const relevant = previous.variants
    .map((variant) => flatten(document, variant))
    .filter((variant) => {
      const pinned = fields.map(({ field, values }) => ({ values, own: pinnedValues(document, variant, field) }));
      const inside = pinned.length > 0 && pinned.every(({ values, own }) => own !== undefined && own.every((value) => values.includes(value)));
      const outside = pinned.some(({ values, own }) => own !== undefined && own.every((value) => !values.includes(value)));
      return branch === 'then' ? !outside : !inside;
    });
  return (field) => previous.required.has(field) || relevant.every((variant) => variant.required.has(field));
}

/**
 * Rules that hold under a condition, on the request side: `dependentRequired` (a field required when another one is
 * sent) and `if`/`then`/`else`. A field required, or a field's rule tightened, under a condition where it was not
 * refuses requests callers send today; a condition dropped or loosened refuses nothing. A changed `if` is read as a
 * new condition: each rule of its branches is compared with what the request required before outright.
 */
function compareConditions(context: Context, previous: FlatSchema, current: FlatSchema, place: Place, depth: number): void {
  const { previous: before, current: after } = context.document;
  const requiredAt = (field: string, condition: string): void => {
    const child = below(place, field);
    report(
      context,
      'request-field-required',
      `${place.base}.${child.field}`,
      `request field ${child.field}${context.operationId === undefined ? '' : ` of ${context.operationId}`} is now required ${condition}: callers that leave it out are refused`,
    );
  };

  const dependents = (value: Json | undefined): Map<string, string[]> =>
    new Map(
      isJsonObject(value)
        ? Object.entries(value).map(([trigger, fields]) => [trigger, Array.isArray(fields) ? fields.filter((field): field is string => typeof field === 'string') : []])
        : [],
    );
  const previousDependents = dependents(previous.raw['dependentRequired']);
  for (const [trigger, fields] of dependents(current.raw['dependentRequired'])) {
    for (const field of fields) {
      if (!previous.required.has(field) && !previousDependents.get(trigger)?.includes(field)) requiredAt(field, `when ${trigger} is sent`);
    }
  }

  if (current.raw['if'] === undefined) return;
  const condition = flatten(after, current.raw['if']);
  const sameCondition = previous.raw['if'] !== undefined && JSON.stringify(contractOf(before, previous.raw['if'])) === JSON.stringify(contractOf(after, current.raw['if']));
  for (const branch of ['then', 'else'] as const) {
    if (current.raw[branch] === undefined) continue;
    const rules = flatten(after, current.raw[branch]);
    const earlier = sameCondition && previous.raw[branch] !== undefined ? flatten(before, previous.raw[branch]) : undefined;
    const wasRequired = requiredBefore(before, previous, condition, branch);
    const when = `${branch === 'then' ? 'when' : 'unless'} ${describeCondition(after, condition)}`;
    for (const field of rules.required) {
      if (!wasRequired(field) && !earlier?.required.has(field)) requiredAt(field, when);
    }
    // A branch's rule for a field adds to the field's own schema: compare the two together, the branch's keywords
    // first so that its limits are the ones read.
    const withBase = (rule: Json | undefined, base: Json | undefined): Json | undefined =>
      rule === undefined ? base : base === undefined ? rule : { allOf: [rule, base] };
    for (const [field, rule] of rules.properties) {
      const earlierRule = withBase(earlier?.properties.get(field), previous.properties.get(field));
      if (earlierRule !== undefined) compareSchemas(context, 'request', earlierRule, withBase(rule, current.properties.get(field)), below(place, field), depth + 1);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------------------------

interface OperationEntry {
  /** `POST /v4/...`: where the operation is called, which is what a caller's code names. */
  readonly key: string;
  readonly operationId: string;
  readonly operation: JsonObject;
  readonly pathItem: JsonObject;
}

function operationsOf(document: Document): OperationEntry[] {
  return listOperations(document as unknown as Pick<OpenApiDocument, 'paths'>).map(({ path, method, operation, pathItem }) => {
    const key = `${method.toUpperCase()} ${path}`;
    const operationId = typeof operation.operationId === 'string' ? operation.operationId : key;
    return { key, operationId, operation: operation as unknown as JsonObject, pathItem: pathItem as unknown as JsonObject };
  });
}

/** Path-level and operation-level parameters, by `in` and name (the operation's win), `$ref`s resolved. */
function parametersOf(document: Document, entry: OperationEntry): Map<string, JsonObject> {
  const parameters = new Map<string, JsonObject>();
  for (const list of [entry.pathItem['parameters'], entry.operation['parameters']]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const parameter = resolveReference(item, document);
      if (isJsonObject(parameter) && typeof parameter['name'] === 'string' && typeof parameter['in'] === 'string') {
        parameters.set(`${parameter['in']}.${parameter['name']}`, parameter);
      }
    }
  }
  return parameters;
}

function jsonMedia(document: Document, holder: Json | undefined): { schema: Json | undefined; present: boolean; required: boolean } {
  const resolved = resolveReference(holder, document);
  if (!isJsonObject(resolved)) return { schema: undefined, present: false, required: false };
  const content = isJsonObject(resolved['content']) ? resolved['content'] : {};
  const media = content['application/json'] ?? Object.values(content)[0];
  return { schema: isJsonObject(media) ? media['schema'] : undefined, present: true, required: resolved['required'] === true };
}

function errorCodesOf(operation: JsonObject): number[] {
  const codes = operation['x-error-codes'];
  return Array.isArray(codes) ? codes.filter((code): code is number => typeof code === 'number') : [];
}

function compareOperations(context: Context, previous: OperationEntry, current: OperationEntry): void {
  const label = `${previous.key}`;
  const { previous: before, current: after } = context.document;

  const previousParameters = parametersOf(before, previous);
  const currentParameters = parametersOf(after, current);
  for (const [key, parameter] of previousParameters) {
    const [location, name] = [String(parameter['in']), String(parameter['name'])];
    const next = currentParameters.get(key);
    if (next === undefined) {
      report(context, 'parameter-removed', `${label} ${key}`, `${location} parameter ${name} of ${context.operationId} was removed`);
      continue;
    }
    if (parameter['required'] !== true && next['required'] === true) {
      report(context, 'parameter-required', `${label} ${key}`, `${location} parameter ${name} of ${context.operationId} became required`);
    }
    compareSchemas(context, 'request', parameter['schema'], next['schema'], { base: `${label} ${key}`, field: '', root: `${location} parameter ${name}` });
  }
  for (const [key, parameter] of currentParameters) {
    if (!previousParameters.has(key) && parameter['required'] === true) {
      report(
        context,
        'parameter-required',
        `${label} ${key}`,
        `${String(parameter['in'])} parameter ${String(parameter['name'])} of ${context.operationId} is new and required`,
      );
    }
  }

  const previousBody = jsonMedia(before, previous.operation['requestBody']);
  const currentBody = jsonMedia(after, current.operation['requestBody']);
  if (previousBody.present && !currentBody.present) {
    report(context, 'request-field-removed', `${label} request`, `the request body of ${context.operationId} was removed`);
  } else if (currentBody.present && currentBody.required && !(previousBody.present && previousBody.required)) {
    report(context, 'request-field-required', `${label} request`, `a request body is now required by ${context.operationId}`);
  }
  if (previousBody.present && currentBody.present) {
    compareSchemas(context, 'request', previousBody.schema, currentBody.schema, { base: `${label} request`, field: '', root: 'the request body' });
  }

  const previousResponses = isJsonObject(previous.operation['responses']) ? previous.operation['responses'] : {};
  const currentResponses = isJsonObject(current.operation['responses']) ? current.operation['responses'] : {};
  for (const [status, response] of Object.entries(previousResponses)) {
    const previousMedia = jsonMedia(before, response);
    const currentMedia = jsonMedia(after, currentResponses[status]);
    if (previousMedia.schema === undefined || currentMedia.schema === undefined) continue;
    compareSchemas(context, 'response', previousMedia.schema, currentMedia.schema, { base: `${label} response ${status}`, field: '', root: `the response ${status} body` });
  }

  const kept = new Set(errorCodesOf(current.operation));
  for (const code of errorCodesOf(previous.operation)) {
    if (!kept.has(code)) {
      report(
        context,
        'error-code-removed',
        `${label} x-error-codes`,
        `error code ${code} is no longer documented for ${context.operationId}: code that tests for it stops compiling`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------------------------

function catalogueCodes(document: Document): number[] {
  const components = isJsonObject(document['components']) ? document['components'] : {};
  const catalogue = components['x-error-codes'];
  return Array.isArray(catalogue) ? catalogue.flatMap((entry) => (isJsonObject(entry) && typeof entry['code'] === 'number' ? [entry['code']] : [])) : [];
}

function regionNames(document: Document): string[] {
  const servers = Array.isArray(document['servers']) ? document['servers'] : [];
  return servers.flatMap((server) => {
    if (!isJsonObject(server)) return [];
    const name = server['x-region'] ?? server['url'];
    return typeof name === 'string' ? [name] : [];
  });
}

/** Every change from `previous` to `current` that breaks a caller of `previous`. Pure: reads its arguments only. */
export function findBreakingChanges(previous: Document, current: Document): BreakingChange[] {
  const found: BreakingChange[] = [];
  const document = { previous, current };
  const currentByKey = new Map(operationsOf(current).map((entry) => [entry.key, entry]));
  const currentById = new Map(operationsOf(current).map((entry) => [entry.operationId, entry]));

  for (const entry of operationsOf(previous)) {
    const context: Context = { document, operationId: entry.operationId, found };
    const atSamePlace = currentByKey.get(entry.key);
    if (atSamePlace) {
      if (atSamePlace.operationId !== entry.operationId) {
        report(
          context,
          'operation-id-renamed',
          entry.key,
          `the operationId of ${entry.key} changed from ${entry.operationId} to ${atSamePlace.operationId}: the client method and the generated types named ${entry.operationId} are gone`,
        );
      }
      compareOperations(context, entry, atSamePlace);
      continue;
    }
    const moved = currentById.get(entry.operationId);
    report(
      context,
      'operation-removed',
      entry.key,
      moved
        ? `${entry.key} (${entry.operationId}) was removed; ${entry.operationId} is now ${moved.key}, so callers of the old path fail`
        : `the operation ${entry.operationId} (${entry.key}) was removed`,
    );
    if (moved) compareOperations(context, entry, moved);
  }

  const context: Context = { document, operationId: undefined, found };
  const keptCodes = new Set(catalogueCodes(current));
  for (const code of catalogueCodes(previous)) {
    if (!keptCodes.has(code)) {
      report(context, 'error-code-removed', 'components.x-error-codes', `error code ${code} was removed from the error-code catalogue`);
    }
  }
  const keptRegions = new Set(regionNames(current));
  for (const region of regionNames(previous)) {
    if (!keptRegions.has(region)) {
      report(context, 'region-removed', `servers.${region}`, `the region ${region} was removed: clients created with region '${region}' stop compiling`);
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Releases and the changelog
// ---------------------------------------------------------------------------------------------------------------

/** Keys that only word the documentation: rewording the docs changes no contract. */
const PROSE_KEYS = new Set(['description', 'summary', 'example', 'examples', 'x-codeSamples', 'tags', 'externalDocs', 'title']);

/** The contract of an operation, `$ref`s inlined, without its prose and examples. */
function contractOf(document: Document, value: Json): Json {
  return withoutKeys(dereference(value, document), PROSE_KEYS);
}

export interface OperationChanges {
  readonly added: string[];
  readonly removed: string[];
  readonly changed: string[];
}

/** The operations a changelog entry must name: added, removed, and those whose contract changed. */
export function diffOperations(previous: Document | undefined, current: Document): OperationChanges {
  const before = new Map((previous ? operationsOf(previous) : []).map((entry) => [entry.operationId, entry]));
  const after = new Map(operationsOf(current).map((entry) => [entry.operationId, entry]));
  const signature = (document: Document, entry: OperationEntry): string =>
    JSON.stringify([entry.key, contractOf(document, entry.operation), [...parametersOf(document, entry).values()].map((p) => contractOf(document, p))]);
  return {
    added: [...after.keys()].filter((id) => !before.has(id)),
    removed: [...before.keys()].filter((id) => !after.has(id)),
    changed: [...after.entries()]
      .filter(([id, entry]) => {
        const old = before.get(id);
        return previous !== undefined && old !== undefined && signature(previous, old) !== signature(current, entry);
      })
      .map(([id]) => id),
  };
}

/** Compares `a.b.c` versions numerically. */
export function compareVersions(a: string, b: string): number {
  const parse = (version: string): number[] => version.split(/[.-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parse(a), parse(b)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export interface Release {
  readonly version: string;
  readonly path: string;
  readonly document: Document;
}

/** Every stored release, oldest first. */
export async function readReleases(dir = releasesDir): Promise<Release[]> {
  const versions = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory() && /^\d+\.\d+\.\d+/.test(entry.name))
    .map((entry) => entry.name)
    .sort(compareVersions);
  return Promise.all(
    versions.map(async (version) => {
      const path = join(dir, version, 'openapi.json');
      return { version, path, document: JSON.parse(await readFile(path, 'utf8')) as Document };
    }),
  );
}

export function documentVersion(document: Document): string {
  const info = isJsonObject(document['info']) ? document['info'] : {};
  return typeof info['version'] === 'string' ? info['version'] : '0.0.0';
}

/** Semver lets a new major version break callers; anything else must not. */
export function breakingAllowed(previousVersion: string, currentVersion: string): boolean {
  const major = (version: string): number => Number.parseInt(version.split('.')[0] ?? '0', 10);
  return major(currentVersion) > major(previousVersion);
}

/** The text under `## [version]` in a Keep-a-Changelog file, or undefined when there is no such entry. */
export function changelogEntry(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`## [${version}]`));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------

function formatFindings(findings: readonly BreakingChange[]): string {
  return findings.map((finding) => `  - [${finding.kind}] ${finding.path}: ${finding.message}`).join('\n');
}

function formatChanges(changes: OperationChanges): string {
  const lines = [
    ...changes.added.map((id) => `  - added: ${id}`),
    ...changes.changed.map((id) => `  - changed: ${id}`),
    ...changes.removed.map((id) => `  - removed: ${id}`),
  ];
  return lines.length > 0 ? lines.join('\n') : '  (no operation added, changed or removed)';
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { against: { type: 'string' }, current: { type: 'string' }, record: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('npx tsx scripts/release/breaking-changes.ts [--against FILE] [--current FILE] [--record]\n');
    return 0;
  }
  const currentPath = values.current ?? currentDocumentPath;
  const current = JSON.parse(await readFile(currentPath, 'utf8')) as Document;
  const version = documentVersion(current);
  const releases = await readReleases();

  if (values.record) {
    const target = join(releasesDir, version, 'openapi.json');
    const existing = await readFile(target, 'utf8').catch(() => undefined);
    if (existing !== undefined && existing !== (await readFile(currentPath, 'utf8'))) {
      process.stderr.write(`releases/${version} exists with another document: a released version is never changed; bump info.version\n`);
      return 1;
    }
    const previous = releases.filter((release) => compareVersions(release.version, version) < 0).at(-1);
    const findings = previous ? findBreakingChanges(previous.document, current) : [];
    if (previous && findings.length > 0 && !breakingAllowed(previous.version, version)) {
      process.stderr.write(`not recorded: breaking changes since ${previous.version} need a new major version:\n${formatFindings(findings)}\n`);
      return 1;
    }
    await mkdir(dirname(target), { recursive: true });
    await copyFile(currentPath, target);
    process.stdout.write(
      `stored ${relative(REPO_ROOT, currentPath)} as releases/${version}/openapi.json\nAdd to CHANGELOG.md under "## [${version}]" the operations:\n${formatChanges(diffOperations(previous?.document, current))}\n` +
        (findings.length > 0 ? `and the breaking changes:\n${formatFindings(findings)}\n` : ''),
    );
    return 0;
  }

  const against = values.against
    ? { version: '(given)', path: values.against, document: JSON.parse(await readFile(values.against, 'utf8')) as Document }
    : releases.at(-1);
  if (!against) {
    process.stderr.write(`no release stored under ${releasesDir}: nothing to compare with\n`);
    return 1;
  }
  const findings = findBreakingChanges(against.document, current);
  const changes = diffOperations(against.document, current);
  process.stdout.write(`${relative(REPO_ROOT, currentPath)} (${version}) against ${relative(REPO_ROOT, against.path)}:\n${formatChanges(changes)}\n`);
  if (findings.length === 0) {
    process.stdout.write('no breaking change\n');
    return 0;
  }
  const allowed = values.against === undefined && breakingAllowed(against.version, version);
  process.stdout.write(
    `${findings.length} breaking change${findings.length === 1 ? '' : 's'}${allowed ? ` (accepted: major version ${version} > ${against.version})` : ''}:\n${formatFindings(findings)}\n`,
  );
  return allowed ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
