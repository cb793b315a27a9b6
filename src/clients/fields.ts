import { asc, eq } from 'drizzle-orm';
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import * as v from 'valibot';
import type { Db } from '../db/index.js';
import { optionalText } from '../platform/forms.js';
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

/** What a tenant gets until it configures its own list (Ajustes). */
export const defaultDocumentTypes: readonly DocumentType[] = [
  { code: 'DNI', label: 'DNI – Documento Nacional de Identidad', pattern: '^\\d{8}$' },
  { code: 'CE', label: 'CE – Carné de extranjería', pattern: '^[A-Za-z0-9]{9,12}$' },
  { code: 'RUC', label: 'RUC – Registro Único de Contribuyentes', pattern: '^(10|15|16|17|20)\\d{9}$' },
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
 * (12.345.678, 20-12345678-9) are then noise and are dropped.
 */
function isNumericPattern(pattern: string): boolean {
  const rest = pattern.replace(/\\d/g, '').replace(/\{\d+(,\d*)?\}/g, '');
  return !/[A-Za-z]|\\[wWsSD]|\./.test(rest);
}

function typeFrom(type: Pick<DocumentType, 'pattern'> | string): Pick<DocumentType, 'pattern'> | undefined {
  return typeof type === 'string' ? defaultDocumentTypes.find((d) => d.code === type.trim().toUpperCase()) : type;
}

/**
 * The number as stored: trimmed and upper-cased; for numeric types without spaces, dots
 * or hyphens. Leading zeros are part of the number (a DNI may start with 0).
 */
export function normalizeDocumentNumber(type: Pick<DocumentType, 'pattern'> | string, raw: string): string {
  const found = typeFrom(type);
  const trimmed = raw.trim().toUpperCase();
  return found && isNumericPattern(found.pattern) ? trimmed.replace(/[\s.\-]/g, '') : trimmed;
}

/** Null when the document is acceptable for the tenant's types; otherwise the message to show. */
export function checkDocument(types: readonly DocumentType[], type: string, number: string): string | null {
  const found = types.find((d) => d.code === type.trim().toUpperCase());
  if (!found) return 'clients.error.documentTypeInvalid';
  const normalized = normalizeDocumentNumber(found, number);
  if (normalized === '') return 'clients.error.documentRequired';
  if (!new RegExp(found.pattern).test(normalized)) return `clients.error.documentFormat?type=${encodeURIComponent(found.code)}`;
  return null;
}

/** The phone in E.164 (+51987654321), read with the tenant's country when it has no prefix; null if not a valid number. */
export function normalizePhone(raw: string, country: string): string | null {
  const text = raw.trim();
  if (text === '') return null;
  const code = country.toUpperCase();
  const parsed = parsePhoneNumberFromString(text, isSupportedCountry(code) ? (code as CountryCode) : undefined);
  return parsed && parsed.isValid() ? parsed.format('E.164') : null;
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
  v.optional(v.union([v.string(), v.array(v.string())]), []),
  v.transform((value) => {
    const items = (Array.isArray(value) ? value : [value]).flatMap((s) => s.split(/[,;]/)).map((s) => s.trim()).filter(Boolean);
    return [...new Set(items)].slice(0, 20);
  }),
  v.check((list) => list.every((s) => s.length <= 80), 'common.tooLong'),
);

const emailText = v.pipe(v.string(), v.email());

/** The form field that carries an additional variable (flat, so HTML forms and spreadsheets can send it). */
export const variableField = (key: string) => `additional.${key}`;

export interface ClientFieldsOptions {
  documentTypes: readonly DocumentType[];
  /** The tenant's ISO country (tenants.country), for phone numbers written without a prefix. */
  country: string;
  variables: readonly ClientVariable[];
}

/**
 * The client's fields as staff type them and imports send them, flat (additional variables
 * as `additional.<key>`). Only variables the tenant defined are kept; messages are catalogue keys.
 */
export function clientFieldsSchema(options: ClientFieldsOptions) {
  const codes = options.documentTypes.map((d) => d.code);
  const variableEntries = Object.fromEntries(options.variables.map((variable) => [variableField(variable.key), optionalText(500)]));
  const typeOf = (code: string) => options.documentTypes.find((d) => d.code === code.trim().toUpperCase());
  /** The number is judged with its type: the pair travels together so both errors show at once. */
  const documentNumber = v.pipe(
    v.tuple([v.string(), v.string()]),
    v.check(([type, number]) => !typeOf(type) || checkDocument(options.documentTypes, type, number) === null, (issue) => {
      const [type, number] = issue.input as [string, string];
      return checkDocument(options.documentTypes, type, number) ?? 'clients.error.documentRequired';
    }),
    v.transform(([type, number]) => normalizeDocumentNumber(typeOf(type) ?? type, number)),
  );
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return v.pipe(
    v.record(v.string(), v.unknown()),
    v.transform((raw) => ({ ...raw, documentNumber: [text(raw.documentType), text(raw.documentNumber)] })),
    v.object({
      documentType: v.pipe(v.optional(v.string(), ''), v.trim(), v.toUpperCase(), v.picklist(codes, 'clients.error.documentTypeInvalid')),
      documentNumber,
      name: v.pipe(v.optional(v.string(), ''), v.trim(), v.minLength(1, 'clients.error.nameRequired'), v.maxLength(200, 'common.tooLong')),
      email: v.pipe(
        v.optional(v.string(), ''),
        v.trim(),
        v.toLowerCase(),
        v.check((s) => s === '' || (s.length <= 254 && v.is(emailText, s)), 'clients.error.emailInvalid'),
        v.transform((s) => (s === '' ? null : s)),
      ),
      // Parsed once (the parse is the costly part of checking a big upload).
      phone: v.pipe(
        v.optional(v.string(), ''),
        v.trim(),
        v.rawTransform(({ dataset, addIssue, NEVER }) => {
          if (dataset.value === '') return null;
          const phone = normalizePhone(dataset.value, options.country);
          if (phone === null) {
            addIssue({ message: 'clients.error.phoneInvalid' });
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
    }),
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
