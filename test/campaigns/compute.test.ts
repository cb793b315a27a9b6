import { describe, expect, it } from 'vitest';
import { campaignAmountOf, campaignStateOf, discountAmount, offerOf, parsePercent } from '../../src/campaigns/compute.js';

describe('campaign amounts', () => {
  it.each([
    // debt (minor units), percentage in basis points, expected campaign amount
    [100_000, 3000, 70_000], // S/ 1,000.00 − 30 % = S/ 700.00
    [333, 5000, 166], // S/ 3.33 − 50 % = 1.665 → discount 1.67 half-up → 1.66 left
    [12_345, 1250, 10_802], // 12.5 % of 123.45 = 15.43125 → 15.43
    [1_001, 5000, 500], // CLP 1,001 − 50 % = 500.5 → discount 501 → 500
    [999, 3333, 666], // CLP 999 × 33.33 % = 332.97 → 333 → 666
    [5_000, 0, 5_000],
    [5_000, 10_000, 0],
  ])('debt %i with %i bp leaves %i', (debt, bp, expected) => {
    expect(campaignAmountOf(debt, 'porcentaje', bp)).toBe(expected);
  });

  it('rounds exactly half-up, never through floating point', () => {
    expect(discountAmount(1, 'porcentaje', 5000)).toBe(1); // 0.5 → 1
    expect(discountAmount(3, 'porcentaje', 5000)).toBe(2); // 1.5 → 2
    expect(discountAmount(900_719_925_474_099, 'porcentaje', 3333)).toBe(300_209_951_160_517);
  });

  it('keeps a fixed discount within the debt', () => {
    expect(campaignAmountOf(10_000, 'monto', 2_500)).toBe(7_500);
    expect(campaignAmountOf(10_000, 'monto', 12_000)).toBe(0);
  });

  it('reads percentages as people type them', () => {
    expect(parsePercent('30')).toBe(3000);
    expect(parsePercent('12,5')).toBe(1250);
    expect(parsePercent('12.5 %')).toBe(1250);
    expect(parsePercent('100')).toBe(10_000);
    expect(parsePercent('1.234')).toBeNull();
    expect(parsePercent('abc')).toBeNull();
  });
});

describe('campaign state', () => {
  const entry = { debtAmount: 10_000, discountType: 'porcentaje' as const, discountValue: 3000, campaignAmount: 7_000, paid: 0, totalDue: 7_000, closedReason: null, endDate: '2026-03-10' };

  it('is active through its end date, finished the day after, paid when nothing is due', () => {
    expect(campaignStateOf(entry, '2026-03-10')).toBe(0);
    expect(campaignStateOf(entry, '2026-03-11')).toBe(2);
    expect(campaignStateOf({ ...entry, totalDue: 0 }, '2026-03-11')).toBe(1);
    expect(campaignStateOf({ ...entry, endDate: null }, '2099-01-01')).toBe(0);
  });

  it('drops the discount and returns to the original debt once finished', () => {
    const active = offerOf({ ...entry, paid: 1_000, totalDue: 6_000 }, '2026-03-10');
    expect(active).toMatchObject({ state: 0, debt: 10_000, discountPercent: 30, discountAmount: 3_000, campaignAmount: 7_000, owed: 6_000 });
    const finished = offerOf({ ...entry, paid: 1_000, totalDue: 6_000 }, '2026-03-11');
    expect(finished).toMatchObject({ state: 2, debt: 10_000, discountPercent: null, discountAmount: null, campaignAmount: null, owed: 9_000 });
  });
});
