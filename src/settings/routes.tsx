import { Hono } from 'hono';
import type * as v from 'valibot';
import { GeneralSettingsPage, SubdomainChanged, type GeneralInvalid } from '../../views/settings/general.js';
import { clientVariablesFor, documentTypesFor } from '../clients/fields.js';
import { requirePermission } from '../platform/auth/middleware.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { forbiddenPage, notFoundPage } from '../platform/errors.js';
import { setFlash, setFlashMessage } from '../platform/flash.js';
import { formValues, parseWith } from '../platform/forms.js';
import { redirectTo, render } from '../platform/render.js';
import type { Scope } from '../platform/scope.js';
import { forgetTenantCache } from '../platform/tenancy.js';
import {
  ClientVariableSchema,
  CompanySchema,
  deleteClientVariable,
  deleteDocumentType,
  DocumentTypeSchema,
  ReceivablesSettingsSchema,
  saveClientVariable,
  saveCompany,
  saveDocumentType,
  saveReceivablesSettings,
  SubdomainChangeSchema,
} from './general.js';
import { changeSubdomain } from '../tenants/service.js';
import { tenantUrl } from '../platform/tenancy.js';
import { isUniqueViolation } from '../platform/scope.js';
import { settingsOf } from './queries.js';

const HOME = '/app/settings/general';

/** Every IANA zone the runtime knows, the tenant's own first if it is not among them. */
const timeZones = (current: string) => {
  const known = Intl.supportedValuesOf('timeZone');
  return known.includes(current) ? known : [current, ...known];
};

function scopeOf(c: AppContext): Scope {
  const { database, clock } = c.var.deps;
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: database.db, clock };
}

async function page(c: AppContext, invalid?: GeneralInvalid) {
  const db = c.var.deps.database.db;
  const tenant = c.var.tenant;
  const [settings, types, variables] = await Promise.all([settingsOf(db, tenant.id), documentTypesFor(db, tenant.id), clientVariablesFor(db, tenant.id)]);
  const typeCode = invalid ? undefined : c.req.query('type');
  const variableKey = invalid ? undefined : c.req.query('variable');
  return render(c, {
    title: c.var.t('settings.general.title'),
    status: invalid ? 422 : 200,
    body: (
      <GeneralSettingsPage
        company={{ name: tenant.name, subdomain: tenant.subdomain, timezone: tenant.timezone, currency: tenant.currency, locale: tenant.locale }}
        portalUrl={tenantUrl(c.var.deps.config, tenant, '/')}
        baseDomain={c.var.deps.config.baseDomain}
        timeZones={timeZones(tenant.timezone)}
        receivables={settings}
        documentTypes={types}
        variables={variables}
        editingType={types.find((d) => d.code === typeCode) ?? null}
        editingVariable={variables.find((d) => d.key === variableKey) ?? null}
        invalid={invalid}
      />
    ),
  });
}

/** Back to the page with a message, at the section that changed. */
function saved(c: AppContext, anchor: string) {
  setFlash(c, 'success', 'settings.saved');
  return redirectTo(c, `${HOME}#${anchor}`);
}

