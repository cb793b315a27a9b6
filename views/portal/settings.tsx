import { isAppEnabled } from '../../src/marketplace/service.js';
import type { Translate } from '../../src/platform/i18n/index.js';
import type { PortalSettings } from '../../src/portal/schema.js';
import { whiteTextIsReadable } from '../../src/portal/colors.js';
import { Checkbox, ErrorSummary, Field, FileInput, PostForm, Select, TextArea, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';

export type SettingsTab = 'ajustes' | 'configuracion';
type Values = Record<string, string | boolean | null | undefined>;

export interface PortalSettingsPageProps {
  tab: SettingsTab;
  settings: PortalSettings;
  whatsappNumber: string | null;
  portalUrl: string;
  recoveryUrl: string;
  /** The form sent back with its problems, keeping what was typed. */
  invalid?: { form: 'customer' | 'recovery'; values: Values; errors: FieldErrors };
}

/** `form` keeps the ids of the two forms' file fields apart (both post `logo`). */
function FileField(props: { form: 'customer' | 'recovery'; name: string; label: string; hint: string; errors?: FieldErrors; current: boolean; removeName: string }) {
  const { t } = useView();
  return (
    <FileInput
      id={`f-${props.form}-${props.name}`}
      name={props.name}
      label={props.label}
      hint={props.hint}
      errors={props.errors}
      accept="image/png,image/jpeg,image/webp"
      after={props.current && <Checkbox name={props.removeName} label={t('portal.settings.removeImage')} checked={false} />}
    />
  );
}

function ColorField(props: { name: string; value: string; errors?: FieldErrors }) {
  const { t } = useView();
  const valid = /^#[0-9a-f]{6}$/i.test(props.value);
  return (
    <>
      <Field name={props.name} label={t('portal.settings.color')} hint={t('portal.settings.colorHint')} value={props.value} errors={props.errors} maxlength={7} />
      {valid && !whiteTextIsReadable(props.value) && (
        <p class="warning" role="status">
          {t('portal.settings.lowContrast')}
        </p>
      )}
    </>
  );
}

const text = (v: Values[string]) => (typeof v === 'string' ? v : null);

/** The fields of both forms as their labels name them: the summary says which "Título" failed. */
const summaryLabels = (t: Translate): Record<string, string> => ({
  customerTitle: t('portal.settings.title'),
  customerWelcome: t('portal.settings.welcome'),
  customerColor: t('portal.settings.color'),
  bankDetails: t('portal.settings.bankDetails'),
  payLinkTemplate: t('portal.settings.payLink'),
  captchaKind: t('portal.settings.captcha'),
  recaptchaSiteKey: t('portal.settings.recaptchaSiteKey'),
  recaptchaSecret: t('portal.settings.recaptchaSecret'),
  recoveryTitle: t('portal.settings.title'),
  recoveryWelcome: t('portal.settings.welcome'),
  recoveryColor: t('portal.settings.color'),
  logo: t('portal.settings.logo'),
  banner: t('portal.settings.banner'),
  notInterestedReasons: t('portal.settings.reasons'),
  legalText: t('portal.settings.legalText'),
  countdownHours: t('portal.settings.countdownHours'),
  whatsappNumber: t('portal.settings.whatsapp'),
});

function CustomerForm({ settings, values, errors }: { settings: PortalSettings; values: Values; errors?: FieldErrors }) {
  const { t } = useView();
  return (
    <section class="panel" aria-labelledby="customer-form">
      <h2 id="customer-form">{t('portal.settings.customerForm')}</h2>
      {errors && <ErrorSummary errors={errors} labels={summaryLabels(t)} />}
      <PostForm action="/app/settings/portal/customer" enctype="multipart/form-data">
        <h3>{t('portal.settings.content')}</h3>
        <Field name="customerTitle" label={t('portal.settings.title')} value={text(values.customerTitle)} errors={errors} required maxlength={120} />
        <TextArea name="customerWelcome" label={t('portal.settings.welcome')} value={text(values.customerWelcome)} errors={errors} />
        <ColorField name="customerColor" value={text(values.customerColor) ?? ''} errors={errors} />
        <FileField form="customer" name="logo" label={t('portal.settings.logo')} hint={t('portal.settings.imageHint')} errors={errors} current={!!settings.customerLogoKey} removeName="removeLogo" />
        <h3>{t('portal.settings.paymentOptions')}</h3>
        <TextArea name="bankDetails" label={t('portal.settings.bankDetails')} value={text(values.bankDetails)} errors={errors} rows={4} />
        <Field name="payLinkTemplate" label={t('portal.settings.payLink')} hint={t('portal.settings.payLinkHint')} value={text(values.payLinkTemplate)} errors={errors} inputmode="url" maxlength={500} />
        <Checkbox name="promisesEnabled" label={t('portal.settings.promisesEnabled')} checked={values.promisesEnabled === true} />
        <button type="submit" class="button primary">
          {t('common.save')}
        </button>
      </PostForm>
    </section>
  );
}

function RecoveryForm({ settings, values, errors, recoveryUrl }: { settings: PortalSettings; values: Values; errors?: FieldErrors; recoveryUrl: string }) {
  const { t, tenant } = useView();
  return (
    <section class="panel" aria-labelledby="recovery-form">
      <h2 id="recovery-form">{t('portal.settings.recoveryForm')}</h2>
      {errors && <ErrorSummary errors={errors} labels={summaryLabels(t)} />}
      <PostForm action="/app/settings/portal/recovery" enctype="multipart/form-data">
        <h3>{t('portal.settings.configuration')}</h3>
        <p>
          {t('portal.settings.recoveryUrl')}: <code>{recoveryUrl}</code>
        </p>
        <Checkbox name="recoveryActive" label={t('portal.settings.recoveryActive')} checked={values.recoveryActive === true} />
        {!isAppEnabled(tenant, 'charged_off') && (
          <p class="warning" role="status">
            {t('portal.settings.needsChargedOffApp')} <a href="/app/settings/apps">{t('nav.marketplace')}</a>
          </p>
        )}
        <Select
          name="captchaKind"
          label={t('portal.settings.captcha')}
          value={text(values.captchaKind)}
          options={[
            { value: 'altcha', label: t('portal.settings.captchaAltcha') },
            { value: 'recaptcha', label: t('portal.settings.captchaRecaptcha') },
          ]}
          errors={errors}
        />
        <Field name="recaptchaSiteKey" label={t('portal.settings.recaptchaSiteKey')} value={text(values.recaptchaSiteKey)} errors={errors} maxlength={200} />
        <Field
          name="recaptchaSecret"
          type="password"
          label={t('portal.settings.recaptchaSecret')}
          hint={settings.recaptchaSecret ? t('portal.settings.secretKept') : undefined}
          errors={errors}
          autocomplete="off"
          maxlength={200}
        />
        <h3>{t('portal.settings.content')}</h3>
        <Field name="recoveryTitle" label={t('portal.settings.title')} value={text(values.recoveryTitle)} errors={errors} required maxlength={120} />
        <TextArea name="recoveryWelcome" label={t('portal.settings.welcome')} value={text(values.recoveryWelcome)} errors={errors} />
        <ColorField name="recoveryColor" value={text(values.recoveryColor) ?? ''} errors={errors} />
        <FileField form="recovery" name="logo" label={t('portal.settings.logo')} hint={t('portal.settings.imageHint')} errors={errors} current={!!settings.recoveryLogoKey} removeName="removeLogo" />
        <FileField form="recovery" name="banner" label={t('portal.settings.banner')} hint={t('portal.settings.imageHint')} errors={errors} current={!!settings.recoveryBannerKey} removeName="removeBanner" />
        <TextArea name="notInterestedReasons" label={t('portal.settings.reasons')} hint={t('portal.settings.reasonsHint')} value={text(values.notInterestedReasons)} errors={errors} rows={5} />
        <h3>{t('portal.settings.legal')}</h3>
        <TextArea name="legalText" label={t('portal.settings.legalText')} value={text(values.legalText)} errors={errors} rows={4} />
        <Checkbox name="countdownEnabled" label={t('portal.settings.countdown')} checked={values.countdownEnabled === true} />
        <Field name="countdownHours" label={t('portal.settings.countdownHours')} value={text(values.countdownHours)} errors={errors} inputmode="numeric" maxlength={3} />
        <Field name="whatsappNumber" type="tel" label={t('portal.settings.whatsapp')} hint={t('portal.settings.whatsappHint')} value={text(values.whatsappNumber)} errors={errors} maxlength={30} />
        <button type="submit" class="button primary">
          {t('common.save')}
        </button>
      </PostForm>
    </section>
  );
}

export function settingsValues(settings: PortalSettings, whatsappNumber: string | null): { customer: Values; recovery: Values } {
  return {
    customer: {
      customerTitle: settings.customerTitle,
      customerWelcome: settings.customerWelcome,
      customerColor: settings.customerColor,
      bankDetails: settings.bankDetails,
      payLinkTemplate: settings.payLinkTemplate,
      promisesEnabled: settings.promisesEnabled,
    },
    recovery: {
      recoveryActive: settings.recoveryActive,
      captchaKind: settings.captchaKind,
      recaptchaSiteKey: settings.recaptchaSiteKey,
      recoveryTitle: settings.recoveryTitle,
      recoveryWelcome: settings.recoveryWelcome,
      recoveryColor: settings.recoveryColor,
      notInterestedReasons: settings.notInterestedReasons.join('\n'),
      legalText: settings.legalText,
      countdownEnabled: settings.countdownEnabled,
      countdownHours: String(settings.countdownHours),
      whatsappNumber,
    },
  };
}

export function PortalSettingsPage(props: PortalSettingsPageProps) {
  const { t } = useView();
  const saved = settingsValues(props.settings, props.whatsappNumber);
  const invalid = props.invalid;
  return (
    <>
      <h1>{t('portal.settings.heading')}</h1>
      <nav class="tabs" aria-label={t('portal.settings.heading')}>
        <a href="/app/settings/portal?tab=ajustes" aria-current={props.tab === 'ajustes' ? 'page' : undefined}>
          {t('portal.settings.tabSettings')}
        </a>
        <a href="/app/settings/portal?tab=configuracion" aria-current={props.tab === 'configuracion' ? 'page' : undefined}>
          {t('portal.settings.tabConfiguration')}
        </a>
      </nav>
      {props.tab === 'ajustes' ? (
        <>
          <CustomerForm settings={props.settings} values={invalid?.form === 'customer' ? invalid.values : saved.customer} errors={invalid?.form === 'customer' ? invalid.errors : undefined} />
          <RecoveryForm
            settings={props.settings}
            values={invalid?.form === 'recovery' ? invalid.values : saved.recovery}
            errors={invalid?.form === 'recovery' ? invalid.errors : undefined}
            recoveryUrl={props.recoveryUrl}
          />
        </>
      ) : (
        <section class="panel">
          <dl class="details">
            <dt>{t('portal.settings.portalUrl')}</dt>
            <dd>
              <code>{props.portalUrl}</code>
            </dd>
            <dt>{t('portal.settings.recoveryUrl')}</dt>
            <dd>
              <code>{props.recoveryUrl}</code>
            </dd>
            <dt>{t('portal.settings.recoveryState')}</dt>
            <dd>{t(props.settings.recoveryActive ? 'portal.settings.active' : 'portal.settings.inactive')}</dd>
            <dt>{t('portal.settings.captcha')}</dt>
            <dd>{t(props.settings.captchaKind === 'altcha' ? 'portal.settings.captchaAltcha' : 'portal.settings.captchaRecaptcha')}</dd>
          </dl>
          <p class="hint">{t('portal.settings.redirectNote')}</p>
          <p class="hint">{t('portal.settings.linksNote')}</p>
        </section>
      )}
    </>
  );
}
