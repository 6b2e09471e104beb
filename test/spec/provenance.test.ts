/**
 * Every rule of the bundled document says where it comes from (openapi/README.md, "Provenance"): a limit, an enum, a
 * const, a required list, an operation's extension, an error code (per operation and in the catalogue) or an example
 * without an `x-source`, or citing a page absent from `components.x-vendor-pages`, fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkRules,
  checkSource,
  operationNamingKeys,
  schemaRuleKeywords,
  walkSchemas,
  type SourceProblem,
  type VendorPage,
} from '../support/provenance.js';
import { handlers } from '../../src/sandbox/operations/index.js';
import { specUrl } from '../support/spec-document.js';

type Json = { readonly [key: string]: unknown };

const bundled = JSON.parse(readFileSync(specUrl, 'utf8')) as {
  servers?: Json[];
  paths: Record<string, Record<string, Json>>;
  components: Json & {
    schemas: Record<string, Json>;
    examples: Record<string, Json>;
    parameters?: Record<string, Json>;
    'x-error-codes': Json[];
    'x-vendor-pages': Record<string, VendorPage>;
  };
};
const pages = bundled.components['x-vendor-pages'];
const format = (problems: SourceProblem[]): string[] => problems.map(({ where, problem }) => `${where}: ${problem}`);

function schemaProblems(schema: unknown, where: string): SourceProblem[] {
  return [...walkSchemas(schema, where)].flatMap(([node, at]) => checkRules(node, schemaRuleKeywords, at, pages));
}

function operations(): [string, Json][] {
  return Object.entries(bundled.paths).flatMap(([path, item]) => (item['post'] ? [[path, item['post']] as [string, Json]] : []));
}

describe('the registry of vendor pages', () => {
  it('gives every page a url, a title, a language and a YYYY-MM-DD revision that its id ends with', () => {
    expect(Object.keys(pages).length).toBeGreaterThan(0);
    const problems = Object.entries(pages).flatMap(([id, page]) => {
      const found: string[] = [];
      if (typeof page.url !== 'string' || !/^https:\/\//.test(page.url)) found.push(`${id}: url must be an https address`);
      if (typeof page.title !== 'string' || page.title === '') found.push(`${id}: title is missing`);
      if (typeof page.language !== 'string' || page.language === '') found.push(`${id}: language is missing`);
      const revised = typeof page.revised === 'string' ? page.revised : '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(revised)) found.push(`${id}: revised must be YYYY-MM-DD`);
      if (!/^(intl|cn)-\d+-\d{4}-\d{2}-\d{2}$/.test(id) || !id.endsWith(`-${revised}`)) {
        found.push(`${id}: the id must be <site>-<page>-<revised>`);
      }
      if (typeof page.url === 'string' && !page.url.includes(id.split('-')[1] ?? '?')) found.push(`${id}: the url is not of page ${id.split('-')[1]}`);
      return found;
    });
    expect(problems).toEqual([]);
  });

  it('is cited: every page of the registry is the source of at least one rule', () => {
    const text = JSON.stringify({ ...bundled, components: { ...bundled.components, 'x-vendor-pages': {} } });
    const unused = Object.keys(pages).filter((id) => !text.includes(`"${id}"`));
    expect(unused).toEqual([]);
  });
});

describe('the sources of the rules', () => {
  it('cover every limit, enum, const and required list of every component schema', () => {
    const problems = Object.entries(bundled.components.schemas).flatMap(([name, schema]) => schemaProblems(schema, name));
    expect(format(problems)).toEqual([]);
  });

  it('cover every rule of the signing parameters', () => {
    const parameters = Object.entries(bundled.components.parameters ?? {});
    const inline = Object.entries(bundled.paths).flatMap(([path, item]) =>
      ((item['parameters'] as Json[] | undefined) ?? []).filter((p) => p['$ref'] === undefined).map((p) => [`${path} ${String(p['name'])}`, p] as const),
    );
    const problems = [...parameters, ...inline].flatMap(([name, parameter]) => schemaProblems(parameter['schema'], `parameter ${name}`));
    expect(format(problems)).toEqual([]);
  });

  it('cover every rule an operation states in an x- extension, and every schema written inside an operation', () => {
    const problems = operations().flatMap(([path, operation]) => {
      const rules = Object.keys(operation).filter((key) => key.startsWith('x-') && !operationNamingKeys.has(key));
      const own = checkRules(operation, rules, path, pages);
      const media = [operation['requestBody'], ...Object.values((operation['responses'] as Json | undefined) ?? {})].flatMap((part) =>
        Object.values(((part as Json | undefined)?.['content'] as Json | undefined) ?? {}),
      );
      const inlineSchemas = media.flatMap((type) => schemaProblems((type as Json)['schema'], `${path} body`));
      return [...own, ...inlineSchemas];
    });
    expect(format(problems)).toEqual([]);
  });

  it('give each error code of each operation its own source, so the docs can say which page lists it', () => {
    const problems = operations().flatMap(([path, operation]) => {
      const codes = (operation['x-error-codes'] as number[] | undefined) ?? [];
      const perCode = ((operation['x-source'] as Json | undefined)?.['x-error-codes'] as Json | undefined)?.['perCode'];
      if (typeof perCode !== 'object' || perCode === null) return [{ where: `${path} x-error-codes`, problem: 'has no perCode sources' }];
      const byCode = perCode as Json;
      const extra = Object.keys(byCode).filter((code) => !codes.includes(Number(code)));
      return [
        ...codes.flatMap((code) => checkSource(byCode[String(code)], `${path} x-error-codes ${code}`, pages)),
        ...extra.map((code) => ({ where: `${path} x-error-codes`, problem: `has a source for ${code}, which it does not list` })),
      ];
    });
    expect(format(problems)).toEqual([]);
  });

  it('cover every entry of the error-code catalogue', () => {
    const problems = bundled.components['x-error-codes'].flatMap((entry) =>
      checkSource((entry['x-source'] as Json | undefined)?.['value'], `catalogue ${String(entry['code'])}`, pages),
    );
    expect(format(problems)).toEqual([]);
  });

  it('cover every named example', () => {
    const problems = Object.entries(bundled.components.examples).flatMap(([name, example]) =>
      checkSource((example['x-source'] as Json | undefined)?.['value'], `example ${name}`, pages),
    );
    expect(format(problems)).toEqual([]);
  });

  it('name only registered pages wherever else an x-source appears (servers, the root, extensions)', () => {
    const problems: SourceProblem[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${where}[${index}]`));
      else if (typeof value === 'object' && value !== null) {
        for (const [key, item] of Object.entries(value)) {
          if (key === 'x-source' && typeof item === 'object' && item !== null) {
            for (const [rule, source] of Object.entries(item)) {
              const { perCode, ...rest } = source as Json;
              if (Object.keys(rest).length > 0 || perCode === undefined) problems.push(...checkSource(rest, `${where} ${rule}`, pages));
              if (perCode !== undefined) {
                for (const [code, codeSource] of Object.entries(perCode as Json)) problems.push(...checkSource(codeSource, `${where} ${rule} ${code}`, pages));
              }
            }
          } else visit(item, `${where}/${key}`);
        }
      }
    };
    visit(bundled, '');
    expect(format(problems)).toEqual([]);
  });

  it('fails a rule without a source and a source naming an unknown page (the checker itself)', () => {
    expect(format(schemaProblems({ type: 'string', maxLength: 3 }, 'S'))).toEqual(['S maxLength: has no source']);
    expect(format(schemaProblems({ type: 'string', maxLength: 3, 'x-source': { maxLength: { vendor: ['cn-1-2000-01-01'] } } }, 'S'))).toEqual([
      'S maxLength: names the page "cn-1-2000-01-01", absent from x-vendor-pages',
    ]);
    expect(schemaProblems({ type: 'object', required: ['a'], 'x-source': { required: { inferred: 'nothing else names it' } } }, 'S')).toEqual([]);
  });
});

/** Words that announce this document's own inference in a description; the object must then carry an inferred source. */
const inferencePhrase = /\b(our inference|our choice|we choose)\b/i;

