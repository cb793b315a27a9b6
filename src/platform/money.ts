/**
 * Money is an integer count of the currency's minor units (centavos, or whole pesos for CLP).
 * Arithmetic stays in integers; only views format.
 */
export type Minor = number;

// ISO-4217 minor units for the region's currencies. Intl's data follows CLDR, which drops
// the decimals of some (COP) for display; the ledger keeps what ISO says.
const ISO_DIGITS: Record<string, number> = {
  ARS: 2, BOB: 2, BRL: 2, CLP: 0, COP: 2, CRC: 2, DOP: 2, EUR: 2, GTQ: 2, HNL: 2,
  MXN: 2, NIO: 2, PAB: 2, PEN: 2, PYG: 0, USD: 2, UYU: 2, VES: 2,
};

/** ISO-4217 minor-unit digits (PEN 2, CLP 0, COP 2); other currencies as Intl knows them. */
export function currencyDigits(currency: string): number {
  return ISO_DIGITS[currency] ?? new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function isCurrencyCode(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return Intl.supportedValuesOf('currency').includes(code);
  } catch {
    return false;
  }
}

const formatters = new Map<string, { format: Intl.NumberFormat; scale: number; digits: number }>();

/**
 * Below 10^15 minor units an amount has at most 15 significant digits, which a double
 * holds exactly enough for its shortest form to be that decimal: `minor / 10^digits` is
 * formatted as the amount itself. Larger amounts go through a decimal string built from
 * integers, which Intl formats exactly but about twice as slowly.
 */
const EXACT_BELOW = 1e15;

