import * as v from 'valibot';
import { parseTypedDay } from '../platform/dates.js';
import { optionalText, requiredText } from '../platform/forms.js';
import { isAmbiguousAmount, isTooLargeAmount, MAX_WHOLE_DIGITS, parseMoney } from '../platform/money.js';
import { ambiguousAmountMessage, optionalPaymentCodeField } from '../payment-orders/fields.js';
import { personName } from '../clients/fields.js';
import { discountTypes } from './schema.js';
import { parsePercent } from './compute.js';

/**
 * A campaign entry's fields with the names staff know (same in the form, the file upload
 * and the API). The discount is validated against its type and the debt here, so a form and
 * a spreadsheet row get the same per-field messages.
 */
export function campaignFieldsSchema({ currency }: { currency: string }) {
  return v.pipe(
    v.object({
      documentType: requiredText(20, 'campaigns.error.documentType'),
      documentNumber: requiredText(30, 'clients.error.documentRequired'),
      name: v.pipe(personName(false), v.transform((text) => (text === '' ? null : text))),
      email: v.pipe(optionalText(254), v.check((s) => s === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'clients.error.emailInvalid')),
      phone: optionalText(40),
      campaignCode: requiredText(80, 'campaigns.error.campaignCode'),
      debtAmount: v.pipe(
        v.optional(v.string(), ''),
        v.rawTransform(({ dataset, addIssue, NEVER }) => {
          const n = parseMoney(dataset.value, currency);
          if (isTooLargeAmount(dataset.value, n, currency)) {
            addIssue({ message: `receivables.money.tooLarge?digits=${MAX_WHOLE_DIGITS}` });
            return NEVER;
          }
          if (n !== null && n > 0) return n;
          addIssue({ message: n === null && isAmbiguousAmount(dataset.value, currency) ? ambiguousAmountMessage(currency) : 'campaigns.error.debtAmount' });
          return NEVER;
        }),
      ),
      discountType: v.pipe(v.optional(v.string(), ''), v.trim(), v.toLowerCase(), v.picklist(discountTypes, 'campaigns.error.discountType')),
      // Said missing with the other fields, not after them as an out-of-range percentage.
      discountValue: v.pipe(v.optional(v.string(), ''), v.check((s) => s.trim() !== '', 'campaigns.error.discountValueRequired')),
      endDate: v.pipe(
        v.optional(v.string(), ''),
        v.transform(parseTypedDay),
        v.check((d): d is string => d !== null, 'campaigns.error.endDate'),
        v.transform((d) => (d === '' ? null : (d as string))),
      ),
      paymentCode: optionalPaymentCodeField(),
    }),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const { discountType, discountValue } = dataset.value;
      const value = discountType === 'porcentaje' ? parsePercent(discountValue) : parseMoney(discountValue, currency);
      if (value === null || value < 0 || (discountType === 'porcentaje' && value > 10_000)) {
        const ambiguous = discountType !== 'porcentaje' && value === null && isAmbiguousAmount(discountValue, currency);
        addIssue({ message: ambiguous ? ambiguousAmountMessage(currency) : discountType === 'porcentaje' ? 'campaigns.error.percent' : 'campaigns.error.amount', path: [{ type: 'object', origin: 'value', input: dataset.value, key: 'discountValue', value: discountValue }] });
        return NEVER;
      }
      // A fixed discount above the debt leaves a campaign amount of 0, never less (SPEC 5):
      // the whole debt is forgiven, as with a 100 % discount (decision 0024).
      return { ...dataset.value, discountValue: value };
    }),
  );
}

export type CampaignFields = v.InferOutput<ReturnType<typeof campaignFieldsSchema>>;
