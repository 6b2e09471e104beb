/**
 * Compiles small TypeScript modules in memory, with the compiler options callers of the package use (strict,
 * `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`), and the modules generated/ would hold for a document.
 * The standard library (ES5: generated types and small callers need no later API) is parsed once and shared by every
 * program, so a program of a few modules checks in tens of milliseconds.
 */
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { renderErrorCodes, renderRegions, renderTypes } from '../../scripts/generate/render-modules.js';
import type { OpenApiDocument } from '../../scripts/generate/openapi-document.js';
import realDocument from '../../generated/openapi.json' with { type: 'json' };

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es5.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  noEmit: true,
  types: [],
};

const libDir = dirname(ts.getDefaultLibFilePath(options));
const libFiles = new Map<string, ts.SourceFile>();
const root = '/callers/';

/**
 * The types, error codes and regions modules of generated/ for `document`, as one module: what `tencent-chat-groups/types`,
 * `/errors` and the client's `region` option give a caller.
 */
export async function generatedTypes(document: object): Promise<string> {
  // The document-wide parts the generator requires (retryable statuses, the page registry) come from the real
  // document when a small test document leaves them out: they shape no caller-facing type.
  const small = document as OpenApiDocument;
  const typed = {
    ...small,
    components: { responses: realDocument.components['responses'], 'x-vendor-pages': realDocument.components['x-vendor-pages'], ...small.components },
  } as OpenApiDocument;
  return [await renderTypes(typed), renderErrorCodes(typed), renderRegions(typed)].join('\n');
}

export interface CompileError {
  /** 1-based line in the module. */
  readonly line: number;
  readonly message: string;
}

/** The compile errors of each module (`name -> source`), by module name; an empty list when it compiles. */
export function compileErrors(modules: Record<string, string>): Record<string, CompileError[]> {
  const sources = new Map(Object.entries(modules).map(([name, text]) => [`${root}${name}.ts`, text]));
  const host: ts.CompilerHost = {
    getSourceFile(fileName, languageVersion) {
      const text = sources.get(fileName);
      if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
      let lib = libFiles.get(fileName);
      if (lib === undefined) {
        const libText = ts.sys.readFile(fileName);
        if (libText === undefined) return undefined;
        lib = ts.createSourceFile(fileName, libText, languageVersion, true);
        libFiles.set(fileName, lib);
      }
      return lib;
    },
    getDefaultLibFileName: (compilerOptions) => join(libDir, ts.getDefaultLibFileName(compilerOptions)),
    getDefaultLibLocation: () => libDir,
    writeFile: () => undefined,
    getCurrentDirectory: () => root,
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (fileName) => sources.has(fileName) || ts.sys.fileExists(fileName),
    readFile: (fileName) => sources.get(fileName) ?? ts.sys.readFile(fileName),
    getDirectories: () => [],
  };
  const program = ts.createProgram([...sources.keys()], options, host);
  const errors = Object.fromEntries(Object.keys(modules).map((name) => [name, [] as CompileError[]]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const name = diagnostic.file?.fileName.slice(root.length, -'.ts'.length);
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
    (errors[name ?? ''] ??= []).push({ line, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n') });
  }
  return errors;
}
