import { DOCUMENT_MAX_LENGTH, type ClientVariable, type DocumentType } from '../../src/clients/fields.js';
import { documentFormats, formatOf } from '../../src/settings/general.js';
import { Checkbox, ConfirmedAction, ErrorSummary, Field, PostForm, Select, type FieldErrors } from '../components/forms.js';
import { DataTable } from '../components/table.js';
import { useView } from '../context.js';

/** Which form a refused send came from, with what was typed and what to fix. */
export interface GeneralInvalid {
  form: 'company' | 'subdomain' | 'receivables' | 'documentType' | 'variable';
  values: Record<string, string | boolean>;
  errors: FieldErrors;
}

export interface GeneralSettingsProps {
  company: { name: string; subdomain: string; timezone: string; currency: string; locale: string };
  timeZones: readonly string[];
  /** Where the tenant's portal is now, and the domain its address is under. */
  portalUrl: string;
  baseDomain: string;
  receivables: { allowOverpayment: boolean; promiseMaxDays: number };
  documentTypes: DocumentType[];
  variables: ClientVariable[];
  /** The type or variable whose form is open for editing (`?type=DNI`, `?variable=region`). */
  editingType: DocumentType | null;
  editingVariable: ClientVariable | null;
  invalid?: GeneralInvalid | undefined;
}

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

/** Ajustes > General. */
export function GeneralSettingsPage(props: GeneralSettingsProps) {
  const { t } = useView();
  const invalid = props.invalid;
  const valuesOf = (form: GeneralInvalid['form']) => (invalid?.form === form ? invalid.values : undefined);
  const errorsOf = (form: GeneralInvalid['form']) => (invalid?.form === form ? invalid.errors : undefined);
  const company = valuesOf('company');
  const receivables = valuesOf('receivables');
  const address = valuesOf('subdomain');
  return (
    <>
      <div class="page-header">
        <h1>{t('settings.general.title')}</h1>
      </div>

      <section class="panel" aria-labelledby="company">
        <h2 id="company">{t('settings.company.title')}</h2>
        <ErrorSummary errors={errorsOf('company')} />
        <PostForm action="/app/settings/general/company">
          <Field name="companyName" label={t('settings.company.name')} value={text(company?.companyName) ?? props.company.name} errors={errorsOf('company')} required maxlength={120} />
          <Select
            name="timezone"
            label={t('settings.company.timezone')}
            hint={t('settings.company.timezoneHint')}
            value={text(company?.timezone) ?? props.company.timezone}
            options={props.timeZones.map((zone) => ({ value: zone, label: zone.replace(/_/g, ' ') }))}
            errors={errorsOf('company')}
          />
          <p class="hint">{t('settings.company.fixed', { currency: props.company.currency, locale: props.company.locale })}</p>
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
        </PostForm>
      </section>

      <section class="panel" aria-labelledby="address">
        <h2 id="address">{t('settings.subdomain.title')}</h2>
        <p>
          {t('settings.subdomain.current')} <a href={props.portalUrl}>{props.portalUrl}</a>
        </p>
        <ErrorSummary errors={errorsOf('subdomain')} />
        <PostForm action="/app/settings/general/subdomain">
          <Field
            name="subdomain"
            label={t('settings.subdomain.field')}
            hint={t('settings.subdomain.hint', { domain: props.baseDomain })}
            value={text(address?.subdomain) ?? props.company.subdomain}
            errors={errorsOf('subdomain')}
            required
            maxlength={63}
            autocomplete="off"
          />
          <Checkbox name="confirm" label={t('settings.subdomain.confirm')} checked={address?.confirm === true} />
          <button type="submit" class="primary">
            {t('settings.subdomain.submit')}
          </button>
        </PostForm>
      </section>

      <section class="panel" aria-labelledby="receivables">
        <h2 id="receivables">{t('settings.receivables.title')}</h2>
        <ErrorSummary errors={errorsOf('receivables')} />
        <PostForm action="/app/settings/general/receivables">
          <Checkbox
            name="allowOverpayment"
            label={t('settings.receivables.allowOverpayment')}
            hint={t('settings.receivables.allowOverpaymentHint')}
            checked={receivables ? receivables.allowOverpayment === true : props.receivables.allowOverpayment}
          />
          <Field
            name="promiseMaxDays"
            type="number"
            inputmode="numeric"
            min="1"
            max="365"
            label={t('settings.receivables.promiseMaxDays')}
            hint={t('settings.receivables.promiseMaxDaysHint')}
            value={text(receivables?.promiseMaxDays) ?? props.receivables.promiseMaxDays}
            errors={errorsOf('receivables')}
          />
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
        </PostForm>
      </section>

      <DocumentTypes {...props} />
      <Variables {...props} />
    </>
  );
}

