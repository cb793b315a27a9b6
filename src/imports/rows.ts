import * as v from 'valibot';
import { clientFieldsSchema, withLostZeros, type ClientFieldsOptions, type DocumentType } from '../clients/fields.js';
import { dayText, isIsoDate, serialDay, type IsoDate } from '../platform/dates.js';
import { fold } from '../platform/search.js';
import { isFormulaError } from '../platform/spreadsheets/read.js';
import { parseWith, type Parsed } from '../platform/forms.js';
import { roundedAmountText } from '../platform/money.js';
import { orderFieldsSchema } from '../payment-orders/fields.js';
import { clientFieldKeys, clientsOnly, isVariableField, type Mapping } from './fields.js';

/**
 * A date cell as the date rules read it: a number cell's date serial as yyyy-mm-dd (a cell
 * with a date format arrives as a day already); anything typed as typed.
 */
export function dateCellText(value: string, fromNumberCell: boolean): string {
  if (!fromNumberCell || !/^\d+(\.\d+)?$/.test(value)) return value;
  return serialDay(Number(value)) ?? value;
}

const CHOICES: Record<string, Record<string, string>> = {
  status: { activo: 'activo', active: 'activo', inactivo: 'inactivo', inactive: 'inactivo' },
  contactability: {
    contactable: 'contactable',
    no_contactable: 'no_contactable',
    not_contactable: 'no_contactable',
    problemas_contactabilidad: 'problemas_contactabilidad',
    problemas_de_contactabilidad: 'problemas_contactabilidad',
    contactability_problems: 'problemas_contactabilidad',
  },
  portfolio: { vigente: 'vigente', current: 'vigente', castigada: 'castigada', charged_off: 'castigada' },
};

/** The words a column of choices takes, as the report lists them ("activo, inactivo"). */
function choiceWords(field: string): string {
  return [...new Set(Object.values(CHOICES[field] ?? {}))].join(', ');
}

function choiceValue(field: string, text: string): string {
  const key = text.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  return key === '' ? '' : (CHOICES[field]?.[key] ?? text);
}

/** Fields of money in uploads, whatever the kind; a discount value is money only for a discount in money. */
const MONEY_FIELDS = new Set(['amount', 'interest', 'discounts', 'debtAmount']);

/**
 * What the cells that held numbers (not text) mean for their fields, in place: money rounded
 * half away from zero to the currency's minor unit, as a money format shows it (a formula's
 * 140.4082 is S/ 140.41), and a document number given back the leading zeros a number
 * cannot keep. Typed text is left as typed.
 */
export function readNumberCells(
  values: Record<string, string>,
  mapping: Mapping,
  numbers: readonly number[] | undefined,
  context: { currency: string; documentTypes: readonly DocumentType[] },
): void {
  if (!numbers || numbers.length === 0) return;
  for (const key of Object.keys(values)) {
    if (!numbers.includes(mapping[key]!)) continue;
    const value = values[key]!;
    if (MONEY_FIELDS.has(key) || (key === 'discountValue' && values.discountType === 'monto')) values[key] = roundedAmountText(value, context.currency);
    else if (key === 'documentNumber') values[key] = withLostZeros(context.documentTypes, values.documentType ?? '', value);
  }
}

const YES = new Set(['si', 'sí', 's', 'yes', 'y', 'true', '1', 'x', 'verdadero', 'anulada', 'anulado']);
const NO = new Set(['', 'no', 'n', 'false', '0', 'falso', 'vigente', 'activa', 'activo']);

/**
 * Client fields a blank cell leaves as they are stored (a new client takes its default):
 * staged as null, like a blank email, phone or segment. A file that lacks a detail is not
 * asked to erase it; staff clear a detail in the client's form.
 */
const KEPT_WHEN_BLANK = ['status', 'contactability', 'portfolio', 'contactAlerts'] as const;
type KeptWhenBlank = (typeof KEPT_WHEN_BLANK)[number];
type ClientFields = v.InferOutput<ReturnType<typeof clientFieldsSchema>>;

