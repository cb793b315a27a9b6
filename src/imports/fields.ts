import type { MessageKey } from '../platform/i18n/index.js';
import { normalizeHeader, repeatedHeaders } from '../platform/spreadsheets/read.js';
import { variableField, type ClientVariable } from '../clients/fields.js';

export interface ImportField {
  key: string;
  label: MessageKey;
  /** A heading the tenant wrote (an additional variable's name), shown instead of `label`. */
  heading?: string;
  required: boolean;
  /** Headers people write for it, Spanish and English, compared after normalizeHeader. */
  aliases: string[];
  /** The example the template shows. */
  example: string;
  /**
   * Fields that come together or not at all: a required field of a group is required only
   * when the file maps some field of the group. A file without the payment order's columns
   * loads clients only.
   */
  group?: 'order';
}

/**
 * One row per payment order, with its client's columns (SPEC section 9); or, without any
 * of the order's columns, one row per client.
 */
export const clientOrderFields: ImportField[] = [
  { key: 'documentType', label: 'imports.field.documentType', required: true, aliases: ['tipo de documento', 'tipo documento', 'tipo doc', 'document type', 'doc type', 'id type'], example: 'DNI' },
  { key: 'documentNumber', label: 'imports.field.documentNumber', required: true, aliases: ['numero de documento', 'nro de documento', 'nro documento', 'n documento', 'documento', 'document number', 'document', 'id number'], example: '01234567' },
  { key: 'name', label: 'imports.field.name', required: true, aliases: ['nombre', 'nombres', 'nombre y apellido', 'nombres y apellidos', 'apellidos y nombres', 'nombre completo', 'razon social', 'cliente', 'name', 'full name', 'client'], example: 'María Peña Ñahui' },
  { key: 'email', label: 'imports.field.email', required: false, aliases: ['correo', 'correo electronico', 'email', 'e mail', 'mail'], example: 'maria.pena@example.pe' },
  { key: 'phone', label: 'imports.field.phone', required: false, aliases: ['telefono', 'celular', 'movil', 'phone', 'mobile', 'phone number'], example: '987654321' },
  { key: 'segment', label: 'imports.field.segment', required: false, aliases: ['segmento', 'segment'], example: 'Premium' },
  { key: 'status', label: 'imports.field.status', required: false, aliases: ['estado', 'status'], example: 'activo' },
  { key: 'contactability', label: 'imports.field.contactability', required: false, aliases: ['contactabilidad', 'contactability'], example: 'contactable' },
  { key: 'portfolio', label: 'imports.field.portfolio', required: false, aliases: ['cartera', 'tipo de cartera', 'portfolio'], example: 'vigente' },
  { key: 'contactAlerts', label: 'imports.field.contactAlerts', required: false, aliases: ['alertas de contacto', 'alertas', 'contact alerts', 'alerts'], example: '' },
  // The staff assigned to the client, by the email they sign in with (or their name, when no one else has it).
  { key: 'supervisorId', label: 'imports.field.supervisor', required: false, aliases: ['supervisor', 'supervisor asignado', 'correo del supervisor', 'supervisor email'], example: 'supervisora@tuempresa.pe' },
  { key: 'advisorId', label: 'imports.field.advisor', required: false, aliases: ['asesor', 'asesor asignado', 'correo del asesor', 'gestor', 'gestor asignado', 'ejecutivo', 'advisor', 'agent', 'advisor email'], example: 'asesor@tuempresa.pe' },
  { key: 'paymentCode', label: 'imports.field.paymentCode', required: true, aliases: ['codigo de pago', 'cod pago', 'codigo pago', 'payment code', 'code'], example: 'OP-000123', group: 'order' },
  { key: 'product', label: 'imports.field.product', required: false, aliases: ['producto', 'product'], example: 'Crédito vehicular', group: 'order' },
  { key: 'amount', label: 'imports.field.amount', required: true, aliases: ['monto', 'importe', 'monto op', 'amount'], example: '1234.50', group: 'order' },
  { key: 'interest', label: 'imports.field.interest', required: false, aliases: ['interes', 'intereses', 'interest'], example: '0', group: 'order' },
  { key: 'discounts', label: 'imports.field.discounts', required: false, aliases: ['descuento', 'descuentos', 'discount', 'discounts'], example: '0', group: 'order' },
  { key: 'issueDate', label: 'imports.field.issueDate', required: true, aliases: ['fecha de emision', 'fecha emision', 'emision', 'issue date', 'issued'], example: '15/01/2026', group: 'order' },
  { key: 'dueDate', label: 'imports.field.dueDate', required: true, aliases: ['fecha de vencimiento', 'fecha vencimiento', 'vencimiento', 'due date', 'due'], example: '15/02/2026', group: 'order' },
  { key: 'annulled', label: 'imports.field.annulled', required: false, aliases: ['anulada', 'anulado', 'annulled', 'cancelled'], example: 'no', group: 'order' },
];

