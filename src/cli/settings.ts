/**
 * Where the commands get the app they act for: the environment, overridden by flags, except the secret key, which is
 * read from the environment only so it never lands in shell history or process listings (every command refuses a
 * flag that looks like one). Every problem is found before any call and named by the setting the user has to fix,
 * never by repeating its value.
 */
import { regions, type RegionName } from '../../generated/regions.js';
import { MAX_SDKAPPID } from '../usersig/usersig.js';

/** The one place the secret key is read from. */
export const SECRET_KEY_ENV = 'TENCENT_CHAT_SECRET_KEY';

// Catches the obvious spellings before parseArgs would call them merely "unknown".
const SECRET_FLAG = /^--?(secret[-_]?key|secret|key|sk)(=|$)/i;

/** The refusal of a command line that tries to pass the secret key as a flag, or undefined when it does not. */
export function secretFlagProblem(argv: readonly string[]): string | undefined {
  return argv.some((arg) => SECRET_FLAG.test(arg))
    ? `the secret key cannot be passed as a flag; it is read from the environment variable ${SECRET_KEY_ENV} only, so it never lands in shell history`
    : undefined;
}

export const SETTINGS_ENV = {
  sdkAppId: 'TENCENT_CHAT_SDKAPPID',
  admin: 'TENCENT_CHAT_ADMIN',
  secretKey: SECRET_KEY_ENV,
  region: 'TENCENT_CHAT_REGION',
  baseUrl: 'TENCENT_CHAT_BASE_URL',
  redisUrl: 'TENCENT_CHAT_REDIS_URL',
  backupUrl: 'TENCENT_CHAT_BACKUP_URL',
} as const;

/** The secret key, or undefined when the variable is unset or empty. */
export function readSecretKey(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return nonEmpty(env[SECRET_KEY_ENV]);
}

/** The flags that may override the environment (there is deliberately none for the secret key). */
export interface SettingFlags {
  readonly sdkappid?: string | undefined;
  readonly admin?: string | undefined;
  readonly region?: string | undefined;
  readonly 'base-url'?: string | undefined;
  readonly redis?: string | undefined;
  readonly 'backup-url'?: string | undefined;
}

/** The setting flags' values among a command's parsed flags (a flag the command does not declare is undefined). */
export function settingFlagValues(values: Readonly<Record<string, unknown>>): SettingFlags {
  const text = (name: keyof SettingFlags): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  return { sdkappid: text('sdkappid'), admin: text('admin'), region: text('region'), 'base-url': text('base-url'), redis: text('redis'), 'backup-url': text('backup-url') };
}

export type Endpoint = { readonly region: RegionName } | { readonly baseUrl: string };

/** Who the calls are made as: what a UserSig is made from. */
export interface SigningSettings {
  readonly sdkAppId: number;
  readonly identifier: string;
  readonly secretKey: string;
}

/** Who the calls are made as, and where they go. */
export interface ApiSettings extends SigningSettings {
  readonly endpoint: Endpoint;
  /** How to name the endpoint setting in a message about it (the client checks the URL itself). */
  readonly endpointSetting: string;
}

export interface ConnectionSettings extends ApiSettings {
  /** The Redis that shares the rate limit, if any; it may hold a password, so it is never printed. */
  readonly redisUrl: string | undefined;
  /** How to name the Redis setting in a message about it. */
  readonly redisSetting: string;
  /** Where to fail over to: beside a base URL, or a region for which the vendor lists no backup (the client checks). */
  readonly backupUrl: string | undefined;
  /** How to name the backup setting in a message about it. */
  readonly backupSetting: string;
}

export type Resolved<T> = { readonly ok: true; readonly settings: T } | { readonly ok: false; readonly problems: readonly string[] };
export type SettingsResult = Resolved<ConnectionSettings>;

/** How to name a setting's flag in messages, when the user typed another name for it (an earlier one). */
export interface FlagNames {
  readonly admin?: string;
}

const DECIMAL = /^[1-9][0-9]*$/;

/** A value and the name to blame for it: the flag when one was given, else the environment variable. */
interface Sourced {
  readonly value: string | undefined;
  readonly name: string;
  /** Both names, for "not set" messages, where either would fix it. */
  readonly either: string;
}

function pick(flagValue: string | undefined, flag: string, env: Readonly<Record<string, string | undefined>>, variable: string): Sourced {
  const either = `${variable} (or ${flag})`;
  if (flagValue !== undefined) return { value: flagValue, name: flag, either };
  const fromEnv = env[variable];
  // An exported but empty variable is the usual leftover of `export X=`; it means "not set", not "set to nothing".
  return { value: fromEnv === undefined || fromEnv === '' ? undefined : fromEnv, name: variable, either };
}

