import { toDecimalString } from '../platform/money.js';
import { sign, verifySignature } from '../platform/auth/tokens.js';

/** What a debtor pays through a provider: one order (its payment code) or the whole balance. */
export interface PaymentRequest {
  code: string;
  /** Minor units. */
  amount: number;
  currency: string;
}

/** A way to pay online; each tenant's provider turns a request into the address the debtor opens. */
export interface PaymentProvider {
  payUrl(request: PaymentRequest): string;
}

/** The code sent for "pay everything" of a client, so the provider can tell it from an order's code. */
export const totalCode = (clientId: number) => `TOTAL-${clientId}`;

/** The signature a provider checks so that neither the amount nor the code can be changed on the way. */
export function payLinkSignature(secret: string, code: string, amount: string): string {
  return sign(secret, `paylink:${code}|${amount}`);
}

/** For the provider's side (or its callback into Saldo): true only for the exact code and amount that were signed. */
export function verifyPayLink(secret: string, code: string, amount: string, signature: string): boolean {
  return verifySignature(secret, `paylink:${code}|${amount}`, signature);
}

/**
 * The first provider: the tenant's pay-link URL template with {code} and {amount} (a plain
 * decimal such as 150.00), plus a `signature` parameter over both.
 */
export function payLinkProvider(template: string, secret: string): PaymentProvider {
  return {
    payUrl({ code, amount, currency }) {
      const decimal = toDecimalString(amount, currency);
      const url = new URL(template.replaceAll('{code}', encodeURIComponent(code)).replaceAll('{amount}', decimal));
      url.searchParams.set('signature', payLinkSignature(secret, code, decimal));
      return url.toString();
    },
  };
}

/** The tenant's provider, or none when no pay link is configured. */
export function providerFor(settings: { payLinkTemplate: string | null }, secret: string): PaymentProvider | null {
  return settings.payLinkTemplate ? payLinkProvider(settings.payLinkTemplate, secret) : null;
}