export function formatMoney(minor: Minor | bigint, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const digits = currencyDigits(currency);
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    formatter = { format, scale: 10 ** digits, digits };
    formatters.set(key, formatter);
  }
  if (typeof minor === 'number' && Number.isInteger(minor) && Math.abs(minor) < EXACT_BELOW) return formatter.format.format(minor === 0 ? 0 : minor / formatter.scale); // never "-0.00"
  const { digits } = formatter;
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(digits, '0');
  const decimal = `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
  return formatter.format.format(decimal as unknown as number);
}

/** The amount as a plain decimal for inputs and spreadsheets: 123456 PEN → "1234.56". */
export function toDecimalString(minor: Minor, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0;
  const abs = BigInt(Math.abs(minor));
  const scale = 10n ** BigInt(digits);
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(digits, '0');
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}

/**
 * The amount as a number in the currency's units, for a spreadsheet cell: 123456 PEN →
 * 1234.56. Exact: minor units below 2^53 divided by a power of ten give the nearest number
 * to the decimal; beyond, the decimal is read back.
 */
export function toUnits(minor: Minor, currency: string): number {
  return Number.isSafeInteger(minor) ? minor / 10 ** currencyDigits(currency) : Number(toDecimalString(minor, currency));
}

/**
 * A number a spreadsheet cell held (its plain text: "100.005", "-3.5", "1e-7"), rounded
 * half away from zero to the currency's minor unit, as the sheet shows it in a money
 * format, and written with exactly those decimals so that `parseMoney` cannot take a
 * decimal mark for a thousands one. The text back when it is not a plain number.
 */
export function roundedAmountText(text: string, currency: string): string {
  const digits = currencyDigits(currency);
  let s = text.trim();
  if (/e/i.test(s) && Number.isFinite(Number(s))) s = Number(s).toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return text;
  const [, sign, whole, fraction = ''] = m;
  // Half away from zero on the decimal digits themselves, never through floating point.
  let units = BigInt(whole! + fraction.padEnd(digits, '0').slice(0, digits));
  if ((fraction[digits] ?? '0') >= '5') units += 1n;
  if (units === 0n) return digits > 0 ? `0.${'0'.repeat(digits)}` : '0';
  const padded = units.toString().padStart(digits + 1, '0');
  const rounded = digits > 0 ? `${padded.slice(0, -digits)}.${padded.slice(-digits)}` : padded;
  return `${sign}${rounded}`;
}

// Where the currency's people write decimals with a comma ("1.234,50"); elsewhere with a
// point ("1,234.50"), as the pages of a PEN, USD or MXN tenant show amounts.
const COMMA_DECIMALS = new Set(['ARS', 'BOB', 'BRL', 'CLP', 'COP', 'CRC', 'EUR', 'PYG', 'UYU', 'VES']);

const SPACES = /[\s\u00a0\u202f]/g;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Signs people of the region write that the runtime does not: the sol's older "S/.", "$U"… */
const LOCAL_SIGNS: Record<string, string[]> = {
  PEN: ['S/.', 'S/'],
  UYU: ['$U'],
  ARS: ['AR$'],
  CLP: ['CLP$', 'CH$'],
  COP: ['COL$', 'COP$'],
  BOB: ['Bs.'],
};

const signsOf = new Map<string, { leading: RegExp; trailing: RegExp }>();
/**
 * What may stand for the currency beside an amount: its code, the symbols the runtime writes
 * for it in the languages of our markets ("S/", "R$", "$U", "Bs", "€", "US$", "MX$"), and the
 * sol's older "S/." with a dot of its own. As one alternation, the longest first. Another
 * currency's sign is not this one's: "US$ 100" or "€50" typed for a tenant in soles is
 * refused, never read as soles.
 */
function currencySigns(currency: string): { leading: RegExp; trailing: RegExp } {
  let known = signsOf.get(currency);
  if (!known) {
    const signs = new Set([currency.toUpperCase(), ...(LOCAL_SIGNS[currency] ?? [])]);
    for (const locale of ['es', 'es-PE', 'es-CL', 'es-BO', 'es-UY', 'es-CR', 'es-MX', 'pt-BR', 'en']) {
      for (const currencyDisplay of ['symbol', 'narrowSymbol'] as const) {
        try {
          const part = new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay }).formatToParts(1).find((p) => p.type === 'currency');
          if (part) signs.add(part.value);
        } catch {
          // A code the runtime does not know: its code alone.
        }
      }
    }
    // The longest first, so that "$U" is taken whole rather than as "$".
    const sign = `(?:${[...signs].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})`;
    known = { leading: new RegExp(`^${sign}`, 'iu'), trailing: new RegExp(`[\\s\\u00a0\\u202f]*${sign}$`, 'iu') };
    signsOf.set(currency, known);
  }
  return known;
}

/**
 * An amount without what may surround its number: the currency's sign or code before or after
 * it (currencySigns), and the spaces that group thousands in some places ("1 234,50").
 * Anything else stays, so that "1+1", "=10+5", "75%" or "1_000" are not amounts: digits are
 * never joined across them. A minus may come before the sign ("-S/ 12") or after it.
 */
function withoutCurrencySign(text: string, currency: string): string {
  const signs = currencySigns(currency);
  let s = text.trim();
  let minus = '';
  if (s.startsWith('-')) {
    minus = '-';
    s = s.slice(1).trimStart();
  }
  s = s.replace(signs.leading, '').trimStart().replace(signs.trailing, '');
  if (!minus && s.startsWith('-')) {
    minus = '-';
    s = s.slice(1).trimStart();
  }
  if (/^\d{1,3}(?:[\s\u00a0\u202f]\d{3})+(?:[.,]\d+)?$/.test(s)) s = s.replace(SPACES, '');
  return minus + s;
}

/** The mark the currency's people write decimals with. */
export function decimalMarkOf(currency: string): ',' | '.' {
  return COMMA_DECIMALS.has(currency) ? ',' : '.';
}

/**
 * Whether an amount may be read two ways a thousand times apart: one mark, the currency's
 * own decimal mark, followed by exactly three digits ("1.500" for soles: one thousand five
 * hundred written the European way, or a slip in 1.50?). Such an amount is refused with a
 * message that says how to write it, never guessed. Currencies without decimals (CLP) read
 * it as thousands: there is nothing else it can mean.
 */
export function isAmbiguousAmount(input: string, currency: string): boolean {
  if (currencyDigits(currency) === 0) return false;
  const s = withoutCurrencySign(input.trim().replace(/^\(|\)$/g, ''), currency).replace(/^-/, '');
  if (!/^[0-9.,]*$/.test(s)) return false;
  const mark = decimalMarkOf(currency);
  const at = s.indexOf(mark);
  return at > 0 && at === s.lastIndexOf(mark) && !s.includes(mark === '.' ? ',' : '.') && s.length - at - 1 === 3 && s[0] !== '0';
}

/** Digits an amount may have before its decimals: ten thousand million, a single debt no lender carries. */
export const MAX_WHOLE_DIGITS = 10;

/**
 * Whether a typed amount is beyond what one field takes (`MAX_WHOLE_DIGITS`): below it, the
 * sums of a client's or a tray's amounts stay exact integers of minor units.
 */
export function isTooLargeAmount(input: string, minor: Minor | null, currency: string): boolean {
  if (minor !== null) return Math.abs(minor) >= 10 ** (MAX_WHOLE_DIGITS + currencyDigits(currency));
  // What parseMoney refuses for size alone (past 2^53) has more whole digits than any amount
  // may; digits after a decimal mark ("0.333333333333333", a formula's result) make nothing large.
  const whole = input.trim().replace(/[.,]\d*$/, '');
  return whole.replace(/\D/g, '').length > MAX_WHOLE_DIGITS;
}

/**
 * Parses an amount as people type it: "S/ 1.234,50", "S/. 1,234.50", "1,234.50", "1234.5", "$ 12.000".
 * When both marks appear the last one is the decimal mark; a single mark followed by
 * exactly three digits groups thousands (no Latin-American currency has three decimals),
 * unless what comes before it is 0 ("0,500" is half a unit: groups never start with 0) or
 * the mark is the currency's own decimal mark (isAmbiguousAmount: not an amount); any
 * other single mark is the decimal mark. Returns minor units, or null when the text is not
 * an amount or has more decimals than the currency allows.
 */
export function parseMoney(input: string, currency: string): Minor | null {
  const digits = currencyDigits(currency);
  let s = input.trim();
  // The usual shapes ("1234", "1234,50", "0.5"): digits with at most one mark inside, not
  // followed by exactly three digits. What the rules below make of them, found in one pass.
  let mark = -1;
  let simple = s.length > 0;
  for (let i = 0; i < s.length && simple; i++) {
    const code = s.charCodeAt(i);
    if (code >= 48 && code <= 57) continue;
    if ((code === 44 || code === 46) && mark < 0 && i > 0 && i < s.length - 1) mark = i;
    else simple = false;
  }
  if (simple && mark < 0) return minorUnits(s, '', digits, false);
  if (simple && (s.length - mark - 1 !== 3 || s.charCodeAt(0) === 48)) return minorUnits(s.slice(0, mark), s.slice(mark + 1), digits, false);

  let negative = false;
  if (s.charCodeAt(0) === 40 /* ( */ && /^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  if (!/^[0-9.,-]*$/.test(s)) s = withoutCurrencySign(s, currency);
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  }
  if (!/^[0-9][0-9.,]*$/.test(s) || /[.,]$/.test(s)) return null;
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  let decimalMark: ',' | '.' | null = null;
  if (lastComma >= 0 && lastDot >= 0) {
    decimalMark = lastComma > lastDot ? ',' : '.';
  } else if (lastComma >= 0 || lastDot >= 0) {
    const mark = lastComma >= 0 ? ',' : '.';
    const once = s.indexOf(mark) === s.lastIndexOf(mark);
    const tail = s.length - s.lastIndexOf(mark) - 1;
    if (once && tail === 3 && !s.startsWith('0') && digits > 0 && mark === decimalMarkOf(currency)) return null;
    decimalMark = once && (tail !== 3 || s.startsWith('0')) ? mark : null;
  }
  let whole = s;
  let fraction = '';
  if (decimalMark) {
    const at = s.lastIndexOf(decimalMark);
    whole = s.slice(0, at);
    fraction = s.slice(at + 1);
    if (!/^\d+$/.test(fraction)) return null;
  }
  const comma = whole.includes(',');
  const dot = whole.includes('.');
  if (comma || dot) {
    if (!/^[1-9]\d{0,2}([.,]\d{3})+$/.test(whole)) return null;
    // Thousands are grouped with one mark only.
    if (comma && dot) return null;
    whole = whole.replace(/[.,]/g, '');
  }
  return minorUnits(whole, fraction, digits, negative);
}

/** Whole and fraction digits (already checked) as minor units; null with more decimals than the currency has or beyond safe integers. */
function minorUnits(whole: string, fraction: string, digits: number, negative: boolean): Minor | null {
  whole ||= '0';
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length > digits) return null;
  const cents = fraction.padEnd(digits, '0') || '0';
  let value: number;
  if (whole.length + digits <= 15) {
    // Below 10^15 doubles are exact integers: no BigInt needed (the common case).
    value = Number(whole) * 10 ** digits + Number(cents);
  } else {
    const minor = BigInt(whole) * 10n ** BigInt(digits) + BigInt(cents);
    if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    value = Number(minor);
  }
  return negative && value !== 0 ? -value : value;
}
