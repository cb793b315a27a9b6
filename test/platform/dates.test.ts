import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/platform/clock.js';
import { addDays, dateIn, daysBetween, endOfDayIn, fullYear, isIsoDate, parseTypedDay, serialDay, startOfDayIn, todayIn } from '../../src/platform/dates.js';

describe('dates in the tenant timezone', () => {
  it('gives the same today as formatting the instant, minute by minute across midnights and clock changes, forwards and back', () => {
    // Santiago moves its clocks at midnight (back on 5 April, forward on 6 September 2026).
    const spans = [
      ['America/Santiago', '2026-04-04T00:00:00Z'],
      ['America/Santiago', '2026-09-05T00:00:00Z'],
      ['America/Lima', '2026-03-10T00:00:00Z'],
      ['Pacific/Chatham', '2026-04-04T00:00:00Z'],
    ] as const;
    for (const [zone, start] of spans) {
      let now = Date.parse(start);
      const clock = { now: () => new Date(now) };
      const instants = Array.from({ length: (3 * 24 * 60) / 7 }, (_, i) => Date.parse(start) + i * 7 * 60_000);
      for (const at of [...instants, ...instants.reverse()]) {
        now = at;
        expect(todayIn(zone, clock), `${zone} at ${new Date(at).toISOString()}`).toBe(dateIn(zone, new Date(at)));
      }
    }
  });

  it('takes today from the tenant timezone, not the server’s', () => {
    const clock = fixedClock('2026-03-11T04:30:00Z'); // 23:30 on the 10th in Lima
    expect(todayIn('America/Lima', clock)).toBe('2026-03-10');
    expect(todayIn('UTC', clock)).toBe('2026-03-11');
    expect(todayIn('America/Santiago', clock)).toBe('2026-03-11');
  });

  it('finds the instants a local day starts and ends, across daylight saving', () => {
    expect(startOfDayIn('America/Lima', '2026-03-10').toISOString()).toBe('2026-03-10T05:00:00.000Z');
    expect(endOfDayIn('America/Lima', '2026-03-10').toISOString()).toBe('2026-03-11T05:00:00.000Z');
    // Santiago leaves summer time on 2026-04-05 (UTC-3 → UTC-4).
    expect(startOfDayIn('America/Santiago', '2026-04-04').toISOString()).toBe('2026-04-04T03:00:00.000Z');
    expect(startOfDayIn('America/Santiago', '2026-04-06').toISOString()).toBe('2026-04-06T04:00:00.000Z');
  });

  it('counts calendar days and validates dates', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('29/02/2028')).toBe(false);
  });

  it('reads days as people type them and refuses what could be several days', () => {
    expect(['31/12/2026', '31-12-2026', '31.12.2026', '5/1/2026', '2026-12-31', '2026-1-5', '2026-12-31T00:00:00', ' 05/01/2026 '].map((text) => parseTypedDay(text))).toEqual([
      '2026-12-31', '2026-12-31', '2026-12-31', '2026-01-05', '2026-12-31', '2026-01-05', '2026-12-31', '2026-01-05',
    ]);
    expect(parseTypedDay('')).toBe('');
    // A date-and-time cell as a spreadsheet writes it to a csv: its day.
    expect(['01/03/2026 23:30', '1/3/2026 0:00', '01/03/26 23:30:15'].map((text) => parseTypedDay(text, { aroundYear: 2026 }))).toEqual(['2026-03-01', '2026-03-01', '2026-03-01']);
    for (const text of ['150126', '15012026', '46037', '31/02/2026', '12/31/2026', '2026-02-30', '31/02/26', '15/01/2', 'mañana']) expect(parseTypedDay(text), text).toBeNull();
    // Two-digit years, as LibreOffice and Excel write dd/mm/yy cells: the century nearest the year.
    expect(['15/01/26', '6/1/26', '31.12.75', '01-01-76', '28/02/98', '29/02/00'].map((text) => parseTypedDay(text, { aroundYear: 2026 }))).toEqual([
      '2026-01-15', '2026-01-06', '2075-12-31', '1976-01-01', '1998-02-28', '2000-02-29',
    ]);
    expect([fullYear(26, 2080), fullYear(30, 2080), fullYear(29, 2080)]).toEqual([2126, 2030, 2129]);
    expect(serialDay(46037)).toBe('2026-01-15');
    expect(serialDay(61)).toBe('1900-03-01');
    expect(serialDay(150126)).toBeNull();
    expect(serialDay(0)).toBeNull();
  });
});

