import { MAX_USERSIG_EXPIRE_SECONDS, generateUserSig, userSigExpiresAt } from '../usersig/usersig.js';
import { ExitCode, problemsMessage, reportUsageError, type CliIo, type Command } from './command.js';
import { flagLines, helpFlag, mergeAliases, parseArgsOptions, parseFlags, signingFlags, usageLine, type FlagDoc } from './flags.js';
import { resolveSigningSettings, SECRET_KEY_ENV, secretFlagProblem, settingFlagValues } from './settings.js';

export const DEFAULT_CLI_EXPIRE_SECONDS = 86_400;

const NAME = 'usersig';

const flags: readonly FlagDoc[] = [
  ...signingFlags,
  {
    name: 'expire',
    value: 'SECONDS',
    help: `validity in seconds, 1 to ${MAX_USERSIG_EXPIRE_SECONDS} (50 years); default ${DEFAULT_CLI_EXPIRE_SECONDS} (one day)`,
  },
  {
    name: 'json',
    help: 'print userSig, sdkAppId, identifier, time, expire, expiresAt as JSON (unix seconds; valid through expiresAt)',
  },
  // The flag's name before the command took its settings like every other command; scripts still use it.
  { name: 'identifier', value: 'ID', help: 'the earlier name of --admin, still accepted', aliasOf: 'admin' },
  helpFlag,
];

const USAGE = usageLine(NAME, flags);

const HELP = `Usage: ${USAGE}

Prints a UserSig (TLSSigAPIv2, HMAC-SHA256) on one line, for the admin account REST calls are made as.

The SDKAppID and the admin account come from TENCENT_CHAT_SDKAPPID and TENCENT_CHAT_ADMIN, as for every other
command; the flags override them. The secret key is read only from the environment variable ${SECRET_KEY_ENV}.
There is deliberately no flag for it, so it never lands in shell history or process listings.

Options:
${flagLines(flags).join('\n')}

Example:
  read -rs ${SECRET_KEY_ENV} && export ${SECRET_KEY_ENV}   # paste the key, not echoed
  chat-groups usersig --sdkappid 1400000000 --admin administrator --expire 3600
`;

// No exponent, sign, fraction or leading zero: what the user typed must be exactly the number signed.
const DECIMAL = /^[1-9][0-9]*$/;

function expireSeconds(text: string | undefined): number | string {
  if (text === undefined) return DEFAULT_CLI_EXPIRE_SECONDS;
  if (!DECIMAL.test(text) || Number(text) > MAX_USERSIG_EXPIRE_SECONDS) {
    return `--expire must be a whole number of seconds from 1 to ${MAX_USERSIG_EXPIRE_SECONDS} (50 years)`;
  }
  return Number(text);
}

function run(argv: readonly string[], io: CliIo): ExitCode {
  // Flag values are never echoed: a secret pasted into the wrong flag must not reach terminals or logs.
  const usageError = (message: string): ExitCode => reportUsageError(io, NAME, USAGE, message);

  const secretFlag = secretFlagProblem(argv);
  if (secretFlag !== undefined) return usageError(secretFlag);
  const parsed = parseFlags(argv, parseArgsOptions(flags));
  if (!parsed.ok) return usageError(parsed.message);
  if (parsed.values['help'] === true) {
    io.stdout.write(HELP);
    return ExitCode.ok;
  }

  const { values, problems: aliasProblems } = mergeAliases(parsed.values, flags);
  // Blame what the user typed: a problem with the admin given as --identifier names --identifier.
  const adminFlag = parsed.values['identifier'] !== undefined && parsed.values['admin'] === undefined ? '--identifier' : '--admin';
  const signing = resolveSigningSettings(settingFlagValues(values), io.env, { admin: adminFlag });
  const expire = expireSeconds(typeof values['expire'] === 'string' ? values['expire'] : undefined);
  const problems = [...aliasProblems, ...(signing.ok ? [] : signing.problems), ...(typeof expire === 'string' ? [expire] : [])];
  if (problems.length > 0 || !signing.ok || typeof expire === 'string') return usageError(problemsMessage(problems));

  const { sdkAppId, identifier, secretKey } = signing.settings;
  const time = Math.floor(Date.now() / 1000);
  const userSig = generateUserSig({ secretKey, sdkAppId, identifier, expireSeconds: expire, now: time });
  if (values['json'] === true) {
    const expiresAt = userSigExpiresAt({ time, expire });
    io.stdout.write(`${JSON.stringify({ userSig, sdkAppId, identifier, time, expire, expiresAt })}\n`);
  } else {
    io.stdout.write(`${userSig}\n`);
  }
  return ExitCode.ok;
}

export const usersigCommand: Command = {
  name: NAME,
  summary: `Print a UserSig for an admin account (secret key from $${SECRET_KEY_ENV})`,
  run,
};