/** One row per client in a charged-off campaign, with the names staff know (SPEC section 5). */
export const campaignEntryFields: ImportField[] = [
  { key: 'documentType', label: 'campaignImports.field.documentType', required: true, aliases: ['tipo de documento', 'tipo documento', 'tipo doc', 'document type', 'doc type', 'id type'], example: 'DNI' },
  { key: 'documentNumber', label: 'campaignImports.field.documentNumber', required: true, aliases: ['numero de documento', 'nro de documento', 'nro documento', 'n documento', 'documento', 'document number', 'document', 'id number'], example: '01234567' },
  { key: 'name', label: 'campaignImports.field.name', required: false, aliases: ['nombre y apellido', 'nombre', 'nombres', 'nombre completo', 'cliente', 'name', 'full name'], example: 'María Peña Ñahui' },
  { key: 'email', label: 'campaignImports.field.email', required: false, aliases: ['correo electronico', 'correo', 'email', 'e mail', 'mail'], example: 'maria.pena@example.pe' },
  { key: 'phone', label: 'campaignImports.field.phone', required: false, aliases: ['celular', 'telefono', 'movil', 'mobile', 'phone', 'phone number'], example: '987654321' },
  { key: 'campaignCode', label: 'campaignImports.field.campaignCode', required: true, aliases: ['id de campana', 'id campana', 'campana', 'id de campana de cartera castigada', 'campaign id', 'campaign'], example: 'NAVIDAD-2026' },
  { key: 'debtAmount', label: 'campaignImports.field.debtAmount', required: true, aliases: ['monto de deuda castigada', 'deuda castigada', 'monto de deuda', 'deuda', 'charged off debt amount', 'debt amount', 'debt'], example: '1250.00' },
  { key: 'discountType', label: 'campaignImports.field.discountType', required: true, aliases: ['tipo de descuento', 'tipo descuento', 'discount type'], example: 'porcentaje' },
  { key: 'discountValue', label: 'campaignImports.field.discountValue', required: true, aliases: ['valor del descuento', 'valor descuento', 'descuento', 'discount value', 'discount'], example: '30' },
  { key: 'endDate', label: 'campaignImports.field.endDate', required: false, aliases: ['fecha de finalizacion', 'fecha fin de campana', 'fecha de fin', 'fecha fin', 'end date'], example: '31/12/2026' },
  { key: 'paymentCode', label: 'campaignImports.field.paymentCode', required: false, aliases: ['codigo de pago asociado', 'codigo de pago', 'payment code', 'associated payment code'], example: '' },
];

/** What an upload loads: clients with their payment orders, or charged-off campaign entries. */
export type ImportSubject = 'clients' | 'campaign_entries';

/**
 * The fields an upload of `subject` maps: for clients, the tenant's additional variables
 * after the fixed ones, each under its key or its name (as downloads head it).
 */
