import * as v from 'valibot';

const integer = (fallback: number, min = 0) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.transform(Number),
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
  );

const flag = (fallback: boolean) =>
  v.pipe(
    v.optional(v.picklist(['true', 'false', '1', '0', '']), fallback ? 'true' : 'false'),
    v.transform((s) => s === 'true' || s === '1'),
  );

const EnvSchema = v.object({
  NODE_ENV: v.optional(v.picklist(['development', 'production', 'test']), 'development'),
  PORT: integer(3000, 0),
  HOST: v.optional(v.string(), '0.0.0.0'),
  BASE_DOMAIN: v.pipe(
    v.optional(v.string(), 'localhost'),
    v.toLowerCase(),
    v.regex(/^[a-z0-9.-]+$/, 'must be a host name such as saldo.example'),
  ),
  PUBLIC_URL_SCHEME: v.optional(v.picklist(['http', 'https']), undefined),
  DATABASE_URL: v.optional(v.pipe(v.string(), v.url('must be a postgres:// URL'))),
  DATABASE_POOL_SIZE: integer(10, 2),
  DATA_DIR: v.optional(v.string(), './data'),
  APP_SECRET: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  SESSION_IDLE_TIMEOUT_MINUTES: integer(12 * 60, 1),
  SMTP_URL: v.optional(v.pipe(v.string(), v.url('must be an smtp:// or smtps:// URL'))),
  MAIL_FROM: v.optional(v.string(), 'Saldo <no-reply@saldo.localhost>'),
  LOG_LEVEL: v.optional(v.picklist(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  TRUST_PROXY: flag(false),
  RUN_WORKERS: flag(true),
  BODY_LIMIT_KB: integer(512, 16),
  UPLOAD_LIMIT_MB: integer(20, 1),
  IMPORT_MAX_ROWS: integer(200_000, 1),
  DEMO_CLIENTS: integer(300, 0),
  RECAPTCHA_VERIFY_URL: v.optional(v.pipe(v.string(), v.url('must be an https:// URL')), 'https://www.google.com/recaptcha/api/siteverify'),
});

export type Env = v.InferOutput<typeof EnvSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  baseDomain: string;
  /** http on localhost development, https everywhere else unless told otherwise. */
  scheme: 'http' | 'https';
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  appSecret: string | undefined;
  sessionIdleTimeoutMs: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  runWorkers: boolean;
  bodyLimitBytes: number;
  uploadLimitBytes: number;
  importMaxRows: number;
  demoClients: number;
  /** Google's siteverify endpoint; tests point it at a local stand-in. */
  recaptchaVerifyUrl: string;
}

/** Reads the environment once; a wrong value stops the start with a message naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = v.safeParse(EnvSchema, present);
  if (!result.success) {
    const lines = result.issues.map((issue) => {
      const key = v.getDotPath(issue) ?? '?';
      return `  ${key}=${JSON.stringify(present[key] ?? '')}: ${issue.message}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.output;
  const localhost = e.BASE_DOMAIN === 'localhost' || e.BASE_DOMAIN.endsWith('.localhost');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    baseDomain: e.BASE_DOMAIN,
    scheme: e.PUBLIC_URL_SCHEME ?? (localhost ? 'http' : 'https'),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    appSecret: e.APP_SECRET,
    sessionIdleTimeoutMs: e.SESSION_IDLE_TIMEOUT_MINUTES * 60_000,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    runWorkers: e.RUN_WORKERS,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    uploadLimitBytes: e.UPLOAD_LIMIT_MB * 1024 * 1024,
    importMaxRows: e.IMPORT_MAX_ROWS,
    demoClients: e.DEMO_CLIENTS,
    recaptchaVerifyUrl: e.RECAPTCHA_VERIFY_URL,
  };
}
