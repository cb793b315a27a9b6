import { toDecimalString } from '../platform/money.js';
import { sign, verifySignature } from '../platform/auth/tokens.js';

/** What a debtor pays through a provider: one order (its payment code) or the whole balance. */
export interface PaymentRequest {
  tenantId: number;
  code: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** After this the provider must refuse it: the balance may have changed, or the offer ended. */
  expiresAt: Date;
}

/** How long a pay link lasts at most: long enough to pay, short enough that the amount is still right. */
export const PAY_LINK_MS = 60 * 60_000;

/** A way to pay online; each tenant's provider turns a request into the address the debtor opens. */
export interface PaymentProvider {
  payUrl(request: PaymentRequest): string;
}

/** The code sent for "pay everything" of a client, so the provider can tell it from an order's code. */
export const totalCode = (clientId: number) => `TOTAL-${clientId}`;

/**
 * The signature a provider checks so that neither the amount, the code, the tenant nor the
 * expiry (unix seconds) can be changed on the way.
 */
export function payLinkSignature(secret: string, tenantId: number, code: string, amount: string, expires: string): string {
  return sign(secret, `paylink:${tenantId}|${code}|${amount}|${expires}`);
}

/** For the provider's callback into Saldo: true only for what was signed, and only until it expires. */
export function verifyPayLink(secret: string, link: { tenantId: number; code: string; amount: string; expires: string; signature: string }, now: Date): boolean {
  if (!/^\d{1,12}$/.test(link.expires) || Number(link.expires) * 1000 <= now.getTime()) return false;
  return verifySignature(secret, `paylink:${link.tenantId}|${link.code}|${link.amount}|${link.expires}`, link.signature);
}

/**
 * The first provider: the tenant's pay-link URL template with {code} and {amount} (a plain
 * decimal such as 150.00), plus `expires` and a `signature` over the tenant, both values and
 * the expiry.
 */
export function payLinkProvider(template: string, secret: string): PaymentProvider {
  return {
    payUrl({ tenantId, code, amount, currency, expiresAt }) {
      const decimal = toDecimalString(amount, currency);
      const expires = String(Math.floor(expiresAt.getTime() / 1000));
      const url = new URL(template.replaceAll('{code}', encodeURIComponent(code)).replaceAll('{amount}', decimal));
      url.searchParams.set('expires', expires);
      url.searchParams.set('signature', payLinkSignature(secret, tenantId, code, decimal, expires));
      return url.toString();
    },
  };
}

/** The tenant's provider, or none when no pay link is configured. */
export function providerFor(settings: { payLinkTemplate: string | null }, secret: string): PaymentProvider | null {
  return settings.payLinkTemplate ? payLinkProvider(settings.payLinkTemplate, secret) : null;
}
