import { asc, eq } from 'drizzle-orm';
// The library's modern build (same source and metadata as its default entry, transpiled for
// current engines): the default build's spread helpers cost more than the parse on a big upload.
import { getExampleNumber, isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/core/es6';
import phoneExamples from 'libphonenumber-js/mobile/examples';
import phoneMetadata from 'libphonenumber-js/min/metadata';
import * as v from 'valibot';
import type { Db } from '../db/index.js';
import { optionalText, someEntries, tooLong } from '../platform/forms.js';
import { clientVariables, documentTypes } from '../settings/schema.js';
import { clientStatuses, contactabilities, portfolios } from './schema.js';

export interface DocumentType {
  code: string;
  label: string;
  /** A regular expression the whole (normalised) number must match. */
  pattern: string;
}

export interface ClientVariable {
  key: string;
  label: string;
}

/** SUNAT's RUC: 10, 15, 16, 17 or 20, then nine digits. */
const RUC_PATTERN = '^(10|15|16|17|20)\\d{9}$';

/** What a tenant gets until it configures its own list (Ajustes). */
export const defaultDocumentTypes: readonly DocumentType[] = [
  { code: 'DNI', label: 'DNI – Documento Nacional de Identidad', pattern: '^\\d{8}$' },
  { code: 'CE', label: 'CE – Carné de extranjería', pattern: '^[A-Za-z0-9]{9,12}$' },
  { code: 'RUC', label: 'RUC – Registro Único de Contribuyentes', pattern: RUC_PATTERN },
  { code: 'PASAPORTE', label: 'Pasaporte', pattern: '^[A-Za-z0-9]{6,12}$' },
  { code: 'CC', label: 'CC – Cédula de ciudadanía', pattern: '^\\d{6,10}$' },
  { code: 'NIT', label: 'NIT – Número de Identificación Tributaria', pattern: '^\\d{9,10}$' },
];

export async function documentTypesFor(db: Db, tenantId: number): Promise<DocumentType[]> {
  const rows = await db
    .select({ code: documentTypes.code, label: documentTypes.label, pattern: documentTypes.pattern })
    .from(documentTypes)
    .where(eq(documentTypes.tenantId, tenantId))
    .orderBy(asc(documentTypes.position), asc(documentTypes.code));
  return rows.length > 0 ? rows : [...defaultDocumentTypes];
}

/** The additional client variables the tenant defined, in their display order. */
export async function clientVariablesFor(db: Db, tenantId: number): Promise<ClientVariable[]> {
  return db
    .select({ key: clientVariables.key, label: clientVariables.label })
    .from(clientVariables)
    .where(eq(clientVariables.tenantId, tenantId))
    .orderBy(asc(clientVariables.position), asc(clientVariables.key));
}

/**
 * A type is numeric when its pattern admits nothing but digits: separators people type
 * (12.345.678, 20-12345678-9) are then noise and are dropped. A pattern that writes a
 * separator itself (\d{2}-\d{8}-\d) keeps them.
 */
function isNumericPattern(pattern: string): boolean {
  return pattern.replace(/\\d|\[0-9\]|\{\d+(,\d*)?\}|[\^$()|?:+*]|\d/g, '') === '';
}

/** The longest document number a pattern is tried on: past it, a number is refused unread. */
export const DOCUMENT_MAX_LENGTH = 30;

function typeFrom(type: Pick<DocumentType, 'pattern'> | string): Pick<DocumentType, 'pattern'> | undefined {
  return typeof type === 'string' ? defaultDocumentTypes.find((d) => d.code === type.trim().toUpperCase()) : type;
}

/**
 * The number as stored: trimmed and upper-cased; for numeric types without spaces, dots
 * or hyphens. Leading zeros are part of the number (a DNI may start with 0).
 */
export function normalizeDocumentNumber(type: Pick<DocumentType, 'pattern'> | string, raw: string): string {
  const found = typeFrom(type);
  return normalized(Boolean(found && isNumericPattern(found.pattern)), raw);
}

function normalized(numeric: boolean, raw: string): string {
  const trimmed = raw.trim().toUpperCase();
  return numeric ? trimmed.replace(/[\s.\-]/g, '') : trimmed;
}

/** The most leading zeros a real number of a fixed count of digits has (a DNI starts 00 at most). */
const MAX_LOST_ZEROS = 2;

/**
 * A document number a spreadsheet kept as a number has lost its leading zeros (DNI
 * 01234567 became 1234567): they are given back for a type of a fixed count of digits, as
 * many as a real number can have. A number shorter than that is a number cut short, not a
 * number with zeros: padded it would be another debtor, so it stays as it is and its rule
 * says how many digits it lacks (as for a csv).
 */
export function withLostZeros(types: readonly DocumentType[], type: string, number: string): string {
  const rule = types.find((t) => t.code === type.trim().toUpperCase());
  const digits = rule ? fixedDigits(rule.pattern) : null;
  if (digits === null || !/^\d+$/.test(number) || number.length < digits - MAX_LOST_ZEROS) return number;
  return number.padStart(digits, '0');
}

/** A format of lengths only: digits, or letters and digits, from `min` to `max` characters. */
export interface LengthRule {
  kind: 'digits' | 'alphanumeric';
  min: number;
  max: number;
}

/** A pattern of the shape lengthPattern writes (DNI `^\d{8}$`, CE `^[A-Za-z0-9]{9,12}$`) as its lengths, or null. */
export function lengthRuleOf(pattern: string): LengthRule | null {
  const shape = /^\^(\\d|\[0-9\]|\[A-Za-z0-9\])\{(\d+)(?:,(\d+))?\}\$$/.exec(pattern);
  if (!shape) return null;
  return { kind: shape[1] === '[A-Za-z0-9]' ? 'alphanumeric' : 'digits', min: Number(shape[2]), max: Number(shape[3] ?? shape[2]) };
}

/** The pattern of a format of lengths. */
export function lengthPattern(rule: LengthRule): string {
  const counts = rule.max === rule.min ? `{${rule.min}}` : `{${rule.min},${rule.max}}`;
  return `${rule.kind === 'digits' ? '^\\d' : '^[A-Za-z0-9]'}${counts}$`;
}

/** How many digits a type of a fixed count of digits has (DNI `^\d{8}$`: 8), or null. */
function fixedDigits(pattern: string): number | null {
  const rule = lengthRuleOf(pattern);
  return rule?.kind === 'digits' && rule.min === rule.max ? rule.min : null;
}

/** The RUC's check digit (SUNAT's módulo 11) for its first ten digits. */
export function rucCheckDigit(ten: string): number {
  const weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(ten[i]) * weights[i]!;
  const digit = 11 - (sum % 11);
  return digit === 10 ? 0 : digit === 11 ? 1 : digit;
}

/**
 * Whether an eleven-digit RUC's last digit is the check digit of the others. A RUC of another
 * shape is left to the type's pattern (a tenant may have changed it).
 */
function validRuc(value: string): boolean {
  return !/^\d{11}$/.test(value) || rucCheckDigit(value.slice(0, 10)) === Number(value[10]);
}

/** Null when the document is acceptable for the tenant's types; otherwise the message to show. */
export function checkDocument(types: readonly DocumentType[], type: string, number: string): string | null {
  const { known, problem } = documentRules(types).check(type, number);
  return known ? problem : 'clients.error.documentTypeInvalid';
}

/**
 * The document rules of one list of types: each type's pattern is read and compiled once
 * (lazily, so a broken pattern fails where it did), for checking many rows with one list.
 */
function documentRules(types: readonly DocumentType[]) {
  const rules = new Map<string, { type: DocumentType; numeric: boolean; pattern: RegExp | undefined }>();
  for (const type of types) if (!rules.has(type.code)) rules.set(type.code, { type, numeric: isNumericPattern(type.pattern), pattern: undefined });
  return {
    /** The number as stored and, when the type is known, what is wrong with it (null if nothing). */
    check(type: string, number: string): { known: boolean; normalized: string; problem: string | null } {
      const rule = rules.get(type.trim().toUpperCase());
      if (!rule) return { known: false, normalized: normalizeDocumentNumber(type, number), problem: null };
      const value = normalized(rule.numeric, number);
      if (value === '') return { known: true, normalized: value, problem: 'clients.error.documentRequired' };
      // Numbers are stored in capitals: a tenant's pattern written in small letters still matches.
      rule.pattern ??= new RegExp(rule.type.pattern, 'i');
      const problem = value.length > DOCUMENT_MAX_LENGTH || !rule.pattern.test(value)
        ? formatProblem(rule.type, value)
        : rule.type.code === 'RUC' && !validRuc(value)
          ? 'clients.error.rucCheckDigit'
          : null;
      return { known: true, normalized: value, problem };
    },
  };
}

/**
 * How a message names a type: its code where that is how people say it ("el DNI", "el RUC"),
 * its label where the label is a plain word ("el pasaporte", not "el PASAPORTE").
 */
export function documentName(type: Pick<DocumentType, 'code' | 'label'>): string {
  const label = type.label.trim();
  if (label === '' || label.includes(' – ') || label.toUpperCase() === label) return type.code;
  return /^\p{Lu}\p{Ll}/u.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label;
}

/**
 * What is wrong with a number that does not match its type: for a type of a fixed count of
 * digits, how many it has against how many it should (a DNI whose leading 0 a spreadsheet
 * dropped reads "tiene 7"); otherwise that it lacks the type's format.
 */
function formatProblem(type: DocumentType, value: string): string {
  const code = encodeURIComponent(documentName(type));
  // A RUC of SUNAT's shape: eleven digits, the first two saying what kind of taxpayer.
  if (type.pattern === RUC_PATTERN && /^\d+$/.test(value)) {
    return value.length === 11 ? 'clients.error.rucPrefix' : `clients.error.documentDigits?type=${code}&digits=11&count=${value.length}`;
  }
  const digits = fixedDigits(type.pattern);
  if (digits !== null && /^\d+$/.test(value)) {
    // One or two digits short is what a dropped leading 0 (or 00) looks like.
    const key = value.length < digits && value.length >= digits - 2 ? 'clients.error.documentDigitsShort' : 'clients.error.documentDigits';
    return `${key}?type=${code}&digits=${digits}&count=${value.length}`;
  }
  // A type of a range of lengths says the range when the length is what is wrong.
  const range = lengthRuleOf(type.pattern);
  const digitsOnly = range?.kind === 'digits';
  if (range && (digitsOnly ? /^\d+$/ : /^[A-Za-z0-9]+$/).test(value) && (value.length < range.min || value.length > range.max)) {
    return `clients.error.${digitsOnly ? 'documentDigitsRange' : 'documentCharsRange'}?type=${code}&min=${range.min}&max=${range.max}&count=${value.length}`;
  }
  return `clients.error.documentFormat?type=${code}`;
}

/**
 * What a wrong phone number is told: to write it with the country code, with the library's
 * example number of the tenant's country (+51 912 345 678 in Peru, +56 2 2123 4567 in Chile).
 */
function phoneProblem(country: string): string {
  const code = country.toUpperCase() as CountryCode;
  const example = isSupportedCountry(code, phoneMetadata) ? getExampleNumber(code, phoneExamples, phoneMetadata)?.formatInternational() : undefined;
  return `clients.error.phoneInvalid?example=${encodeURIComponent(example ?? '+51 912 345 678')}`;
}

/** Reads phone numbers for one country: the country is looked up once, not per number. */
function phoneReader(country: string): (raw: string) => string | null {
  const code = country.toUpperCase();
  const options = isSupportedCountry(code as CountryCode, phoneMetadata) ? { defaultCountry: code as CountryCode } : {};
  return (raw) => {
    const text = raw.trim();
    if (text === '') return null;
    const parsed = parsePhoneNumberFromString(text, options, phoneMetadata);
    // `number` is the E.164 form (what format('E.164') builds), without formatting again.
    return parsed && parsed.isValid() ? parsed.number : null;
  };
}

/** The phone in E.164 (+51987654321), read with the tenant's country when it has no prefix; null if not a valid number. */
export function normalizePhone(raw: string, country: string): string | null {
  return phoneReader(country)(raw);
}

const choice = <T extends readonly string[]>(options: T, fallback: T[number], message: string) =>
  v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.transform((s) => (s === '' ? fallback : s)),
    v.picklist(options as unknown as T[number][], message),
  );