export interface ValidRow {
  line: number;
  client: Omit<ClientFields, KeptWhenBlank> & { [K in KeptWhenBlank]?: ClientFields[K] | null };
  /** Null in a file of clients only (clientsOnly). */
  order: v.InferOutput<ReturnType<typeof orderFieldsSchema>> | null;
}

/** The parsed client with null for the fields whose cells were blank (see KEPT_WHEN_BLANK). */
function keepBlanks(parsed: ClientFields, typed: Record<string, string>): ValidRow['client'] {
  let client: ValidRow['client'] = parsed;
  for (const key of KEPT_WHEN_BLANK) if (typed[key] === '') client = { ...client, [key]: null };
  return client;
}

export interface RowError {
  line: number;
  column: string;
  value: string;
  message: string;
}

/** A row error as a line of the report: a long value is cut (a spreadsheet cell holds 32,767 characters at most). */
export function reportLine(error: RowError, translate: (message: string) => string): (string | number)[] {
  const value = error.value.length > 200 ? `${error.value.slice(0, 200)}…` : error.value;
  return [error.line, error.column, value, translate(error.message)];
}

/** A user of the tenant, as an upload names them in its Supervisor and Asesor columns. */
export interface StaffRef {
  id: number;
  email: string;
  name: string;
  role: string;
  active: boolean;
}

/** What checking an upload's rows needs to know: plain data, which the reader thread can be given too. */
export type RowValidatorOptions = ClientFieldsOptions & { currency: string; headers: string[]; mapping: Mapping; staff: readonly StaffRef[] };

/**
 * Finds the user a cell names: by the email they sign in with, or by their name (regardless
 * of case and accents) when no other user has it. Gives the id as the form sends it, '' for
 * a blank cell, or what is wrong.
 */
function staffFinder(staff: readonly StaffRef[]): (text: string, field: string) => { id: string } | { problem: string } {
  const byEmail = new Map(staff.map((user) => [user.email.toLowerCase(), user]));
  const byName = new Map<string, StaffRef | null>();
  for (const user of staff) {
    const key = fold(user.name.trim().replace(/\s+/g, ' '));
    byName.set(key, byName.has(key) ? null : user);
  }
  return (text, field) => {
    if (text === '') return { id: '' };
    const name = fold(text.replace(/\s+/g, ' '));
    const user = byEmail.get(text.toLowerCase()) ?? byName.get(name);
    if (user === null) return { problem: 'imports.error.staffAmbiguous' };
    if (user === undefined) return { problem: 'imports.error.staffUnknown' };
    if (!user.active) return { problem: 'imports.error.staffInactive' };
    // As the form: an advisor is no one's supervisor.
    if (field === 'supervisorId' && user.role === 'advisor') return { problem: 'clients.error.supervisorRole' };
    return { id: String(user.id) };
  };
}

/**
 * Checks one row with the same field rules as the forms (clients' and orders' own
 * schemas), after turning what spreadsheets hold into what the forms expect.
 */
