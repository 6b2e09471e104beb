import { MAX_SDKAPPID, MAX_USERSIG_EXPIRE_SECONDS, generateUserSig, userSigExpiresAt } from '../usersig/usersig.js';
import { ExitCode, reportUsageError, type CliIo, type Command } from './command.js';
import { parseFlags } from './flags.js';
import { SECRET_KEY_ENV, secretFlagProblem } from './settings.js';

export const DEFAULT_CLI_EXPIRE_SECONDS = 86_400;

const USAGE = 'chat-groups usersig --sdkappid <N> --identifier <ID> [--expire <SECONDS>] [--json]';

const HELP = `Usage: ${USAGE}

Prints a UserSig (TLSSigAPIv2, HMAC-SHA256) on one line.

The secret key is read only from the environment variable ${SECRET_KEY_ENV}.
There is deliberately no flag for it, so it never lands in shell history or process listings.

Options:
  --sdkappid <N>        SDKAppID, a decimal integer from 1 to ${MAX_SDKAPPID} (required)
  --identifier <ID>     UserID to sign for; REST calls need an App admin account (required)
  --expire <SECONDS>    validity in seconds, 1 to ${MAX_USERSIG_EXPIRE_SECONDS} (50 years);
                        default ${DEFAULT_CLI_EXPIRE_SECONDS} (one day)
  --json                print {"userSig","sdkAppId","identifier","time","expire","expiresAt"}
                        (time and expiresAt in unix seconds; the sig is valid through expiresAt)
  -h, --help            show this help

Example:
  read -rs ${SECRET_KEY_ENV} && export ${SECRET_KEY_ENV}   # paste the key, not echoed
  chat-groups usersig --sdkappid 1400000000 --identifier administrator --expire 3600
`;

const FLAGS = {
  sdkappid: { type: 'string' },
  identifier: { type: 'string' },
  expire: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

// No exponent, sign, fraction or leading zero: what the user typed must be exactly the number signed.
const DECIMAL = /^[1-9][0-9]*$/;

function parseBoundedInteger(text: string, max: number): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

function run(argv: readonly string[], io: CliIo): ExitCode {
  // Flag values are never echoed: a secret pasted into the wrong flag must not reach terminals or logs.
  const usageError = (message: string): ExitCode => reportUsageError(io, 'usersig', USAGE, message);

  const secretFlag = secretFlagProblem(argv);
  if (secretFlag !== undefined) return usageError(secretFlag);
  const parsed = parseFlags(argv, FLAGS);
  if (!parsed.ok) return usageError(parsed.message);
  const flags = parsed.values;
  if (flags.help === true) {
    io.stdout.write(HELP);
    return ExitCode.ok;
  }

  if (flags.sdkappid === undefined) return usageError('missing required flag --sdkappid <N>');
  const sdkAppId = parseBoundedInteger(flags.sdkappid, MAX_SDKAPPID);
  if (sdkAppId === undefined) {
    return usageError(`--sdkappid must be a decimal integer from 1 to ${MAX_SDKAPPID}`);
  }
  if (flags.identifier === undefined) return usageError('missing required flag --identifier <ID>');
  if (flags.identifier.length === 0) return usageError('--identifier must not be empty');
  const identifier = flags.identifier;
  let expireSeconds = DEFAULT_CLI_EXPIRE_SECONDS;
  if (flags.expire !== undefined) {
    const parsedExpire = parseBoundedInteger(flags.expire, MAX_USERSIG_EXPIRE_SECONDS);
    if (parsedExpire === undefined) {
      return usageError(`--expire must be a whole number of seconds from 1 to ${MAX_USERSIG_EXPIRE_SECONDS} (50 years)`);
    }
    expireSeconds = parsedExpire;
  }

  const secretKey = io.env[SECRET_KEY_ENV];
  if (secretKey === undefined || secretKey.length === 0) {
    return usageError(`environment variable ${SECRET_KEY_ENV} is not set or is empty; export the app's secret key there`);
  }

  const time = Math.floor(Date.now() / 1000);
  const userSig = generateUserSig({ secretKey, sdkAppId, identifier, expireSeconds, now: time });
  if (flags.json === true) {
    const expiresAt = userSigExpiresAt({ time, expire: expireSeconds });
    io.stdout.write(`${JSON.stringify({ userSig, sdkAppId, identifier, time, expire: expireSeconds, expiresAt })}\n`);
  } else {
    io.stdout.write(`${userSig}\n`);
  }
  return ExitCode.ok;
}

export const usersigCommand: Command = {
  name: 'usersig',
  summary: `Print a UserSig for an admin account (secret key from $${SECRET_KEY_ENV})`,
  run,
};
