import { DOCUMENT_MAX_LENGTH, type DocumentType } from '../../src/clients/fields.js';
import { ErrorSummary, Field, PostForm, Select, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

/** A notice the page shows above the form: no match, too many attempts, an expired link. */
export function Notice(props: { text: string | undefined }) {
  if (!props.text) return null;
  return (
    <p class="notice" role="alert">
      {props.text}
    </p>
  );
}

/** Document type and number: how a debtor says who they are on both portals. */
export function DocumentFields(props: { types: DocumentType[]; values: Record<string, string>; errors?: FieldErrors | undefined }) {
  const { t } = useView();
  return (
    <>
      <Select
        name="documentType"
        label={t('portal.identify.documentType')}
        value={props.values.documentType ?? props.types[0]?.code}
        options={props.types.map((d) => ({ value: d.code, label: d.label }))}
        errors={props.errors}
      />
      <Field name="documentNumber" label={t('portal.identify.documentNumber')} value={props.values.documentNumber} errors={props.errors} autocomplete="off" required maxlength={DOCUMENT_MAX_LENGTH} />
    </>
  );
}

export function DocumentStep(props: { welcome: string | null; types: DocumentType[]; values: Record<string, string>; errors?: FieldErrors; notice?: string }) {
  const { t } = useView();
  return (
    <section class="card">
      <h1>{t('portal.identify.title')}</h1>
      {props.welcome && <p>{props.welcome}</p>}
      <Notice text={props.notice} />
      <ErrorSummary errors={props.errors} />
      <PostForm action="/identificacion">
        <DocumentFields types={props.types} values={props.values} errors={props.errors} />
        <button type="submit" class="button">
          {t('portal.identify.continue')}
        </button>
      </PostForm>
    </section>
  );
}

export function ContactStep(props: { values: Record<string, string>; errors?: FieldErrors; notice?: string }) {
  const { t } = useView();
  return (
    <section class="card">
      <h1>{t('portal.identify.contactTitle')}</h1>
      <p>{t('portal.identify.contactHelp')}</p>
      <Notice text={props.notice} />
      <ErrorSummary errors={props.errors} />
      <PostForm action="/verificacion">
        <Field name="contact" label={t('portal.identify.contact')} value={props.values.contact} errors={props.errors} autocomplete="off" required maxlength={254} />
        <button type="submit" class="button">
          {t('portal.identify.enter')}
        </button>
      </PostForm>
      <p>
        <a href="/">{t('portal.identify.otherDocument')}</a>
      </p>
    </section>
  );
}
