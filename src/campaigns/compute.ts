import type { IsoDate } from '../platform/dates.js';
import type { CampaignEntry, DiscountType } from './schema.js';

/**
 * Debt − discount in minor units, never below 0 nor above the debt. A percentage discount
 * leaves debt × (100 % − percentage), and that amount (what the debtor pays) is rounded
 * half-up to the currency's minor unit: S/ 100.05 − 50 % = 50.025 → S/ 50.03. Integers only.
 */
export function campaignAmountOf(debt: number, type: DiscountType, value: number): number {
  if (type === 'monto') return Math.min(debt, Math.max(0, debt - value));
  const kept = 10_000n - BigInt(Math.min(10_000, value));
  // debt × kept / 10 000, half-up: floor((2 × debt × kept + 10 000) / 20 000).
  return Number((2n * BigInt(debt) * kept + 10_000n) / 20_000n);
}

/** The discount the campaign amount implies, in minor units. */
export function discountAmount(debt: number, type: DiscountType, value: number): number {
  return debt - campaignAmountOf(debt, type, value);
}

/** The campaign's state as the spec numbers it: 0 active, 1 paid, 2 finished. */
export type CampaignState = 0 | 1 | 2;

/**
 * Paid once verified payments reach the campaign amount; finished when the end date is
 * before today in the tenant's timezone (or the daily run already closed it); else active.
 * Derived from stored dates, so every view is right at midnight without waiting for a job.
 */
export function campaignStateOf(entry: Pick<CampaignEntry, 'totalDue' | 'closedReason' | 'endDate'>, today: IsoDate): CampaignState {
  if (entry.closedReason === 'paid' || entry.totalDue <= 0) return 1;
  if (entry.closedReason === 'finished' || (entry.endDate !== null && entry.endDate < today)) return 2;
  return 0;
}

export interface Offer {
  state: CampaignState;
  debt: number;
  /** Percentage with up to two decimals (12.5), shown while the campaign is active: as typed, or implied by a fixed amount. */
  discountPercent: number | null;
  discountAmount: number | null;
  campaignAmount: number | null;
  paid: number;
  /** What the debtor owes now: the campaign's total due while active; the original debt less payments once finished. */
  owed: number;
  /** What was paid beyond that (only where the tenant allows overpayment): a credit in the debtor's favour. */
  credit: number;
}

/**
 * What every view, template and portal shows for an entry. When the campaign has finished
 * the discount disappears and the amount owed returns to the original debt.
 */
export function offerOf(entry: Pick<CampaignEntry, 'debtAmount' | 'discountType' | 'discountValue' | 'campaignAmount' | 'paid' | 'totalDue' | 'closedReason' | 'endDate'>, today: IsoDate): Offer {
  const state = campaignStateOf(entry, today);
  if (state === 2) {
    return { state, debt: entry.debtAmount, discountPercent: null, discountAmount: null, campaignAmount: null, paid: entry.paid, owed: Math.max(0, entry.debtAmount - entry.paid), credit: Math.max(0, entry.paid - entry.debtAmount) };
  }
  const discount = entry.debtAmount - entry.campaignAmount;
  return {
    state,
    debt: entry.debtAmount,
    // A percentage campaign shows the percentage staff typed (33.33, not what the rounded amounts imply).
    discountPercent: entry.discountType === 'porcentaje' ? entry.discountValue / 100 : entry.debtAmount > 0 ? Math.round((discount * 10_000) / entry.debtAmount) / 100 : 0,
    discountAmount: discount,
    campaignAmount: entry.campaignAmount,
    paid: entry.paid,
    owed: Math.max(0, entry.totalDue),
    credit: Math.max(0, -entry.totalDue),
  };
}

/** "12,5", "12.5 %", "10" → basis points; null when not a percentage with at most two decimals. */
export function parsePercent(input: string): number | null {
  const s = input.trim().replace(/\s|%/g, '').replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return null;
  const [whole, fraction = ''] = s.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}