describe('descriptions that announce an inference', () => {
  it('sit on objects whose x-source marks at least one rule as inferred', () => {
    const problems: string[] = [];
    const visit = (value: unknown, where: string): void => {
      if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${where}[${index}]`));
      else if (typeof value === 'object' && value !== null) {
        const node = value as Json;
        if (typeof node['description'] === 'string' && inferencePhrase.test(node['description'])) {
          const sources = Object.values((node['x-source'] as Json | undefined) ?? {}) as Json[];
          if (!sources.some((source) => typeof source['inferred'] === 'string')) problems.push(where);
        }
        for (const [key, item] of Object.entries(node)) if (key !== 'x-source') visit(item, `${where}/${key}`);
      }
    };
    visit({ paths: bundled.paths, components: bundled.components }, '');
    expect(problems).toEqual([]);
  });
});

describe("the sandbox follows the document's recorded choices", () => {
  it('refuses before the handler (51013) exactly the operations whose x-edition is "groups"', () => {
    const fromDocument = Object.fromEntries(operations().map(([, operation]) => [operation['operationId'], operation['x-edition'] === 'groups']));
    const fromSandbox = Object.fromEntries(Object.values(handlers).map((handler) => [handler.operationId, handler.needsConversationGroups]));
    expect(fromSandbox).toEqual(fromDocument);
  });

  it('gives every operation an x-edition the sandbox knows (groups, standard-marks, none)', () => {
    const editions = operations().map(([, operation]) => operation['x-edition']);
    expect(editions.filter((edition) => !['groups', 'standard-marks', 'none'].includes(String(edition)))).toEqual([]);
  });
});
