import { and, asc, count, eq } from 'drizzle-orm';
import { RegExpParser, visitRegExpAST } from '@eslint-community/regexpp';
import * as v from 'valibot';
import { defaultDocumentTypes, DOCUMENT_MAX_LENGTH, lengthPattern, lengthRuleOf, type DocumentType } from '../clients/fields.js';
import { clients } from '../clients/schema.js';
import type { Db } from '../db/index.js';
import { canonicalTimeZone, isValidTimeZone } from '../platform/dates.js';
import { checkbox, requiredText } from '../platform/forms.js';
import type { Scope } from '../platform/scope.js';
import { tenants } from '../tenants/schema.js';
import { SubdomainSchema } from '../tenants/service.js';
import { clientColumns } from '../clients/queries.js';
import { clientOrderFields } from '../imports/fields.js';
import { translator } from '../platform/i18n/index.js';
import { normalizeHeader } from '../platform/spreadsheets/read.js';
import { settingsOf } from './queries.js';
import { clientVariables, documentTypes, tenantSettings } from './schema.js';

/**
 * Ajustes > General: the company's name and time zone, the receivables switches, and the
 * lists a tenant makes its own (document types and additional client variables).
 */

export const CompanySchema = v.object({
  companyName: requiredText(120, 'settings.company.nameRequired'),
  // Stored as the zone's own name ("america/lima" is America/Lima), which the page's list selects.
  timezone: v.pipe(v.optional(v.string(), ''), v.trim(), v.check(isValidTimeZone, 'tenants.timezoneInvalid'), v.transform(canonicalTimeZone)),
});

/** A new address for the tenant, with the box that says its users understand what moves. */
export const SubdomainChangeSchema = v.object({
  subdomain: v.pipe(v.optional(v.string(), ''), SubdomainSchema),
  confirm: v.pipe(checkbox, v.check((checked) => checked, 'settings.subdomain.confirmRequired')),
});

export const ReceivablesSettingsSchema = v.object({
  allowOverpayment: checkbox,
  promiseMaxDays: v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    // Plain digits: Number() would also read "0x10" and "1e1".
    v.transform((text) => (/^\d{1,3}$/.test(text) ? Number(text) : NaN)),
    v.check((n) => Number.isInteger(n) && n >= 1 && n <= 365, 'settings.receivables.promiseMaxDaysRange'),
  ),
});

export async function saveCompany(scope: Scope, input: v.InferOutput<typeof CompanySchema>): Promise<void> {
  await scope.db.update(tenants).set({ name: input.companyName, timezone: input.timezone, updatedAt: scope.clock.now() }).where(eq(tenants.id, scope.tenantId));
}

export async function saveReceivablesSettings(scope: Scope, input: v.InferOutput<typeof ReceivablesSettingsSchema>): Promise<void> {
  await settingsOf(scope.db, scope.tenantId);
  await scope.db
    .update(tenantSettings)
    .set({ allowOverpayment: input.allowOverpayment, promiseMaxDays: input.promiseMaxDays, updatedAt: scope.clock.now() })
    .where(eq(tenantSettings.tenantId, scope.tenantId));
}

// ---- Document types ---------------------------------------------------------------------

/** How a type's numbers are written: a count of digits, of letters and digits, or a pattern of its own. */
export const documentFormats = ['digits', 'alphanumeric', 'pattern'] as const;
export type DocumentFormat = (typeof documentFormats)[number];

/** The form's reading of a stored pattern: the simple shapes as their lengths, anything else as it is. */
export function formatOf(pattern: string): { format: DocumentFormat; min: string; max: string; pattern: string } {
  const rule = lengthRuleOf(pattern);
  if (rule) return { format: rule.kind, min: String(rule.min), max: String(rule.max), pattern: '' };
  return { format: 'pattern', min: '', max: '', pattern: unwrapped(pattern) };
}

/** A pattern as the form saved it (`^(?:…)$`), shown as typed: saved again, it is not wrapped twice. */
function unwrapped(pattern: string): string {
  const inner = /^\^\(\?:(.*)\)\$$/.exec(pattern);
  return inner ? inner[1]! : pattern;
}

const patternParser = new RegExpParser({ ecmaVersion: 2024 });

/**
 * Whether a pattern may check every number typed and uploaded: it parses and compiles, it is
 * short, only single characters and classes are repeated (`\d{8}`, `[A-Z]{1,2}`; never a
 * group, as in `(\d+)+` or `(?:\d|\d)*`, the shapes that take exponential time on a long wrong
 * number), at most three repeats are of varying length (`\d*\d*\d*\d*` tries every split of
 * the number), and nothing refers back to a group. With numbers of at most
 * DOCUMENT_MAX_LENGTH characters, such patterns always answer at once. The pattern is read by
 * a real parser (regexpp), so escapes cannot hide a group or a repeat.
 */
