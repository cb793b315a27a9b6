import type { CaptchaProps, CaptchaQuestion } from '../../src/portal/captcha.js';
import { CAPTCHA_CHALLENGE_PATH, CAPTCHA_FIELDS, CAPTCHA_FRESH_FOR_MS } from '../../src/portal/captcha.js';
import { useView } from '../context.js';

// The widget's own options: no link to altcha.org (footer or logo), and no collection of pointer movements.
const ALTCHA_CONFIGURATION = JSON.stringify({ hideFooter: true, hideLogo: true, humanInteractionSignature: false });

/** The question for browsers without JavaScript: a labelled input, the answer in digits. */
function Question({ question, invalid }: { question: CaptchaQuestion; invalid?: boolean | undefined }) {
  const { t } = useView();
  const id = `f-${CAPTCHA_FIELDS.answer}`;
  return (
    <div class="captcha-question">
      <p class="hint">{t('portal.captcha.questionIntro')}</p>
      <input type="hidden" name={CAPTCHA_FIELDS.token} value={question.token} />
      <label for={id}>{question.question}</label>
      <p class="hint" id={`${id}-hint`}>
        {t('portal.captcha.questionHint')}
      </p>
      <input
        id={id}
        name={CAPTCHA_FIELDS.answer}
        type="text"
        inputmode="numeric"
        autocomplete="off"
        maxlength={2}
        required
        aria-describedby={`${id}-hint`}
        aria-invalid={invalid ? 'true' : undefined}
      />
    </div>
  );
}

/**
 * The captcha, inside the identification <form>: the tenant's widget, and the question for
 * browsers without JavaScript. The ALTCHA widget's script and stylesheet are loaded by the
 * glue at the debtor's first touch, key or focus, and the widget then starts working. After a failed
 * attempt (`invalid`) the question is shown to everyone, for when the widget cannot work here.
 */
export function Captcha(props: CaptchaProps & { invalid?: boolean | undefined }) {
  const { t, lang, asset } = useView();
  const question = <Question question={props.question} invalid={props.invalid} />;
  return (
    <div class="captcha field" id="f-captcha" role="group" aria-label={t('portal.captcha.label')}>
      {props.invalid && (
        <p class="error" role="alert">
          {t('portal.captcha.failed')}
        </p>
      )}
      {props.kind === 'altcha' ? (
        <>
          <altcha-widget
            challenge={props.challenge}
            auto="onload"
            name={CAPTCHA_FIELDS.altcha}
            language={lang}
            configuration={ALTCHA_CONFIGURATION}
            data-challenge-url={CAPTCHA_CHALLENGE_PATH}
            data-fresh-for={CAPTCHA_FRESH_FOR_MS}
            data-worker={asset('altcha-worker.js')}
            data-script={asset('altcha.js')}
            data-style={asset('altcha.css')}
            data-idle={t('portal.captcha.widget.idle')}
            data-strings={JSON.stringify({
              label: t('portal.captcha.widget.label'),
              verifying: t('portal.captcha.widget.verifying'),
              verified: t('portal.captcha.widget.verified'),
              error: t('portal.captcha.widget.error'),
              expired: t('portal.captcha.widget.expired'),
              verificationRequired: t('portal.captcha.widget.required'),
              waitAlert: t('portal.captcha.widget.wait'),
              loading: t('portal.captcha.widget.loading'),
              reload: t('portal.captcha.widget.reload'),
              verify: t('portal.captcha.widget.verify'),
            })}
          ></altcha-widget>
          <script src={asset('captcha.js')} defer></script>
        </>
      ) : (
        <>
          <div class="g-recaptcha" data-sitekey={props.siteKey} data-script={`https://www.google.com/recaptcha/api.js?hl=${lang}`}></div>
          <script src={asset('captcha.js')} defer></script>
        </>
      )}
      {props.invalid ? question : <noscript>{question}</noscript>}
    </div>
  );
}