/** A listed item's actions: edit (its form below the list) and delete, confirmed without JavaScript. */
function ItemActions(props: { edit: string; deletion: string; hint: string; confirm: string }) {
  const { t } = useView();
  return (
    <>
      <a href={props.edit}>{t('common.edit')}</a>
      <ConfirmedAction action={props.deletion} label={t('common.delete')} hint={props.hint} confirm={props.confirm} />
    </>
  );
}

function DocumentTypes(props: GeneralSettingsProps) {
  const { t } = useView();
  const invalid = props.invalid?.form === 'documentType' ? props.invalid : undefined;
  const editing = props.editingType;
  const shown = editing ? formatOf(editing.pattern) : null;
  const values = invalid?.values ?? (editing ? { code: editing.code, label: editing.label, ...shown } : { format: 'digits' });
  const describe = (type: DocumentType) => {
    const f = formatOf(type.pattern);
    const lengths = f.min === f.max ? f.min : t('settings.documentTypes.range', { min: f.min, max: f.max });
    if (f.format === 'digits') return t('settings.documentTypes.describeDigits', { count: lengths });
    if (f.format === 'alphanumeric') return t('settings.documentTypes.describeAlphanumeric', { count: lengths });
    return t('settings.documentTypes.describePattern', { pattern: f.pattern });
  };
  return (
    <section class="panel" aria-labelledby="document-types">
      <h2 id="document-types">{t('settings.documentTypes.title')}</h2>
      <p class="hint">{t('settings.documentTypes.hint')}</p>
      <DataTable
        rows={props.documentTypes}
        columns={[
          { heading: t('settings.documentTypes.code'), cell: (type) => type.code },
          { heading: t('settings.documentTypes.label'), cell: (type) => type.label },
          { heading: t('settings.documentTypes.format'), cell: describe },
          {
            heading: t('common.actions'),
            kind: 'actions',
            cell: (type) => (
              <ItemActions
                edit={`/app/settings/general?type=${encodeURIComponent(type.code)}#document-type-form`}
                deletion={`/app/settings/general/document-types/${encodeURIComponent(type.code)}/deletion`}
                hint={t('settings.documentTypes.deleteHint', { code: type.code })}
                confirm={t('settings.documentTypes.deleteConfirm', { code: type.code })}
              />
            ),
          },
        ]}
      />
      <h3 id="document-type-form">{editing ? t('settings.documentTypes.edit', { code: editing.code }) : t('settings.documentTypes.add')}</h3>
      <ErrorSummary errors={invalid?.errors} />
      <PostForm action={editing ? `/app/settings/general/document-types/${encodeURIComponent(editing.code)}` : '/app/settings/general/document-types'}>
        {editing ? (
          <input type="hidden" name="code" value={editing.code} />
        ) : (
          <Field name="code" label={t('settings.documentTypes.code')} hint={t('settings.documentTypes.codeHint')} value={text(values.code)} errors={invalid?.errors} required maxlength={20} />
        )}
        <Field name="label" label={t('settings.documentTypes.label')} value={text(values.label)} errors={invalid?.errors} required maxlength={80} />
        <Select
          name="format"
          label={t('settings.documentTypes.format')}
          value={text(values.format) ?? 'digits'}
          options={documentFormats.map((f) => ({ value: f, label: t(`settings.documentTypes.format.${f}`) }))}
          errors={invalid?.errors}
        />
        <Field name="min" type="number" inputmode="numeric" min="1" max={String(DOCUMENT_MAX_LENGTH)} label={t('settings.documentTypes.min')} value={text(values.min)} errors={invalid?.errors} />
        <Field name="max" type="number" inputmode="numeric" min="1" max={String(DOCUMENT_MAX_LENGTH)} label={t('settings.documentTypes.max')} hint={t('settings.documentTypes.maxHint')} value={text(values.max)} errors={invalid?.errors} />
        <Field name="pattern" label={t('settings.documentTypes.pattern')} hint={t('settings.documentTypes.patternHint')} value={text(values.pattern)} errors={invalid?.errors} maxlength={120} />
        <div class="form-actions">
          <button type="submit" class="primary">
            {editing ? t('common.save') : t('settings.documentTypes.add')}
          </button>
          {editing && <a href="/app/settings/general#document-types">{t('common.cancel')}</a>}
        </div>
      </PostForm>
    </section>
  );
}