export function safePattern(pattern: string): boolean {
  if (pattern.length === 0 || pattern.length > 120) return false;
  const whole = anchored(pattern);
  try {
    new RegExp(whole, 'i');
    const ast = patternParser.parsePattern(whole, undefined, undefined, { unicode: false });
    let safe = true;
    let varying = 0;
    visitRegExpAST(ast, {
      onBackreferenceEnter: () => {
        safe = false;
      },
      onQuantifierEnter: (quantifier) => {
        const element = quantifier.element.type;
        if (element !== 'Character' && element !== 'CharacterClass' && element !== 'CharacterSet') safe = false;
        if (quantifier.min !== quantifier.max) varying++;
      },
    });
    return safe && varying <= 3;
  } catch {
    return false;
  }
}

/** A pattern for the whole number, whatever anchors were typed (an escaped \$ is a dollar, not an end). */
function anchored(pattern: string): string {
  const start = pattern.startsWith('^') ? pattern.slice(1) : pattern;
  const end = /(^|[^\\])(\\\\)*\$$/.test(start) ? start.slice(0, -1) : start;
  return `^(?:${end})$`;
}

const length = (message: string) =>
  v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.transform((s) => (s === '' ? null : Number(s))),
    v.check((n) => n === null || (Number.isInteger(n) && n >= 1 && n <= DOCUMENT_MAX_LENGTH), message),
  );

export const DocumentTypeSchema = v.pipe(
  v.object({
    code: v.pipe(v.optional(v.string(), ''), v.trim(), v.toUpperCase(), v.regex(/^[A-Z0-9_]{1,20}$/, 'settings.documentTypes.codeInvalid')),
    label: requiredText(80, 'settings.documentTypes.labelRequired'),
    format: v.picklist(documentFormats, 'settings.documentTypes.formatRequired'),
    min: length('settings.documentTypes.lengthInvalid'),
    max: length('settings.documentTypes.lengthInvalid'),
    pattern: v.pipe(v.optional(v.string(), ''), v.trim()),
  }),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const { code, label, format, min, max, pattern } = dataset.value;
    const issue = (key: 'min' | 'max' | 'pattern', message: string) => {
      addIssue({ message, path: [{ type: 'object', origin: 'value', input: dataset.value, key, value: dataset.value[key] }] });
      return NEVER;
    };
    if (format === 'pattern') {
      if (!safePattern(pattern)) return issue('pattern', 'settings.documentTypes.patternInvalid');
      // A pattern is for the whole number: anchored, whatever was typed.
      return { code, label, pattern: anchored(pattern) };
    }
    if (min === null) return issue('min', 'settings.documentTypes.lengthInvalid');
    if (max !== null && max < min) return issue('max', 'settings.documentTypes.maxBelowMin');
    return { code, label, pattern: lengthPattern({ kind: format, min, max: max ?? min }) };
  }),
);

export type DocumentTypeFields = v.InferOutput<typeof DocumentTypeSchema>;
type Result = { ok: true } | { ok: false; errors: Record<string, string> };

/**
 * The first change to the list writes down the list the tenant had until then (the default
 * one), so that changing one type keeps the others.
 */
async function ownDocumentTypes(tx: Db, tenantId: number): Promise<DocumentType[]> {
  // One writer at a time per tenant: two first changes at once would both copy the defaults.
  await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId)).for('update');
  const stored = await tx.select().from(documentTypes).where(eq(documentTypes.tenantId, tenantId)).orderBy(asc(documentTypes.position), asc(documentTypes.code));
  if (stored.length > 0) return stored;
  await tx.insert(documentTypes).values(defaultDocumentTypes.map((d, position) => ({ tenantId, ...d, position })));
  return [...defaultDocumentTypes];
}

export async function saveDocumentType(scope: Scope, fields: DocumentTypeFields, editing: string | null): Promise<Result | { ok: false; notFound: true }> {
  return scope.db.transaction(async (tx) => {
    const list = await ownDocumentTypes(tx, scope.tenantId);
    if (editing === null) {
      if (list.some((d) => d.code === fields.code)) return { ok: false, errors: { code: 'settings.documentTypes.codeTaken' } };
      await tx.insert(documentTypes).values({ tenantId: scope.tenantId, ...fields, position: list.length });
      return { ok: true };
    }
    if (!list.some((d) => d.code === editing)) return { ok: false, notFound: true };
    // The code is what clients carry: it stays; the name and the format change.
    await tx
      .update(documentTypes)
      .set({ label: fields.label, pattern: fields.pattern })
      .where(and(eq(documentTypes.tenantId, scope.tenantId), eq(documentTypes.code, editing)));
    return { ok: true };
  });
}

