import type { Clock } from './clock.js';

/** A calendar date as PostgreSQL's `date` prints it: YYYY-MM-DD. */
export type IsoDate = string;

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date at `instant` in `timeZone`. */
export function dateIn(timeZone: string, instant: Date): IsoDate {
  return dayFormatter(timeZone).format(instant);
}

const minuteFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local date and time at `instant` in `timeZone`, to the minute: "2026-03-10 10:05". */
export function dateTimeIn(timeZone: string, instant: Date): string {
  let formatter = minuteFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    minuteFormatters.set(timeZone, formatter);
  }
  const part = Object.fromEntries(formatter.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

/** The day last asked for in each timezone, with the instants it spans. */
const todays = new Map<string, { day: IsoDate; from: number; until: number }>();

/**
 * Today in the tenant's timezone, from the injectable clock. Every page asks, and formatting
 * an instant in a timezone costs tens of microseconds: the day is kept with the instants it
 * spans and worked out again only outside them (a clock that moves back included).
 */
export function todayIn(timeZone: string, clock: Clock): IsoDate {
  const now = clock.now().getTime();
  const known = todays.get(timeZone);
  if (known && now >= known.from && now < known.until) return known.day;
  const day = dateIn(timeZone, new Date(now));
  const from = startOfDayIn(timeZone, day).getTime();
  const until = startOfDayIn(timeZone, addDays(day, 1)).getTime();
  // Kept only when both ends check out: a zone whose midnight is odd is worked out each time.
  const exact = from <= now && now < until && dateIn(timeZone, new Date(from)) === day && dateIn(timeZone, new Date(until - 1)) === day && dateIn(timeZone, new Date(until)) !== day;
  if (exact) todays.set(timeZone, { day, from, until });
  return day;
}

/** A valid zone as the runtime names it ("america/lima" → "America/Lima"). */
export function canonicalTimeZone(timeZone: string): string {
  return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The number written by `length` ASCII digits at `start`, or -1 if any of them is not one. */
function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** The days money is owed, paid and promised on: a year outside them is a slip of the keyboard ("1900", "20026"). */
const FIRST_DAY = '1950-01-01';
const LAST_DAY = '2199-12-31';

/** A day (yyyy-mm-dd) within the years money is owed on (FIRST_DAY to LAST_DAY): 1950–2199. */
export function isDayWithinYears(value: string): boolean {
  return isIsoDate(value) && value >= FIRST_DAY && value <= LAST_DAY;
}

/** A real calendar date written yyyy-mm-dd (years before 0100 are refused). Counted, not built: uploads check it on every row. */
export function isIsoDate(value: string): boolean {
  // Read character by character, without match arrays. Anything but text (a repeated query
  // parameter arrives as an array) is read as its text.
  const text = typeof value === 'string' ? value : String(value);
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/** '/', '.' or '-', the marks a typed day may use. */
const isDayMark = (code: number) => code === 47 || code === 46 || code === 45;

/**
 * The year a two-digit one means: the one of its century nearest to `aroundYear`, no more
 * than 50 years before it nor 49 after (in 2026, "98" is 1998 and "26" or "45" are 2026 and
 * 2045). LibreOffice and Excel write dates as dd/mm/yy wherever that is the cell's format.
 */
export function fullYear(twoDigits: number, aroundYear: number): number {
  const year = aroundYear - (aroundYear % 100) + twoDigits;
  return year > aroundYear + 49 ? year - 100 : year < aroundYear - 50 ? year + 100 : year;
}

/**
 * A day as people type it: dd/mm/yyyy (or d/m/yyyy, or dd/mm/yy; with '/', '.' or '-') or
 * yyyy-mm-dd, a time after it dropped. '' when nothing is typed; null for anything else,
 * digits without marks above all ("150126" could be several days, and is not guessed).
 * `aroundYear` places a two-digit year (see fullYear); this year by default.
 */
export function parseTypedDay(input: string, options?: { aroundYear?: number }): IsoDate | '' | null {
  const s = input.trim();
  if (s === '') return '';
  // dd/mm/yyyy with two-digit day and month, the usual case, read without regular expressions.
  if (s.length === 10 && isDayMark(s.charCodeAt(2)) && isDayMark(s.charCodeAt(5)) && digitsAt(s, 0, 2) >= 0 && digitsAt(s, 3, 2) >= 0 && digitsAt(s, 6, 4) >= 0) {
    const iso = `${s.slice(6)}-${s.slice(3, 5)}-${s.slice(0, 2)}`;
    return isIsoDate(iso) ? iso : null;
  }
  if (isIsoDate(s)) return s;
  // A date-and-time cell written to a csv ("01/03/2026 23:30"): its day.
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s);
  if (m) {
    const iso = `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
    return isIsoDate(iso) ? iso : null;
  }
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s);
  if (m) {
    const iso = `${fullYear(Number(m[3]), options?.aroundYear ?? new Date().getUTCFullYear())}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
    return isIsoDate(iso) ? iso : null;
  }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(s);
  if (m) {
    const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    return isIsoDate(iso) ? iso : null;
  }
  return null;
}

/**
 * The day a spreadsheet's number cell holds as a date serial (Excel's day 1 is 1900-01-01
 * and it counts a 29 February 1900 that never was), or null outside 1900–2199: a number
 * such as 150126 typed into a date column is not a day anyone meant.
 */
export function serialDay(serial: number): IsoDate | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= 109_575) return null;
  return new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000).toISOString().slice(0, 10);
}

/** A calendar date as the pages write it, day first (2026-01-05 → 05/01/2026), for messages and histories. */
export function dayText(date: IsoDate): string {
  return `${date.slice(8)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** Whole days from `from` to `to` (both calendar dates). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The instant a calendar date ends in a timezone (the first instant of the next day),
 * found without a timezone library: guess at UTC midnight and correct by the offset.
 */
export function endOfDayIn(timeZone: string, date: IsoDate): Date {
  return startOfDayIn(timeZone, addDays(date, 1));
}

export function startOfDayIn(timeZone: string, date: IsoDate): Date {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  let guess = utcMidnight;
  for (let i = 0; i < 3; i++) {
    const offset = offsetMs(timeZone, new Date(guess));
    const next = utcMidnight - offset;
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function offsetMs(timeZone: string, instant: Date): number {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormatters.set(timeZone, formatter);
  }
  const p = Object.fromEntries(formatter.formatToParts(instant).map((part) => [part.type, part.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}