const userId = v.pipe(
  v.optional(v.string(), ''),
  v.trim(),
  v.check((s) => s === '' || /^[1-9]\d{0,15}$/.test(s), 'clients.error.userInvalid'),
  v.transform((s) => (s === '' ? null : Number(s))),
);

/** Alerts arrive as checkboxes, a list, or one comma-separated text (forms and spreadsheets). */
const alerts = v.pipe(
  // Missing means '' (no alerts), which the union takes at its first try.
  v.optional(v.union([v.string(), v.array(v.string())]), ''),
  v.transform((value) => {
    if (value === '') return [];
    const items = (Array.isArray(value) ? value : [value]).flatMap((s) => s.split(/[,;]/)).map((s) => s.trim()).filter(Boolean);
    return [...new Set(items)].slice(0, 20);
  }),
  v.check((list) => list.every((s) => s.length <= 80), tooLong(80)),
);

/**
 * A person's or company's name: one line, its spaces as one (a line break or tab pasted from
 * a spreadsheet cell is a space), up to 200 characters.
 */
export function personName(required: boolean) {
  return v.pipe(
    v.optional(v.string(), ''),
    v.transform((text) => text.replace(/\s+/g, ' ').trim()),
    v.check((text) => !required || text.length > 0, 'clients.error.nameRequired'),
    v.maxLength(200, tooLong(200)),
  );
}

