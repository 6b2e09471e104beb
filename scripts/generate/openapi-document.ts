/** The parts of a bundled OpenAPI 3.1 document, and of this project's `x-` extensions, that the scripts read. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface ErrorCodeEntry {
  code: number;
  scope: 'operation' | 'public';
  meaning: string;
  retryable: boolean;
  strategy: 'none' | 'backoff' | 'rate-limit-backoff' | 're-sign-once' | 'wait-60s';
  appWide: boolean;
  source: string;
  hint?: ErrorHint;
}

/** The likely cause of a set-up error, as templates with {placeholders} the client fills from its set-up. */
export interface ErrorHint {
  text: string;
  provider?: string;
  afterReSign?: string;
  afterReSignProvider?: string;
}

/** The placeholders a hint may use; the client fills each from its own set-up (never a secret). */
export const hintPlaceholders = ['identifier', 'sdkAppId', 'credential', 'where'] as const;

/** Where a rule comes from: vendor pages (ids of `components.x-vendor-pages`) and/or this project's reasoning. */
export interface RuleSource {
  vendor?: string[];
  inferred?: string;
  /** On an operation's `x-source.x-error-codes`: the source of each code, by code. */
  perCode?: Record<string, RuleSource>;
}

/** `x-source` of an object: the rule (a keyword or x- extension of that object) -> where it comes from. */
export type SourceMap = Record<string, RuleSource>;

export interface VendorPage {
  url: string;
  title: string;
  revised: string;
  language: string;
}

/**
 * An answer that an earlier success of the same request would explain, e.g. "no such group" to a repeated delete.
 * `requestMatches` (JSON Pointer -> value) limits it to requests of one kind, e.g. a rename.
 */
export interface AlreadyDoneAnswer {
  code: number;
  effect: string;
  requestMatches?: Record<string, JsonValue>;
  'x-source': SourceMap;
}

export interface ServerEntry {
  url: string;
  description: string;
  'x-region': string;
  /** Present only when a vendor page lists it (see `x-source`). */
  'x-backup-url'?: string;
  'x-note'?: string;
  'x-source'?: SourceMap;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  'x-vendor-command': string;
  'x-rate-limit': { calls: number; perSeconds: number };
  'x-error-codes': number[];
  'x-bad-request-error-code': number;
  'x-already-done-answers'?: AlreadyDoneAnswer[];
  'x-source'?: SourceMap;
  requestBody?: { content: { 'application/json': { schema: JsonObject; examples?: Record<string, JsonObject> } } };
  responses: Record<string, JsonObject>;
  [key: string]: unknown;
}

export interface PathItemObject {
  parameters?: JsonObject[];
  post?: OperationObject;
  [key: string]: unknown;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string; [key: string]: unknown };
  servers: ServerEntry[];
  paths: Record<string, PathItemObject>;
  /** This document's rules for every request body (nesting depth, undeclared fields). */
  'x-request-limits'?: { maxNestingDepth: number; unknownFields: 'ignored'; [key: string]: unknown };
  components: {
    schemas?: Record<string, JsonObject>;
    'x-error-codes': ErrorCodeEntry[];
    'x-vendor-pages'?: Record<string, VendorPage>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The HTTP methods a path item may hold an operation under, in the order OpenAPI lists them. */
export const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof httpMethods)[number];

export interface OperationRef {
  path: string;
  method: HttpMethod;
  operation: OperationObject;
  /** The path item that holds the operation (its `$ref` followed): where path-level `parameters` live. */
  pathItem: PathItemObject;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` without the object keys in `keys`, at any depth (prose keys, for a comparison or a table that ignores them). */
export function withoutKeys(value: JsonValue, keys: ReadonlySet<string>): JsonValue {
  if (Array.isArray(value)) return value.map((item) => withoutKeys(item, keys));
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (keys.has(key) ? [] : [[key, withoutKeys(item, keys)]])));
}

/**
 * Every operation of the document, in path order, then in method order. The vendor's API is POST-only; other
 * methods are listed too so that a document compared with ours (a release, a hand-edited copy) is read whole.
 */
export function listOperations(document: Pick<OpenApiDocument, 'paths'>): OperationRef[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) => {
    const pathItem = resolveReference(item as unknown as JsonValue, document);
    if (!isJsonObject(pathItem)) return [];
    return httpMethods.flatMap((method) => {
      const operation = pathItem[method];
      return isJsonObject(operation)
        ? [{ path, method, operation: operation as unknown as OperationObject, pathItem: pathItem as unknown as PathItemObject }]
        : [];
    });
  });
}

/**
 * The node with its own `$ref` chain followed, the refs below it left as they are (`dereference` inlines them all).
 * OpenAPI 3.1 lets a `$ref` carry sibling keywords (description, ...): they override the target's.
 */
export function resolveReference(value: JsonValue | undefined, document: object, seen: string[] = []): JsonValue | undefined {
  if (!isJsonObject(value) || typeof value['$ref'] !== 'string') return value;
  const ref = value['$ref'];
  if (seen.includes(ref)) throw new Error(`recursive $ref ${ref} cannot be followed`);
  const { $ref: _ref, ...siblings } = value;
  const target = resolveReference(resolvePointer(document, ref), document, [...seen, ref]);
  return isJsonObject(target) ? { ...target, ...siblings } : target;
}

/** The vendor page ids `source` names; throws when one is not registered in `components.x-vendor-pages`. */
export function vendorPagesOf(document: OpenApiDocument, source: RuleSource | undefined, where: string): string[] {
  const pages = source?.vendor ?? [];
  const registered = document.components['x-vendor-pages'] ?? {};
  const unknown = pages.filter((id) => !Object.hasOwn(registered, id));
  if (unknown.length > 0) throw new Error(`${where} cites vendor pages absent from components.x-vendor-pages: ${unknown.join(', ')}`);
  return pages;
}

/** Replaces local `$ref`s (`#/components/...`) by what they point at, so a schema can be read on its own. */
export function dereference(value: JsonValue, document: object, seen: string[] = []): JsonValue {
  if (Array.isArray(value)) return value.map((item) => dereference(item, document, seen));
  if (value === null || typeof value !== 'object') return value;
  const ref = value['$ref'];
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`recursive $ref ${ref} cannot be inlined`);
    const { $ref: _ref, ...siblings } = value;
    const target = resolvePointer(document, ref);
    const resolved = dereference(target, document, [...seen, ref]);
    // OpenAPI 3.1 lets a $ref carry sibling keywords (description, ...): they override the target's.
    return typeof resolved === 'object' && resolved !== null && !Array.isArray(resolved)
      ? { ...resolved, ...(dereference(siblings, document, seen) as JsonObject) }
      : resolved;
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, dereference(item, document, seen)]));
}

function resolvePointer(document: object, ref: string): JsonValue {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are expected in a bundled document, got ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as Record<string, unknown> | undefined)?.[key];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return node as JsonValue;
}