function Variables(props: GeneralSettingsProps) {
  const { t } = useView();
  const invalid = props.invalid?.form === 'variable' ? props.invalid : undefined;
  const editing = props.editingVariable;
  const values = invalid?.values ?? (editing ? { variableKey: editing.key, variableLabel: editing.label } : {});
  return (
    <section class="panel" aria-labelledby="variables">
      <h2 id="variables">{t('settings.variables.title')}</h2>
      <p class="hint">{t('settings.variables.hint')}</p>
      {props.variables.length === 0 ? (
        <p>{t('settings.variables.none')}</p>
      ) : (
        <DataTable
          rows={props.variables}
          columns={[
            { heading: t('settings.variables.key'), cell: (variable) => variable.key },
            { heading: t('settings.variables.label'), cell: (variable) => variable.label },
            {
              heading: t('common.actions'),
              kind: 'actions',
              cell: (variable) => (
                <ItemActions
                  edit={`/app/settings/general?variable=${encodeURIComponent(variable.key)}#variable-form`}
                  deletion={`/app/settings/general/variables/${encodeURIComponent(variable.key)}/deletion`}
                  hint={t('settings.variables.deleteHint', { label: variable.label })}
                  confirm={t('settings.variables.deleteConfirm', { label: variable.label })}
                />
              ),
            },
          ]}
        />
      )}
      <h3 id="variable-form">{editing ? t('settings.variables.edit', { label: editing.label }) : t('settings.variables.add')}</h3>
      <ErrorSummary errors={invalid?.errors} />
      <PostForm action={editing ? `/app/settings/general/variables/${encodeURIComponent(editing.key)}` : '/app/settings/general/variables'}>
        {editing ? (
          <input type="hidden" name="variableKey" value={editing.key} />
        ) : (
          <Field name="variableKey" label={t('settings.variables.key')} hint={t('settings.variables.keyHint')} value={text(values.variableKey)} errors={invalid?.errors} required maxlength={40} />
        )}
        <Field name="variableLabel" label={t('settings.variables.label')} value={text(values.variableLabel)} errors={invalid?.errors} required maxlength={60} />
        <div class="form-actions">
          <button type="submit" class="primary">
            {editing ? t('common.save') : t('settings.variables.add')}
          </button>
          {editing && <a href="/app/settings/general#variables">{t('common.cancel')}</a>}
        </div>
      </PostForm>
    </section>
  );
}

/** After the address changed: where the portal is now, and the new address's login. */
export function SubdomainChanged(props: { portal: string; login: string }) {
  const { t } = useView();
  return (
    <section class="panel">
      <h1>{t('settings.subdomain.changedTitle')}</h1>
      <p>
        {t('settings.subdomain.changedBody')} <a href={props.portal}>{props.portal}</a>
      </p>
      <p>
        <a class="button primary" href={props.login}>
          {t('settings.subdomain.signInAgain')}
        </a>
      </p>
    </section>
  );
}
