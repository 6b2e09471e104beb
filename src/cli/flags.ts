import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

type FlagValues<T extends ParseArgsOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>['values'];

export type FlagParseResult<T extends ParseArgsOptions> =
  | { readonly ok: true; readonly values: FlagValues<T> }
  | { readonly ok: false; readonly message: string };

/**
 * Strict `parseArgs` that reports problems as a message instead of throwing. Positional arguments are
 * never echoed: a user who pastes a secret where a flag belongs should not see it repeated in logs.
 */
export function parseFlags<T extends ParseArgsOptions>(argv: readonly string[], options: T): FlagParseResult<T> {
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    return { ok: true, values };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      return { ok: false, message: 'unexpected positional argument; this command takes only --flags' };
    }
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // Node's messages name only the option, never its value.
      return { ok: false, message: (error as Error).message };
    }
    throw error;
  }
}
