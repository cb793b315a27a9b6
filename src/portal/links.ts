import type { Config } from '../config.js';
import { signExpiring, verifyExpiring } from '../platform/auth/tokens.js';
import { tenantUrl } from '../platform/tenancy.js';
import type { Tenant } from '../tenants/schema.js';

const PURPOSE = 'statement';

/**
 * A signed, expiring link straight to a client's statement, for emails and messages. The
 * token names the tenant as well, so it opens nothing on another tenant's host.
 */
export function statementLink(config: Pick<Config, 'scheme' | 'baseDomain' | 'port'>, tenant: Pick<Tenant, 'id' | 'subdomain'>, clientId: number, secret: string, expiresAt: Date): string {
  return tenantUrl(config, tenant, `/s/${signExpiring(secret, PURPOSE, `${tenant.id}-${clientId}`, expiresAt)}`);
}

/** The client a statement token was made for, when it is genuine, unexpired and of this tenant. */
export function clientOfStatementToken(secret: string, tenantId: number, token: string, now: Date): number | null {
  const payload = verifyExpiring(secret, PURPOSE, token, now);
  const match = payload ? /^(\d+)-(\d+)$/.exec(payload) : null;
  if (!match || Number(match[1]) !== tenantId) return null;
  return Number(match[2]);
}
