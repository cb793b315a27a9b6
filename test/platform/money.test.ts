import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMoney, isAmbiguousAmount, parseMoney, toDecimalString, toUnits, roundedAmountText } from '../../src/platform/money.js';

describe('money', () => {
  it('knows the minor units of the currencies we serve', () => {
    expect(currencyDigits('PEN')).toBe(2);
    expect(currencyDigits('CLP')).toBe(0);
    expect(currencyDigits('COP')).toBe(2);
    expect(currencyDigits('USD')).toBe(2);
  });

  it('rounds what a number cell held to the minor unit, half away from zero, in a shape parseMoney cannot misread', () => {
    const cases: [string, string, string, number][] = [
      ['100.005', 'PEN', '100.01', 100_01],
      ['12.345', 'PEN', '12.35', 12_35],
      ['140.4082', 'PEN', '140.41', 140_41],
      ['1.005', 'PEN', '1.01', 1_01],
      ['99.995', 'PEN', '100.00', 100_00],
      ['-0.005', 'PEN', '-0.01', -1],
      ['1234', 'PEN', '1234.00', 1234_00],
      ['1e-7', 'PEN', '0.00', 0],
      ['12.5', 'CLP', '13', 13],
    ];
    for (const [text, currency, shown, minor] of cases) {
      expect(roundedAmountText(text, currency), text).toBe(shown);
      expect(parseMoney(shown, currency), text).toBe(minor);
    }
    expect(roundedAmountText('S/ 12', 'PEN')).toBe('S/ 12');
  });

  it('formats minor units in the tenant locale without floating point', () => {
    const plain = (s: string) => s.replace(/\s/g, ' ');
    expect(plain(formatMoney(123450, 'PEN', 'es-PE'))).toBe('S/ 1,234.50');
    expect(plain(formatMoney(12000, 'CLP', 'es-CL'))).toBe('$12.000');
    expect(plain(formatMoney(123450, 'COP', 'es-CO'))).toContain('1.234,50');
    expect(plain(formatMoney(900719925474099, 'PEN', 'es-PE'))).toBe('S/ 9,007,199,254,740.99');
    expect(formatMoney(-5, 'PEN', 'es-PE')).toContain('0.05');
    expect(toDecimalString(123405, 'PEN')).toBe('1234.05');
    expect(toDecimalString(12000, 'CLP')).toBe('12000');
    // Numbers for spreadsheet cells, in the currency's units.
    expect(toUnits(123405, 'PEN')).toBe(1234.05);
    expect(toUnits(12000, 'CLP')).toBe(12000);
    expect(toUnits(-5, 'PEN')).toBe(-0.05);
  });

  it('formats every amount below 10^15 minor units exactly as its decimal', () => {
    // Numbers take a quicker path than bigints; both must print the same decimal.
    const samples = [0, 1, -1, 5, 10, 99, 105, 995, 1005, 123405, 2 ** 31, 999_999_999_999_999, -999_999_999_999_999, 123_456_789_012_345];
    let seed = 2026;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let i = 0; i < 3000; i++) samples.push(Math.floor((next() / 2 ** 31) * 10 ** (1 + (i % 15))) * (i % 2 ? 1 : -1));
    for (const [currency, locale] of [['PEN', 'es-PE'], ['CLP', 'es-CL'], ['COP', 'es-CO']] as const) {
      for (const minor of samples) expect(formatMoney(minor, currency, locale)).toBe(formatMoney(BigInt(minor), currency, locale));
    }
  });

  it.each([
    ['S/ 1.234,50', 'PEN', 123450],
    ['1,234.50', 'PEN', 123450],
    ['1234.5', 'PEN', 123450],
    ['1234,5', 'PEN', 123450],
    ['1,234', 'PEN', 123400],
    ['1.234', 'COP', 123400],
    ['1.234', 'CLP', 1234],
    ['1,234', 'CLP', 1234],
    ['1.234.567', 'PEN', 123456700],
    ['$ 12.000', 'CLP', 12000],
    ['12000', 'CLP', 12000],
    ['0,10', 'PEN', 10],
    ['(15.00)', 'PEN', -1500],
    ['-15', 'PEN', -1500],
    // Thousands groups never start with 0: a mark after a lone 0 is the decimal mark.
    ['0,500', 'PEN', 50],
    ['0.500', 'PEN', 50],
    ['S/ 0,250', 'PEN', 25],
    ['S/. 1,234.50', 'PEN', 123450],
    ['S/.1234', 'PEN', 123400],
    ['s/. 15', 'PEN', 1500],
    ['S/\u00a01,234.50', 'PEN', 123450],
    ['US$ 1,234.50', 'USD', 123450],
    ['PEN 1234.50', 'PEN', 123450],
    ['1234.50 PEN', 'PEN', 123450],
    ['1 234,50', 'PEN', 123450],
    ['$\u00a012.000', 'CLP', 12000],
    ['S/ -12.50', 'PEN', -1250],
    ['-S/ 100', 'PEN', -10000],
    ['- 100', 'PEN', -10000],
    ['€ 1.234,50', 'EUR', 123450],
    ['1.234,50 €', 'EUR', 123450],
    ['R$ 1.234,50', 'BRL', 123450],
    ['Bs 100', 'BOB', 10000],
    ['$U 100', 'UYU', 10000],
    ['₡100', 'CRC', 10000],
    ['MX$100', 'MXN', 10000],
    ['COP 1.234,50', 'COP', 123450],
    // Each currency's own signs, the runtime's and the region's.
    ['$U 1.234,50', 'UYU', 123450],
    ['US$ 12.50', 'USD', 1250],
    ['MX$ 12.50', 'MXN', 1250],
    ['$ 12.000', 'CLP', 12000],
    ['R$ 1.234,50', 'BRL', 123450],
    ['Bs. 10,50', 'BOB', 1050],
  ])('reads %s as %s minor units', (input, currency, expected) => {
    expect(parseMoney(input, currency)).toBe(expected);
  });

  it.each([['abc'], [''], ['1.2.3,4,5'], ['12,345.678'], ['1,5'.replace(',', ',,')], ['12.5'], ['1,23,456'], ['0,001'], ['S/ 0.001'], ['0.500.000'], ['0,500'],
    // Digits are never joined across what is not a currency sign or a thousands space.
    ['1+1'], ['+1+1'], ['=10+5'], ['=1000+500'], ['75%'], ['1 2 3'], ['1_000'], ['12 34'], ['S/ 1+1'],
    // Letters are a sign only as the tenant's currency code.
    ['abc100'], ['100 kgs'], ['USD 100'],
    // Another currency's sign is not the tenant's: dollars typed for a tenant in soles are refused.
    ['US$ 100'], ['$10'], ['€50'], ['£ 20'], ['R$ 30'], ['100 €'], ['MX$ 5']])(
    'rejects %s',
    (input) => {
      const currency = input === '12.5' || input === '0,500' ? 'CLP' : 'PEN';
      expect(parseMoney(input, currency)).toBeNull();
    },
  );

  it.each([
    ['1.500', 'PEN', true],
    ['S/ 10.555', 'PEN', true],
    ['100.005', 'USD', true],
    ['1,500', 'COP', true],
    ['1,500', 'PEN', false],
    ['1.500', 'COP', false],
    ['1.500', 'CLP', false],
    ['1.500,00', 'PEN', false],
    ['1.234.567', 'PEN', false],
    ['0.500', 'PEN', false],
    ['1.50', 'PEN', false],
  ])('takes %s in %s as one that reads two ways: %s', (input, currency, ambiguous) => {
    // One mark, the currency's own decimal mark, then three digits: a thousand times apart, so never guessed.
    expect(isAmbiguousAmount(input, currency)).toBe(ambiguous);
    if (ambiguous) expect(parseMoney(input, currency)).toBeNull();
  });
});
