import type { Context } from 'hono';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import type { Jobs } from '../jobs/index.js';
import type { Tenant } from '../tenants/schema.js';
import type { User } from '../users/schema.js';
import type { Assets } from './assets.js';
import type { Session } from './auth/sessions.js';
import type { Clock } from './clock.js';
import type { Language, Translate } from './i18n/index.js';
import type { Logger } from './logger.js';
import type { Mailer } from './mail/index.js';

/** What the app is built from: everything a request may need that is not in the request. */
export interface Deps {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  assets: Assets;
  /** Signs CSRF tokens, flash cookies and links sent to people. */
  secret: string;
  /** Background queues (pg-boss); absent where nothing may be queued. */
  jobs?: Jobs;
}

export interface AppEnv {
  Variables: {
    deps: Deps;
    requestId: string;
    log: Logger;
    tenant: Tenant;
    /** The staff user of a valid session; absent for anonymous requests. */
    user: User | undefined;
    session: Session | undefined;
    lang: Language;
    t: Translate;
    csrfToken: string;
  };
}

export type AppContext = Context<AppEnv>;