/** The app and admin (flags over the environment) and the secret key (the environment only); every problem found. */
function signing(flags: SettingFlags, env: Readonly<Record<string, string | undefined>>, names: FlagNames, problems: string[]): SigningSettings {
  const sdkAppIdSetting = pick(flags.sdkappid, '--sdkappid', env, SETTINGS_ENV.sdkAppId);
  let sdkAppId = 0;
  if (sdkAppIdSetting.value === undefined) problems.push(`${sdkAppIdSetting.either} is not set: the app's SDKAppID from the Chat console`);
  else if (!DECIMAL.test(sdkAppIdSetting.value) || Number(sdkAppIdSetting.value) > MAX_SDKAPPID) {
    problems.push(`${sdkAppIdSetting.name} must be a decimal integer from 1 to ${MAX_SDKAPPID}`);
  } else sdkAppId = Number(sdkAppIdSetting.value);

  const adminSetting = pick(flags.admin, names.admin ?? '--admin', env, SETTINGS_ENV.admin);
  // A flag given empty is a mistake in that flag; a variable given empty counts as unset (see pick).
  if (adminSetting.value === '') problems.push(`${adminSetting.name} must not be empty: an app admin account (the identifier the UserSig is issued for)`);
  else if (adminSetting.value === undefined) {
    problems.push(`${adminSetting.either} is not set: an app admin account (the identifier the UserSig is issued for)`);
  }

  const secretKey = readSecretKey(env);
  if (secretKey === undefined) {
    problems.push(`${SETTINGS_ENV.secretKey} is not set: the app's secret key (read from the environment only, never from a flag)`);
  }
  return { sdkAppId, identifier: adminSetting.value ?? '', secretKey: secretKey ?? '' };
}

/** What a UserSig is made from, or every problem with it. */
export function resolveSigningSettings(flags: SettingFlags, env: Readonly<Record<string, string | undefined>>, names: FlagNames = {}): Resolved<SigningSettings> {
  const problems: string[] = [];
  const settings = signing(flags, env, names, problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
}

/** Who the calls are made as and where they go, or every problem with them; Redis and a backup URL are not read. */
export function resolveApiSettings(flags: SettingFlags, env: Readonly<Record<string, string | undefined>>): Resolved<ApiSettings> {
  const problems: string[] = [];
  const settings = signing(flags, env, {}, problems);
  const endpoint = resolveEndpoint(flags, env, problems);
  if (problems.length > 0 || endpoint === undefined) return { ok: false, problems };
  return { ok: true, settings: { ...settings, endpoint: endpoint.endpoint, endpointSetting: endpoint.setting } };
}

export function resolveSettings(flags: SettingFlags, env: Readonly<Record<string, string | undefined>>): SettingsResult {
  const problems: string[] = [];
  const signed = signing(flags, env, {}, problems);

  const redisSetting = pick(flags.redis, '--redis', env, SETTINGS_ENV.redisUrl);
  if (redisSetting.value !== undefined && !isRedisUrl(redisSetting.value)) {
    problems.push(`${redisSetting.name} must be a redis:// or rediss:// URL (it is not repeated here: it may hold a password)`);
  }

  const endpoint = resolveEndpoint(flags, env, problems);
  const backup = pick(flags['backup-url'], '--backup-url', env, SETTINGS_ENV.backupUrl);
  if (problems.length > 0 || endpoint === undefined) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      ...signed,
      endpoint: endpoint.endpoint,
      endpointSetting: endpoint.setting,
      redisUrl: redisSetting.value,
      redisSetting: redisSetting.name,
      backupUrl: backup.value,
      backupSetting: backup.name,
    },
  };
}

function isRedisUrl(value: string): boolean {
  try {
    const protocol = new URL(value).protocol;
    return protocol === 'redis:' || protocol === 'rediss:';
  } catch {
    return false;
  }
}

/**
 * Flags win as a pair over the environment: `--base-url` given on the command line replaces a TENCENT_CHAT_REGION
 * from the environment, so pointing one command at the sandbox needs no `unset`. Both given at the same level is a
 * contradiction and refused, rather than one silently winning.
 */
function resolveEndpoint(
  flags: SettingFlags,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): { endpoint: Endpoint; setting: string } | undefined {
  const fromFlags = flags.region !== undefined || flags['base-url'] !== undefined;
  const region = fromFlags ? flags.region : nonEmpty(env[SETTINGS_ENV.region]);
  const baseUrl = fromFlags ? flags['base-url'] : nonEmpty(env[SETTINGS_ENV.baseUrl]);
  const regionName = fromFlags ? '--region' : SETTINGS_ENV.region;
  const baseUrlName = fromFlags ? '--base-url' : SETTINGS_ENV.baseUrl;
  if (region !== undefined && baseUrl !== undefined) {
    problems.push(`${regionName} and ${baseUrlName} are both set; set only one (a region's URL comes from the spec)`);
    return undefined;
  }
  if (region !== undefined) {
    if (!Object.hasOwn(regions, region)) {
      problems.push(`${regionName} must be one of ${Object.keys(regions).join(', ')}`);
      return undefined;
    }
    return { endpoint: { region: region as RegionName }, setting: regionName };
  }
  if (baseUrl !== undefined) return { endpoint: { baseUrl }, setting: baseUrlName };
  problems.push(
    `neither ${SETTINGS_ENV.region} (or --region) nor ${SETTINGS_ENV.baseUrl} (or --base-url) is set: ` +
      `name the app's data center (${Object.keys(regions).join(', ')}) or give a base URL such as a local sandbox's`,
  );
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
