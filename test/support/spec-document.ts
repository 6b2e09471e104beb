/**
 * The bundled document as the tests read it: its operations and their named examples, with `$ref`s resolved. Tests
 * take their samples from here so that a new example in openapi/ is tested without a change to any test.
 */
import { readFileSync } from 'node:fs';
import type { OperationId } from '../../generated/operations.js';

export interface Example {
  readonly summary?: string;
  readonly value?: unknown;
  readonly $ref?: string;
}

export interface MediaType {
  readonly schema: { readonly $ref: string };
  readonly examples?: Readonly<Record<string, Example>>;
}

export interface SpecOperation {
  readonly operationId: OperationId;
  readonly tags: readonly string[];
  readonly 'x-vendor-command': string;
  readonly 'x-vendor-page': string;
  readonly 'x-rate-limit': { readonly calls: number; readonly perSeconds: number };
  readonly 'x-bad-request-error-code': number;
  readonly 'x-error-codes': readonly number[];
  readonly requestBody: { readonly content: { readonly 'application/json': MediaType } };
  readonly responses: Readonly<Record<string, { readonly content?: { readonly 'application/json': MediaType } }>>;
  readonly [extension: string]: unknown;
}

export interface SpecDocument {
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, { readonly post: SpecOperation }>>;
  readonly components: {
    readonly examples: Readonly<Record<string, Example>>;
    readonly schemas: Readonly<Record<string, unknown>>;
  };
}

export const specUrl = new URL('../../generated/openapi.json', import.meta.url);
export const doc = JSON.parse(readFileSync(specUrl, 'utf8')) as SpecDocument;

export function resolveExample(example: Example): unknown {
  if (example.$ref === undefined) return example.value;
  const target = doc.components.examples[example.$ref.replace('#/components/examples/', '')];
  if (target === undefined) throw new Error(`unresolved example ${example.$ref}`);
  return resolveExample(target);
}

/** A named component example's value. */
export function namedExample(name: string): unknown {
  const example = doc.components.examples[name];
  if (example === undefined) throw new Error(`no example ${name}`);
  return resolveExample(example);
}

export function specOperation(operationId: OperationId): SpecOperation {
  const found = Object.values(doc.paths).find((item) => item.post.operationId === operationId);
  if (found === undefined) throw new Error(`the document has no operation ${operationId}`);
  return found.post;
}

/** The request examples of an operation by name, in document order (`vendor-sample` first). */
export function requestExamples(operationId: OperationId): [string, unknown][] {
  const examples = specOperation(operationId).requestBody.content['application/json'].examples ?? {};
  return Object.entries(examples).map(([name, example]) => [name, resolveExample(example)]);
}

/** The HTTP 200 examples of an operation by name, in document order. */
export function responseExamples(operationId: OperationId): [string, { readonly ErrorCode: number } & Record<string, unknown>][] {
  const examples = specOperation(operationId).responses['200']?.content?.['application/json'].examples ?? {};
  return Object.entries(examples).map(([name, example]) => [name, resolveExample(example) as { ErrorCode: number }]);
}

/** The first request example of an operation (its `vendor-sample`). */
export function vendorSample(operationId: OperationId): unknown {
  const [first] = requestExamples(operationId);
  if (first === undefined) throw new Error(`${operationId} has no request example`);
  return first[1];
}
