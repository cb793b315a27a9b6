import { campaignImports } from './catalogue/campaign-imports.js';
import { campaigns } from './catalogue/campaigns.js';
import { captcha } from './catalogue/captcha.js';
import { claimsCatalogue } from './catalogue/claims.js';
import { clients } from './catalogue/clients.js';
import { core } from './catalogue/core.js';
import { files } from './catalogue/files.js';
import { portal } from './catalogue/portal.js';
import { receivables } from './catalogue/receivables.js';
import { recovery } from './catalogue/recovery.js';
import { settingsCatalogue } from './catalogue/settings.js';

/**
 * The catalogue, assembled from one part per capability (`catalogue/*.ts`). Spanish is the
 * product's language; every other language has exactly these keys.
 */
const parts = [core, clients, receivables, campaigns, claimsCatalogue, files, portal, recovery, captcha, campaignImports, settingsCatalogue] as const;

type Merge<T extends readonly { es: Record<string, string> }[]> = T extends readonly [infer H extends { es: Record<string, string> }, ...infer R extends readonly { es: Record<string, string> }[]]
  ? H['es'] & Merge<R>
  : unknown;

export const es = Object.assign({}, ...parts.map((p) => p.es)) as Merge<typeof parts>;
export const en = Object.assign({}, ...parts.map((p) => p.en)) as Record<keyof typeof es, string>;

export type MessageKey = keyof typeof es & string;