/** Ajustes > General: company, receivables switches, document types and additional variables. */
export const generalSettingsRoutes = new Hono<AppEnv>()
  .use(requirePermission(forbiddenPage, 'settings'))
  .get('/', (c) => page(c))
  .post('/company', async (c) => {
    const values = await formValues(c);
    const parsed = parseWith(CompanySchema, values);
    if (!parsed.ok) return page(c, { form: 'company', values: values as Record<string, string>, errors: parsed.errors });
    await saveCompany(scopeOf(c), parsed.value);
    // This process sees the new time zone at once; others within their few seconds' memory.
    forgetTenantCache();
    c.var.log.info('settings.company_saved', { timezone: parsed.value.timezone });
    return saved(c, 'company');
  })
  .post('/subdomain', async (c) => {
    const values = await formValues(c);
    const parsed = parseWith(SubdomainChangeSchema, values);
    const invalid = (errors: Record<string, string>) => page(c, { form: 'subdomain', values: { ...(values as Record<string, string>), confirm: 'confirm' in values }, errors });
    if (!parsed.ok) return invalid(parsed.errors);
    if (parsed.value.subdomain === c.var.tenant.subdomain) return saved(c, 'address');
    // Two tenants taking the same name at once: the second meets the unique index, and is told it is taken.
    const result = await changeSubdomain(c.var.deps.database.db, { tenantId: c.var.tenant.id, subdomain: parsed.value.subdomain }).catch((error: unknown) => {
      if (isUniqueViolation(error)) return { ok: false as const, error: 'tenants.subdomainTaken' as const };
      throw error;
    });
    if (!result.ok) return invalid({ subdomain: result.error });
    forgetTenantCache();
    c.var.log.info('settings.subdomain_changed', { from: c.var.tenant.subdomain, to: result.tenant.subdomain });
    // The session's cookie belongs to the old address: the user signs in again at the new one.
    // A page here says so with the link: a form's answer may not send the browser to another
    // origin (the pages' form-action is 'self').
    const login = tenantUrl(c.var.deps.config, result.tenant, '/app/login?next=%2Fapp%2Fsettings%2Fgeneral');
    return render(c, { title: c.var.t('settings.subdomain.changedTitle'), body: <SubdomainChanged portal={tenantUrl(c.var.deps.config, result.tenant, '/')} login={login} /> });
  })
  .post('/receivables', async (c) => {
    const values = await formValues(c);
    const parsed = parseWith(ReceivablesSettingsSchema, values);
    if (!parsed.ok) return page(c, { form: 'receivables', values: { ...(values as Record<string, string>), allowOverpayment: 'allowOverpayment' in values }, errors: parsed.errors });
    await saveReceivablesSettings(scopeOf(c), parsed.value);
    c.var.log.info('settings.receivables_saved', parsed.value);
    return saved(c, 'receivables');
  })
  .post('/document-types', (c) => documentType(c, null))
  .post('/document-types/:code', (c) => documentType(c, c.req.param('code')))
  .post('/document-types/:code/deletion', async (c) => {
    const result = await deleteDocumentType(scopeOf(c), c.req.param('code'));
    if (!result.ok && 'notFound' in result) return notFoundPage(c);
    if (!result.ok) {
      setFlashMessage(c, 'error', Object.values(result.errors)[0]!);
      return redirectTo(c, `${HOME}#document-types`);
    }
    return saved(c, 'document-types');
  })
  .post('/variables', (c) => variable(c, null))
  .post('/variables/:key', (c) => variable(c, c.req.param('key')))
  .post('/variables/:key/deletion', async (c) => {
    if (!(await deleteClientVariable(scopeOf(c), c.req.param('key')))) return notFoundPage(c);
    return saved(c, 'variables');
  });

/**
 * A document type or a variable, new (`editing` null) or changed: its key stays what it was
 * (clients carry it), whatever the form sends.
 */
function saveListItem<S extends v.GenericSchema>(
  form: 'documentType' | 'variable',
  schema: S,
  keyField: string,
  save: (scope: Scope, fields: v.InferOutput<S>, editing: string | null) => Promise<{ ok: true } | { ok: false; errors: Record<string, string> } | { ok: false; notFound: true }>,
  anchor: string,
) {
  return async (c: AppContext, editing: string | null) => {
    const values = (await formValues(c)) as Record<string, string>;
    const parsed = parseWith(schema, editing === null ? values : { ...values, [keyField]: editing });
    const result = parsed.ok ? await save(scopeOf(c), parsed.value, editing) : parsed;
    if (!result.ok && 'notFound' in result) return notFoundPage(c);
    if (!result.ok) return page(c, { form, values, errors: result.errors });
    return saved(c, anchor);
  };
}

const documentType = saveListItem('documentType', DocumentTypeSchema, 'code', saveDocumentType, 'document-types');
const variable = saveListItem('variable', ClientVariableSchema, 'variableKey', saveClientVariable, 'variables');
