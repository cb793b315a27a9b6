import { escapeHtml } from '../../views/components/markup.js';
import type { Config } from '../config.js';
import { recordClientEvent } from '../events/record.js';
import { signExpiring, verifyExpiring } from '../platform/auth/tokens.js';
import { addDays, dayText, startOfDayIn, todayIn } from '../platform/dates.js';
import { languageOf, translator } from '../platform/i18n/index.js';
import type { Mailer } from '../platform/mail/index.js';
import type { Scope } from '../platform/scope.js';
import { tenantUrl } from '../platform/tenancy.js';
import type { Tenant } from '../tenants/schema.js';
import { portalSettingsFor } from './queries.js';

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

/** How long an emailed statement link opens the statement. */
export const STATEMENT_LINK_DAYS = 7;

/**
 * Emails the client a signed link straight to their statement ("Estado de cuenta" button),
 * valid for a week, in the tenant's language, and records it in the client's Interacciones
 * (who sent it, to which address, until when). `client` is a live client of the scope's
 * tenant, as the caller found it. One without an email and a failed send are refused; only a
 * sent message is recorded.
 */
export async function sendStatementLink(
  scope: Scope,
  deps: { mailer: Mailer; config: Pick<Config, 'scheme' | 'baseDomain' | 'port'>; secret: string; tenant: Tenant },
  client: { id: number; name: string; email: string | null },
): Promise<{ ok: true; to: string } | { ok: false; error: 'statement.link.noEmail' | 'statement.link.failed' }> {
  const { tenant } = deps;
  if (!client.email) return { ok: false, error: 'statement.link.noEmail' };
  // It opens through the whole of its last day, as the debtor reads the date the email
  // names: in the tenant's timezone, until the next day begins.
  const expiresOn = addDays(todayIn(tenant.timezone, scope.clock), STATEMENT_LINK_DAYS);
  const expiresAt = startOfDayIn(tenant.timezone, addDays(expiresOn, 1));
  const link = statementLink(deps.config, tenant, client.id, deps.secret, expiresAt);
  const until = dayText(expiresOn);
  // The button in the colour of the tenant's customer portal, where it leads.
  const { customerColor } = await portalSettingsFor(scope.db, scope.tenantId);
  const t = translator(languageOf(tenant.locale));
  const words = { name: client.name, tenant: tenant.name, link, until, portal: tenantUrl(deps.config, tenant, '/') };
  const sent = await deps.mailer.send(scope.db, scope.tenantId, {
    to: client.email,
    subject: t('statement.link.mailSubject', words),
    text: t('statement.link.mailText', words),
    html: `<p>${escapeHtml(t('statement.link.mailGreeting', words))}</p>
<p>${escapeHtml(t('statement.link.mailIntro', words))}</p>
<p><a href="${escapeHtml(link)}" style="display:inline-block;padding:10px 18px;background:${escapeHtml(customerColor)};color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(t('statement.title'))}</a></p>
<p>${escapeHtml(t('statement.link.mailUntil', words))}</p>
<p>${escapeHtml(tenant.name)}</p>`,
  });
  if (!sent.ok) return { ok: false, error: 'statement.link.failed' };
  await recordClientEvent(scope, scope.db, client.id, 'statement.link_sent', { sentTo: client.email, expiresOn }, scope.clock.now());
  return { ok: true, to: client.email };
}