/** The form field that carries an additional variable (flat, so HTML forms and spreadsheets can send it). */
export const variableField = (key: string) => `additional.${key}`;

export interface ClientFieldsOptions {
  documentTypes: readonly DocumentType[];
  /** The tenant's ISO country (tenants.country), for phone numbers written without a prefix. */
  country: string;
  variables: readonly ClientVariable[];
  /**
   * Only these fields (and the document, always) are checked, and the others are left out
   * of the output: an import checks the columns a file brings, not the rest of the form.
   */
  only?: readonly string[];
  /**
   * The document a client already has: sent back unchanged, it is taken as stored without its
   * type's format (which may have been tightened since), so the rest of the client can be edited.
   */
  stored?: { documentType: string; documentNumber: string };
}

/**
 * The client's fields as staff type them and imports send them, flat (additional variables
 * as `additional.<key>`). Only variables the tenant defined are kept; messages are catalogue keys.
 */
export function clientFieldsSchema(options: ClientFieldsOptions) {
  const codes = options.documentTypes.map((d) => d.code);
  const variableEntries = Object.fromEntries(options.variables.map((variable) => [variableField(variable.key), optionalText(500)]));
  const documents = documentRules(options.documentTypes);
  const readPhone = phoneReader(options.country);
  const phoneMessage = phoneProblem(options.country);
  /**
   * The number is judged with its type: the pair travels together so both errors show at once.
   * Checked and normalised in one pass (an unknown type is the type field's error, not this one's).
   */
  const documentNumber = v.pipe(
    v.tuple([v.string(), v.string()]),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const [type, number] = dataset.value;
      const stored = options.stored;
      if (stored && type.trim().toUpperCase() === stored.documentType && number.trim() === stored.documentNumber) return stored.documentNumber;
      const { normalized, problem } = documents.check(type, number);
      if (problem !== null) {
        addIssue({ message: problem });
        return NEVER;
      }
      return normalized;
    }),
  );
  const fields = {
    documentType: v.pipe(v.optional(v.string(), ''), v.trim(), v.toUpperCase(), v.picklist(codes, 'clients.error.documentTypeInvalid')),
    documentNumber,
    name: personName(true),
    email: v.pipe(
      v.optional(v.string(), ''),
      v.trim(),
      v.toLowerCase(),
      v.check((s) => s === '' || (s.length <= 254 && v.EMAIL_REGEX.test(s)), 'clients.error.emailInvalid'),
      v.transform((s) => (s === '' ? null : s)),
    ),
    // Parsed once (the parse is the costly part of checking a big upload).
    phone: v.pipe(
      v.optional(v.string(), ''),
      v.trim(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        if (dataset.value === '') return null;
        const phone = readPhone(dataset.value);
        if (phone === null) {
          addIssue({ message: phoneMessage });
          return NEVER;
        }
        return phone;
      }),
    ),
    segment: optionalText(120),
    status: choice(clientStatuses, 'activo', 'clients.error.statusInvalid'),
    supervisorId: userId,
    advisorId: userId,
    contactability: choice(contactabilities, 'contactable', 'clients.error.contactabilityInvalid'),
    contactAlerts: alerts,
    portfolio: choice(portfolios, 'vigente', 'clients.error.portfolioInvalid'),
    ...variableEntries,
  };
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return v.pipe(
    // Any object of fields (a form's body, an import's row); the object schema below checks each.
    v.custom<Record<string, unknown>>((input) => typeof input === 'object' && input !== null && !Array.isArray(input)),
    v.transform((raw) => ({ ...raw, documentNumber: [text(raw.documentType), text(raw.documentNumber)] })),
    v.object(someEntries(fields, options.only, ['documentType', 'documentNumber'])),
    v.transform((input) => {
      const additional: Record<string, string> = {};
      for (const variable of options.variables) {
        const value = (input as Record<string, unknown>)[variableField(variable.key)];
        if (typeof value === 'string') additional[variable.key] = value;
      }
      return {
        documentType: input.documentType,
        documentNumber: input.documentNumber,
        name: input.name,
        email: input.email,
        phone: input.phone,
        segment: input.segment,
        status: input.status,
        supervisorId: input.supervisorId,
        advisorId: input.advisorId,
        contactability: input.contactability,
        contactAlerts: input.contactAlerts,
        portfolio: input.portfolio,
        additional,
      };
    }),
  );
}

export type ClientFields = v.InferOutput<ReturnType<typeof clientFieldsSchema>>;
