/**
 * Reads the provenance convention of the document (openapi/README.md, "Provenance"): the registry of vendor pages in
 * `components.x-vendor-pages` and the `x-source` maps on the objects that carry rules. The provenance test walks the
 * bundled document with these helpers; they only read, never judge.
 */

export interface VendorPage {
  readonly url?: unknown;
  readonly title?: unknown;
  readonly revised?: unknown;
  readonly language?: unknown;
  readonly dated?: unknown;
}

/** `{ vendor: [page id, ...] }` and/or `{ inferred: reason }`. */
export interface RuleSource {
  readonly vendor?: unknown;
  readonly inferred?: unknown;
  readonly perCode?: unknown;
}

type Json = { readonly [key: string]: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keywords that state a rule of a schema or a parameter schema; each needs an `x-source` entry where it appears. */
export const schemaRuleKeywords = [
  'maxLength', 'minLength', 'x-max-bytes', 'x-min-bytes', 'minimum', 'maximum', 'enum', 'const', 'required', 'minItems',
  'maxItems', 'pattern', 'x-max-bytes-error-code', 'x-keyword-error-codes', 'additionalProperties', 'x-empty-clears',
  'x-sdk-value', 'x-bit-order', 'x-set-and-cleared-error-code',
] as const;

/** Operation extensions that only name or describe (not rules); every other `x-` key of an operation is a rule. */
export const operationNamingKeys: ReadonlySet<string> = new Set(['x-vendor-command', 'x-vendor-page', 'x-source', 'x-codeSamples']);

export interface SourceProblem {
  readonly where: string;
  readonly problem: string;
}

/** Problems of one source value (`where` names the object and the rule). */
export function checkSource(source: unknown, where: string, pages: Readonly<Record<string, VendorPage>>): SourceProblem[] {
  if (!isObject(source)) return [{ where, problem: 'has no source' }];
  const problems: SourceProblem[] = [];
  const { vendor, inferred } = source;
  if (vendor === undefined && inferred === undefined) problems.push({ where, problem: 'names neither vendor pages nor an inference' });
  if (vendor !== undefined) {
    if (!Array.isArray(vendor) || vendor.length === 0) problems.push({ where, problem: '`vendor` must be a non-empty list of page ids' });
    else {
      for (const id of vendor) {
        if (typeof id !== 'string' || !(id in pages)) problems.push({ where, problem: `names the page ${JSON.stringify(id)}, absent from x-vendor-pages` });
      }
    }
  }
  if (inferred !== undefined && (typeof inferred !== 'string' || inferred.trim().length < 10)) {
    problems.push({ where, problem: '`inferred` must give the reason in words' });
  }
  return problems;
}

/** Problems of every rule keyword of `node` that its `x-source` does not cover, and of the entries it has. */
export function checkRules(node: Json, rules: readonly string[], where: string, pages: Readonly<Record<string, VendorPage>>): SourceProblem[] {
  const sources = node['x-source'];
  const problems: SourceProblem[] = [];
  if (sources !== undefined && !isObject(sources)) return [{ where, problem: 'x-source must map rules to sources' }];
  for (const rule of rules) {
    if (!(rule in node)) continue;
    // additionalProperties: true states no rule.
    if (rule === 'additionalProperties' && node[rule] !== false) continue;
    problems.push(...checkSource(sources?.[rule], `${where} ${rule}`, pages));
  }
  for (const rule of Object.keys(sources ?? {})) {
    if (!rules.includes(rule) || !(rule in node)) {
      problems.push({ where: `${where} x-source`, problem: `names ${JSON.stringify(rule)}, which is no rule of the object` });
    }
  }
  return problems;
}

/** Every schema object under `value`, with a readable location, descending through subschemas (not examples). */
export function* walkSchemas(value: unknown, where: string): Generator<[Json, string]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* walkSchemas(item, `${where}[${index}]`);
    return;
  }
  if (!isObject(value)) return;
  yield [value, where];
  for (const [key, item] of Object.entries(value)) {
    // Values of keywords and extensions are no schemas.
    if (key === 'example' || key === 'examples' || key === 'enum' || key === 'const' || key.startsWith('x-')) continue;
    if (key === 'properties' && isObject(item)) {
      for (const [name, property] of Object.entries(item)) yield* walkSchemas(property, `${where}.${name}`);
    } else if (typeof item === 'object') yield* walkSchemas(item, `${where}/${key}`);
  }
}