/** A type no client carries (deleted clients included: they may come back) may go, unless it is the last one. */
export async function deleteDocumentType(scope: Scope, code: string): Promise<Result | { ok: false; notFound: true }> {
  return scope.db.transaction(async (tx) => {
    const list = await ownDocumentTypes(tx, scope.tenantId);
    if (!list.some((d) => d.code === code)) return { ok: false, notFound: true };
    if (list.length === 1) return { ok: false, errors: { code: 'settings.documentTypes.lastOne' } };
    const [used] = await tx.select({ n: count() }).from(clients).where(and(eq(clients.tenantId, scope.tenantId), eq(clients.documentType, code)));
    if (used!.n > 0) return { ok: false, errors: { code: `settings.documentTypes.inUse?count=${used!.n}` } };
    await tx.delete(documentTypes).where(and(eq(documentTypes.tenantId, scope.tenantId), eq(documentTypes.code, code)));
    return { ok: true };
  });
}

// ---- Additional client variables ---------------------------------------------------------

export const ClientVariableSchema = v.pipe(
  v.object({
    variableKey: v.pipe(v.optional(v.string(), ''), v.trim(), v.toLowerCase(), v.regex(/^[a-z][a-z0-9_]{0,39}$/, 'settings.variables.keyInvalid')),
    variableLabel: requiredText(60, 'settings.variables.labelRequired'),
  }),
  v.transform(({ variableKey, variableLabel }) => ({ key: variableKey, label: variableLabel })),
);

export type ClientVariableFields = v.InferOutput<typeof ClientVariableSchema>;

let standardHeadings: Set<string> | undefined;
/**
 * The headings the clients' upload, its template and the clients download already use, in
 * Spanish and English, as uploads compare them (normalizeHeader): a variable named like one
 * would give a file two columns of that name, which no upload can read back.
 */
function standardClientHeadings(): Set<string> {
  if (!standardHeadings) {
    const headings = new Set<string>();
    for (const t of [translator('es'), translator('en')]) {
      for (const field of clientOrderFields) {
        for (const text of [field.key, t(field.label), ...field.aliases]) headings.add(normalizeHeader(text));
      }
      for (const column of clientColumns) headings.add(normalizeHeader(t(column.label)));
    }
    standardHeadings = headings;
  }
  return standardHeadings;
}

/** What is wrong with a variable's key or name beside the standard headings and the other variables. */
function variableClash(fields: ClientVariableFields, others: readonly { key: string; label: string }[]): Record<string, string> | null {
  const standard = standardClientHeadings();
  const taken = new Set(others.flatMap((o) => [normalizeHeader(o.key), normalizeHeader(o.label)]));
  if (standard.has(normalizeHeader(fields.key))) return { variableKey: 'settings.variables.keyStandard' };
  if (standard.has(normalizeHeader(fields.label))) return { variableLabel: 'settings.variables.labelStandard' };
  if (taken.has(normalizeHeader(fields.label)) || taken.has(normalizeHeader(fields.key))) return { variableLabel: 'settings.variables.labelTaken' };
  return null;
}

export async function saveClientVariable(scope: Scope, fields: ClientVariableFields, editing: string | null): Promise<Result | { ok: false; notFound: true }> {
  return scope.db.transaction(async (tx) => {
    const stored = await tx.select().from(clientVariables).where(eq(clientVariables.tenantId, scope.tenantId));
    if (editing === null && stored.some((s) => s.key === fields.key)) return { ok: false, errors: { variableKey: 'settings.variables.keyTaken' } };
    // The key stays what it was on an edit: only the name is weighed then.
    const clash = variableClash(editing === null ? fields : { key: editing, label: fields.label }, stored.filter((s) => s.key !== (editing ?? fields.key)));
    if (clash && !(editing !== null && 'variableKey' in clash)) return { ok: false, errors: clash };
    if (editing === null) {
      if (stored.length >= 30) return { ok: false, errors: { variableKey: 'settings.variables.tooMany' } };
      if (stored.some((s) => s.key === fields.key)) return { ok: false, errors: { variableKey: 'settings.variables.keyTaken' } };
      await tx.insert(clientVariables).values({ tenantId: scope.tenantId, key: fields.key, label: fields.label, position: stored.length });
      return { ok: true };
    }
    if (!stored.some((s) => s.key === editing)) return { ok: false, notFound: true };
    await tx.update(clientVariables).set({ label: fields.label }).where(and(eq(clientVariables.tenantId, scope.tenantId), eq(clientVariables.key, editing)));
    return { ok: true };
  });
}

/**
 * Takes a variable off the forms, filters, columns and uploads. The values clients hold under
 * its key stay stored: adding the key again brings them back.
 */
export async function deleteClientVariable(scope: Scope, key: string): Promise<boolean> {
  const removed = await scope.db
    .delete(clientVariables)
    .where(and(eq(clientVariables.tenantId, scope.tenantId), eq(clientVariables.key, key)))
    .returning({ key: clientVariables.key });
  return removed.length > 0;
}
