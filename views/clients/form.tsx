import type { ClientVariable, DocumentType } from '../../src/clients/fields.js';
import { variableField } from '../../src/clients/fields.js';
import { clientStatuses, contactabilities, portfolios } from '../../src/clients/schema.js';
import { ErrorSummary, Field, PostForm, Select, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

/** What the form shows: the submitted strings after an error, or the stored client. */
export type ClientFormValues = Record<string, string | undefined>;

export interface ClientFormProps {
  clientId?: number;
  values: ClientFormValues;
  errors?: FieldErrors;
  documentTypes: DocumentType[];
  variables: ClientVariable[];
  staff: { id: number; name: string; role: string }[];
}

export function ClientForm(props: ClientFormProps) {
  const { t } = useView();
  const editing = props.clientId !== undefined;
  const values = props.values;
  const people = (role?: string) => props.staff.filter((s) => !role || s.role !== role).map((s) => ({ value: String(s.id), label: s.name }));
  const cancel = editing ? `/app/clients/${props.clientId}` : '/app/clients';
  return (
    <>
      <h1>{t(editing ? 'clients.edit' : 'clients.new')}</h1>
      <ErrorSummary errors={props.errors} labels={Object.fromEntries(props.variables.map((v) => [variableField(v.key), v.label]))} />
      <PostForm action={editing ? `/app/clients/${props.clientId}` : '/app/clients'} class="client-form">
        <fieldset>
          <legend>{t('clients.form.identity')}</legend>
          <Select
            name="documentType"
            label={t('clients.field.documentType')}
            value={values.documentType ?? props.documentTypes[0]?.code}
            options={props.documentTypes.map((d) => ({ value: d.code, label: d.label }))}
            errors={props.errors}
            required
          />
          <Field name="documentNumber" label={t('clients.field.documentNumber')} value={values.documentNumber} errors={props.errors} required maxlength={40} autocomplete="off" />
          <Field name="name" label={t('clients.field.name')} value={values.name} errors={props.errors} required maxlength={200} autocomplete="off" />
        </fieldset>
        <fieldset>
          <legend>{t('clients.form.contact')}</legend>
          <Field name="email" type="email" label={t('clients.field.email')} value={values.email} errors={props.errors} autocomplete="off" />
          <Field name="phone" type="tel" label={t('clients.field.phone')} hint={t('clients.field.phoneHint')} value={values.phone} errors={props.errors} autocomplete="off" />
          <Select
            name="contactability"
            label={t('clients.field.contactability')}
            value={values.contactability ?? 'contactable'}
            options={contactabilities.map((c) => ({ value: c, label: t(`clients.contactability.${c}`) }))}
            errors={props.errors}
          />
          <Field name="contactAlerts" label={t('clients.field.contactAlerts')} hint={t('clients.field.contactAlertsHint')} value={values.contactAlerts} errors={props.errors} />
        </fieldset>
        <fieldset>
          <legend>{t('clients.form.management')}</legend>
          <Field name="segment" label={t('clients.field.segment')} value={values.segment} errors={props.errors} maxlength={120} />
          <Select name="status" label={t('clients.field.status')} value={values.status ?? 'activo'} options={clientStatuses.map((s) => ({ value: s, label: t(`clients.status.${s}`) }))} errors={props.errors} />
          <Select name="portfolio" label={t('clients.field.portfolio')} value={values.portfolio ?? 'vigente'} options={portfolios.map((p) => ({ value: p, label: t(`clients.portfolio.${p}`) }))} errors={props.errors} />
          <Select name="supervisorId" label={t('clients.field.supervisor')} value={values.supervisorId ?? ''} blank={t('clients.field.noOne')} options={people('advisor')} errors={props.errors} />
          <Select name="advisorId" label={t('clients.field.advisor')} value={values.advisorId ?? ''} blank={t('clients.field.noOne')} options={people()} errors={props.errors} />
        </fieldset>
        {props.variables.length > 0 && (
          <fieldset>
            <legend>{t('clients.field.additional')}</legend>
            {props.variables.map((variable) => (
              <Field name={variableField(variable.key)} label={variable.label} value={values[variableField(variable.key)]} errors={props.errors} maxlength={500} />
            ))}
          </fieldset>
        )}
        <div class="form-actions">
          <button type="submit" class="primary">
            {t('common.save')}
          </button>
          <a href={cancel}>{t('common.cancel')}</a>
        </div>
      </PostForm>
    </>
  );
}
