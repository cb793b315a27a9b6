import * as v from 'valibot';
import { checkbox, optionalText, requiredText, someEntries } from '../platform/forms.js';
import { isDayWithinYears, parseTypedDay } from '../platform/dates.js';
import { currencyDigits, decimalMarkOf, isAmbiguousAmount, isTooLargeAmount, MAX_WHOLE_DIGITS, parseMoney, type Minor } from '../platform/money.js';

/** What to write instead of an amount that reads two ways (isAmbiguousAmount). */
export function ambiguousAmountMessage(currency: string): string {
  return decimalMarkOf(currency) === '.' ? 'receivables.money.ambiguousPoint' : 'receivables.money.ambiguousComma';
}

/**
 * An amount as people type it, in minor units of `currency`. The messages tell apart text
 * that is not a number, a negative amount and more decimals than the currency has.
 */
export function moneyField(currency: string, opts: { required: boolean; positive?: boolean }) {
  return v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.check((s) => !opts.required || s !== '', 'common.required'),
    v.rawTransform(({ dataset, addIssue, NEVER }): Minor => {
      const text = dataset.value;
      if (text === '') return 0;
      // A currency sign may lead ("S/ 12", "PEN 12"); letters after the first digit mean it is not an amount.
      const minor = /\d.*\p{L}/u.test(text) ? null : parseMoney(text, currency);
      if (isTooLargeAmount(text, minor, currency)) {
        addIssue({ message: `receivables.money.tooLarge?digits=${MAX_WHOLE_DIGITS}` });
        return NEVER;
      }
      if (minor === null && isAmbiguousAmount(text, currency)) {
        addIssue({ message: ambiguousAmountMessage(currency) });
        return NEVER;
      }
      if (minor === null) {
        // Tell "too many decimals" from "not a number": an amount whose decimals, after its last
        // mark, are more than the currency has, and that parses without them ("1.2345",
        // "1,234.567"; not "1.5.0" nor "12,34,567", whose marks are what is wrong).
        const tail = /([.,])(\d+)\)?$/.exec(text);
        const before = tail ? text.slice(0, tail.index) : '';
        const looksNumeric =
          tail !== null && !/\d.*\p{L}/u.test(text) && tail[2]!.length > currencyDigits(currency) && !before.includes(tail[1]!) && parseMoney(before + (text.endsWith(')') ? ')' : ''), currency) !== null;
        addIssue({ message: looksNumeric ? 'receivables.money.tooManyDecimals' : 'receivables.money.notANumber' });
        return NEVER;
      }
      if (minor < 0) {
        addIssue({ message: 'receivables.money.negative' });
        return NEVER;
      }
      if (opts.positive && minor === 0) {
        addIssue({ message: 'receivables.money.notPositive' });
        return NEVER;
      }
      return minor;
    }),
  );
}

export const isoDateField = (required = true) =>
  v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.check((s) => !required || s !== '', 'common.required'),
    v.transform(parseTypedDay),
    v.check((d): d is string => d !== null, 'receivables.date.invalid'),
    v.check((d) => d === '' || isDayWithinYears(d!), 'receivables.date.outOfRange'),
    v.transform((d) => d as string),
  );

/**
 * A payment code as people type it: debtors read it aloud and type it at the bank, where
 * "op-12" and "OP-12" are the same code, so it is kept in capitals (as document numbers are)
 * and is unique per tenant whatever the case it was typed in.
 */
export const paymentCodeField = () => v.pipe(requiredText(64), v.toUpperCase());

/** A payment code that may be left blank (a campaign's associated code), in capitals when given. */
export const optionalPaymentCodeField = () => v.pipe(optionalText(64), v.transform((s) => (s === null ? null : s.toUpperCase())));

/**
 * The fields of a payment order as people type them (the form and the import share it);
 * with `only`, just those fields (an import's mapped columns; the dates always).
 */
export function orderFieldsSchema({ currency, only }: { currency: string; only?: readonly string[] }) {
  const fields = {
    paymentCode: paymentCodeField(),
    product: optionalText(120),
    // An order of nothing owes nothing: it would be paid the moment it is made.
    amount: moneyField(currency, { required: true, positive: true }),
    interest: moneyField(currency, { required: false }),
    discounts: moneyField(currency, { required: false }),
    issueDate: isoDateField(),
    dueDate: isoDateField(),
    annulled: checkbox,
  };
  return v.pipe(
    v.object(someEntries(fields, only, ['issueDate', 'dueDate'])),
    v.forward(
      v.check((o) => o.dueDate >= o.issueDate, 'receivables.orders.dueBeforeIssue'),
      ['dueDate'],
    ),
    // Discounts bring the order to zero at most: a negative order would lower the client's
    // other debts. Checked when the amount, interest and discounts are all given (an import
    // that maps only some of them keeps the others as stored).
    v.forward(
      v.check(
        (o) => {
          const { amount, interest, discounts } = o as { amount?: number; interest?: number; discounts?: number };
          return amount === undefined || interest === undefined || discounts === undefined || discounts <= amount + interest;
        },
        'receivables.orders.discountsAboveAmount',
      ),
      ['discounts'],
    ),
  );
}

export type OrderFields = v.InferOutput<ReturnType<typeof orderFieldsSchema>>;
