import { describe, expect, it } from 'vitest';
import { campaignAmountOf, campaignStateOf, discountAmount, offerOf, parsePercent } from '../../src/campaigns/compute.js';
import { discountText } from '../../views/campaigns/tray.js';

describe('campaign amounts', () => {
  it.each([
    // debt (minor units), percentage in basis points, expected campaign amount
    [100_000, 3000, 70_000], // S/ 1,000.00 − 30 % = S/ 700.00
    [333, 5000, 167], // S/ 3.33 − 50 % = 1.665 → the amount rounds half-up to 1.67
    [10_005, 5000, 5_003], // S/ 100.05 − 50 % = 50.025 → 50.03
    [12_345, 1250, 10_802], // 123.45 − 12.5 % = 108.01875 → 108.02
    [1_001, 5000, 501], // CLP 1,001 − 50 % = 500.5 → 501
    [999, 3333, 666], // CLP 999 × 66.67 % = 666.03 → 666
    [5_000, 0, 5_000],
    [5_000, 10_000, 0],
  ])('debt %i with %i bp leaves %i', (debt, bp, expected) => {
    expect(campaignAmountOf(debt, 'porcentaje', bp)).toBe(expected);
  });

  it('rounds exactly half-up, never through floating point', () => {
    expect(campaignAmountOf(1, 'porcentaje', 5000)).toBe(1); // 0.5 → 1
    expect(campaignAmountOf(3, 'porcentaje', 5000)).toBe(2); // 1.5 → 2
    expect(campaignAmountOf(5, 'porcentaje', 7000)).toBe(2); // 1.5 → 2: the amount is rounded, not the discount
    expect(discountAmount(5, 'porcentaje', 7000)).toBe(3);
    expect(campaignAmountOf(900_719_925_474_099, 'porcentaje', 3333)).toBe(600_509_974_313_582); // × 0.6667 = …581.8 → …582
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

describe('a discount as staff read it', () => {
  it('leads with what was given: the percentage, or the fixed amount', () => {
    const money = (minor: number) => `S/ ${(minor / 100).toFixed(2)}`;
    const monto = offerOf({ debtAmount: 123_456, discountType: 'monto', discountValue: 23_456, campaignAmount: 100_000, paid: 0, totalDue: 100_000, closedReason: null, endDate: null }, '2026-03-10');
    expect(discountText('monto', monto, money)).toBe(`S/ 234.56 (${monto.discountPercent}%)`);
    const percent = offerOf({ debtAmount: 100_000, discountType: 'porcentaje', discountValue: 3000, campaignAmount: 70_000, paid: 0, totalDue: 70_000, closedReason: null, endDate: null }, '2026-03-10');
    expect(discountText('porcentaje', percent, money)).toBe('30% (S/ 300.00)');
    expect(discountText('monto', { discountPercent: 0, discountAmount: 0 }, money)).toBeNull();
  });
});