export function rowValidator(options: RowValidatorOptions) {
  // Only the columns the file brings are checked (the rest keep what is stored, or take
  // their defaults when the client is new): unmapped fields come out undefined.
  const mapped = Object.keys(options.mapping);
  const clientSchema = clientFieldsSchema({ ...options, only: mapped });
  const orderSchema = clientsOnly(options.mapping) ? null : orderFieldsSchema({ currency: options.currency, only: mapped });
  const headerOf = (key: string) => (key in options.mapping ? (options.headers[options.mapping[key]!] ?? key) : key);
  // An additional variable's column is the client's too, plain text as its form field.
  const clientKeys = new Set<string>([...clientFieldKeys, ...Object.keys(options.mapping).filter(isVariableField)]);
  // What each mapped column becomes, worked out once for the whole file rather than per row.
  const columns = Object.entries(options.mapping).map(([key, index]) => ({
    key,
    index,
    kind: key === 'supervisorId' || key === 'advisorId' ? 'staff' : clientKeys.has(key) ? (key in CHOICES ? 'choice' : 'client') : key === 'issueDate' || key === 'dueDate' ? 'date' : key === 'annulled' ? 'yes' : 'order',
  }));
  const findStaff = staffFinder(options.staff);
  const mappedClientKeys = columns.map((c) => c.key).filter((key) => clientKeys.has(key));
  // A client's orders usually come on consecutive rows with the same client columns: those
  // are checked once (the client's rules, a phone number's above all, are the costly part).
  let previous: { input: Record<string, string>; value: ValidRow['client'] } | undefined;
  const sameClient = (a: Record<string, string>, b: Record<string, string>) => {
    for (const key of mappedClientKeys) if (a[key] !== b[key]) return false;
    return true;
  };
  return (line: number, cells: string[], numbers?: readonly number[]): { ok: true; row: ValidRow } | { ok: false; errors: RowError[] } => {
    const client: Record<string, string> = {};
    const order: Record<string, string> = {};
    let cellProblems: Record<string, string> | undefined;
    for (const { key, index, kind } of columns) {
      let value = (cells[index] ?? '').trim();
      // A formula that failed is neither a value nor a blank (which would keep or clear what is stored).
      const first = value.charCodeAt(0);
      if ((first === 35 /* # */ || first === 69) /* E, LibreOffice's "Err:502" */ && isFormulaError(value)) {
        (cellProblems ??= {})[key] = 'imports.error.formulaError';
        value = '';
      }
      if (kind === 'client') client[key] = value;
      else if (kind === 'choice') client[key] = choiceValue(key, value);
      else if (kind === 'staff') {
        const found = findStaff(value, key);
        if ('id' in found) client[key] = found.id;
        else {
          client[key] = '';
          (cellProblems ??= {})[key] = found.problem;
        }
      }
      else if (kind === 'date') order[key] = dateCellText(value, numbers?.includes(index) ?? false);
      else if (kind === 'yes') {
        // Only a yes or a no: a word read as neither must not decide whether a debt is annulled.
        const word = value.toLowerCase();
        order[key] = YES.has(word) ? 'on' : '';
        if (!YES.has(word) && !NO.has(word)) (cellProblems ??= {})[key] = 'imports.error.yesNo';
      }
      else order[key] = value;
    }
    if (numbers) {
      readNumberCells(client, options.mapping, numbers, options);
      readNumberCells(order, options.mapping, numbers, options);
    }
    let c: Parsed<ValidRow['client']>;
    if (previous && sameClient(previous.input, client)) c = { ok: true, value: previous.value };
    else {
      const parsed = parseWith(clientSchema, client);
      c = parsed.ok ? { ok: true, value: keepBlanks(parsed.value, client) } : parsed;
    }
    if (c.ok) previous = { input: client, value: c.value };
    const o: Parsed<ValidRow['order']> = orderSchema ? parseWith(orderSchema, order) : { ok: true, value: null };
    if (c.ok && o.ok && !cellProblems) return { ok: true, row: { line, client: c.value, order: o.value } };
    // What the person typed, for the report: worked out only for the rows that fail.
    const typed = (key: string) => {
      const index = options.mapping[key];
      const value = index === undefined ? '' : (cells[index] ?? '').trim();
      // A date cell arrives as yyyy-mm-dd: the report shows it as the sheet does.
      return isIsoDate(value) ? dayText(value as IsoDate) : value;
    };
    const errors: RowError[] = [];
    // A failed formula is what the cell says, for client and order columns alike: it wins over the schema's "required".
    for (const [path, message] of Object.entries({ ...(c.ok ? {} : c.errors), ...(o.ok ? {} : o.errors), ...cellProblems })) {
      // A path within a field (an alert of the list) is the field's; a variable's field has a dot of its own.
      const key = path in options.mapping ? path : path.split('.')[0]!;
      // A file has no list to choose from: it is told the words it may write.
      const choices = CHOICES[key] && message.startsWith('clients.error.') ? choiceWords(key) : null;
      errors.push({ line, column: headerOf(key), value: typed(key), message: choices ? `imports.error.oneOf?values=${encodeURIComponent(choices)}` : message });
    }
    return { ok: false, errors };
  };
}
