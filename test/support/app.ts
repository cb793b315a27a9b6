import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/index.js';
import { jobDefinitions } from '../../src/jobs/definitions.js';
import { startJobs, type Jobs } from '../../src/jobs/index.js';
import { loadAssets } from '../../src/platform/assets.js';
import { sign } from '../../src/platform/auth/tokens.js';
import { fixedClock } from '../../src/platform/clock.js';
import type { Deps } from '../../src/platform/context.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailer } from '../../src/platform/mail/index.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import type { Tenant } from '../../src/tenants/schema.js';
import { createTestDatabase } from './db.js';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface Harness {
  app: App;
  deps: Deps;
  database: Database;
  db: Database['db'];
  clock: ReturnType<typeof fixedClock>;
  config: Config;
  /** A browser-like client on a tenant's host, with its own cookie jar. */
  client(tenant: Pick<Tenant, 'subdomain'> | string): TestClient;
  /** With `jobs: true`: the queues, and a way to run what is due right now in this process. */
  jobs?: Jobs;
  runJobs(): Promise<number>;
  close(): Promise<void>;
}

/** The whole app on a fresh database of its own, with a clock the test controls. */
export async function startTestApp(options: { now?: string; env?: Record<string, string>; jobs?: boolean } = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'saldo-test-'));
  const config = loadConfig({ BASE_DOMAIN: 'localhost', LOG_LEVEL: 'silent', PORT: '80', NODE_ENV: 'test', DATA_DIR: dataDir, ...options.env });
  const clock = fixedClock(options.now ?? '2026-03-10T15:00:00Z');
  const logger = createLogger(config.logLevel);
  const deps: Deps = {
    config,
    database,
    clock,
    logger,
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger }),
    assets: loadAssets(),
    secret: TEST_SECRET,
  };
  if (options.jobs) deps.jobs = await startJobs(deps, { definitions: jobDefinitions, work: false });
  const app = createApp(deps);
  forgetTenantCache();
  return {
    app,
    deps,
    database,
    db: database.db,
    clock,
    config,
    client: (tenant) => new TestClient(app, typeof tenant === 'string' ? tenant : `${tenant.subdomain}.localhost`),
    jobs: deps.jobs,
    runJobs: () => (deps.jobs ? deps.jobs.runDue() : Promise.resolve(0)),
    async close() {
      await deps.jobs?.stop();
      deps.mailer.close();
      await database.close();
    },
  };
}

type Form = Record<string, string | string[] | number | boolean | undefined>;

export interface RequestOptions {
  form?: Form;
  headers?: Record<string, string>;
  /** Leave the CSRF token out, as a forged cross-site form would. */
  csrf?: boolean;
  htmx?: boolean;
  body?: BodyInit;
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: App,
    readonly host: string,
  ) {}

  get csrfToken(): string {
    let cookie = this.cookies.get('saldo_csrf');
    if (!cookie) {
      cookie = randomBytes(20).toString('hex').replace(/[^a-z2-7]/g, 'a').slice(0, 32).padEnd(32, 'a');
      this.cookies.set('saldo_csrf', cookie);
    }
    return sign(TEST_SECRET, `csrf:${cookie}`);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Host: this.host, ...options.headers };
    let body = options.body;
    if (options.form || (method !== 'GET' && method !== 'HEAD' && !body)) {
      const params = new URLSearchParams();
      if (options.csrf !== false) params.append('_csrf', this.csrfToken);
      for (const [key, value] of Object.entries(options.form ?? {})) {
        if (value === undefined || value === false) continue;
        for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item === true ? 'on' : item));
      }
      body = params.toString();
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
    }
    if (options.htmx) headers['HX-Request'] = 'true';
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie) headers.Cookie = cookie;
    const response = await this.app.request(`http://${this.host}${path}`, { method, headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim())) || value === '';
      if (expired) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return response;
  }

  get(path: string, options?: RequestOptions) {
    return this.request('GET', path, options);
  }

  post(path: string, form: Form = {}, options: RequestOptions = {}) {
    return this.request('POST', path, { ...options, form });
  }

  async login(user: { email: string; password: string }): Promise<this> {
    const response = await this.post('/app/login', { email: user.email, password: user.password });
    if (response.status !== 303) throw new Error(`login of ${user.email} failed with ${response.status}`);
    return this;
  }
}