export function fieldsFor(subject: string, variables: readonly ClientVariable[] = []): ImportField[] {
  if (subject === 'campaign_entries') return campaignEntryFields;
  if (variables.length === 0) return clientOrderFields;
  return [
    ...clientOrderFields,
    ...variables.map((variable) => ({
      key: variableField(variable.key),
      label: 'imports.field.variable' as const,
      heading: variable.label,
      required: false,
      aliases: [variable.key, variable.label],
      example: '',
    })),
  ];
}

/** Whether a field of the clients' upload is an additional variable (`additional.<key>`). */
export const isVariableField = (key: string) => key.startsWith(variableField(''));

/** The keys of the additional variables a mapping loads. */
export function mappedVariableKeys(mapping: Mapping): string[] {
  return Object.keys(mapping)
    .filter(isVariableField)
    .map((field) => field.slice(variableField('').length));
}

/** Whether a mapping of the clients' upload leaves out every column of the payment order. */
export function clientsOnly(mapping: Mapping): boolean {
  return !clientOrderFields.some((field) => field.group === 'order' && field.key in mapping);
}

export const clientFieldKeys = ['documentType', 'documentNumber', 'name', 'email', 'phone', 'segment', 'status', 'contactability', 'portfolio', 'contactAlerts', 'supervisorId', 'advisorId'] as const;

/** Field key → column index in the file; fields the file does not bring are absent. */
export type Mapping = Record<string, number>;

/**
 * The mapping offered for a file: what the tenant chose last time for the same headers,
 * then the known aliases. Each column serves one field at most.
 */
export function suggestMapping(headers: string[], remembered: Record<string, string>, fields: ImportField[] = clientOrderFields): Mapping {
  const mapping: Mapping = {};
  const taken = new Set<number>();
  const normalized = headers.map(normalizeHeader);
  for (const [index, header] of normalized.entries()) {
    const key = remembered[header];
    if (key && fields.some((f) => f.key === key) && !(key in mapping)) {
      mapping[key] = index;
      taken.add(index);
    }
  }
  for (const field of fields) {
    if (field.key in mapping) continue;
    const aliases = new Set([normalizeHeader(field.key), ...field.aliases.map(normalizeHeader)]);
    const index = normalized.findIndex((h, i) => !taken.has(i) && aliases.has(h));
    if (index >= 0) {
      mapping[field.key] = index;
      taken.add(index);
    }
  }
  return mapping;
}

/** What a tenant's choice is remembered as: the header's normalised text → field. */
export function rememberedFrom(headers: string[], mapping: Mapping): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping).map(([key, index]) => [normalizeHeader(headers[index] ?? ''), key]));
}

/** Problems with a mapping, per field: a required field not mapped, a column used twice. */
export function mappingProblems(mapping: Mapping, headers: string[], fields: ImportField[] = clientOrderFields): Record<string, string> {
  const problems: Record<string, string> = {};
  const groupsMapped = new Set(fields.filter((field) => field.group && field.key in mapping).map((field) => field.group));
  for (const field of fields) {
    if (field.required && !(field.key in mapping) && (!field.group || groupsMapped.has(field.group))) problems[field.key] = 'imports.error.missingColumn';
  }
  const usedBy = new Map<number, string>();
  const repeated = repeatedHeaders(headers);
  for (const [key, index] of Object.entries(mapping)) {
    if (!Number.isInteger(index) || index < 0 || index >= headers.length) problems[key] = 'imports.error.mappingInvalid';
    else if (repeated.has(normalizeHeader(headers[index]!))) problems[key] = `sheets.error.duplicateHeader?header=${encodeURIComponent(headers[index]!)}`;
    else if (usedBy.has(index)) problems[key] = `imports.error.columnTwice?header=${encodeURIComponent(headers[index]!)}`;
    usedBy.set(index, key);
  }
  return problems;
}
