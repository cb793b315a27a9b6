import type { Child } from 'hono/jsx';
import type { Offer } from '../../src/campaigns/compute.js';
import type { DocumentType } from '../../src/clients/fields.js';
import type { Countdown, PendingPromise, ReportedPayment } from '../../src/portal/recovery.js';
import type { PortalSettings } from '../../src/portal/schema.js';
import { ChoiceGroup, ErrorSummary, PostForm, type FieldErrors } from '../components/forms.js';
import { useView } from '../context.js';
import { DocumentFields, Notice } from './identify.js';
import { portalAssetUrls } from './layout.js';
import { BankDetails, PromiseForm, ReceiptForm, type StatementPageProps } from './statement.js';

/** The recovery form's banner: sized, so the page does not jump when it arrives, and lazy. */
function Banner({ settings }: { settings: PortalSettings }) {
  const url = portalAssetUrls(settings, 'recovery').banner;
  if (!url) return null;
  // Decorative: the logo beside it already names the tenant.
  return <img class="banner" src={url} alt="" width="640" height="240" loading="lazy" decoding="async" />;
}

export function RecoveryIdentify(props: { settings: PortalSettings; types: DocumentType[]; values: Record<string, string>; errors?: FieldErrors; notice?: string; captcha: Child }) {
  const { t } = useView();
  return (
    <section class="card">
      <Banner settings={props.settings} />
      <h1>{t('recovery.identify.title')}</h1>
      {props.settings.recoveryWelcome && <p>{props.settings.recoveryWelcome}</p>}
      <Notice text={props.notice} />
      <ErrorSummary errors={props.errors} />
      <PostForm action="/recovery/identificacion">
        <DocumentFields types={props.types} values={props.values} errors={props.errors} />
        {props.captcha}
        <button type="submit" class="button">
          {t('recovery.identify.submit')}
        </button>
      </PostForm>
    </section>
  );
}

/** "2 d 04 h 12 min": what is left, to the minute (the server refreshes it). */
export function remainingText(ms: number, t: ReturnType<typeof useView>['t']): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes <= 1) return t('recovery.countdown.lessThanMinute');
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const hh = String(hours).padStart(2, '0');
  const mm = String(rest).padStart(2, '0');
  if (days > 0) return t('recovery.countdown.days', { days, hours: hh, minutes: mm });
  if (hours > 0) return t('recovery.countdown.hours', { hours, minutes: mm });
  return t('recovery.countdown.minutes', { minutes: rest });
}

/** How often the countdown asks the server again: every 30 seconds, every 5 in its last minutes. */
export function refreshEveryMs(countdown: Pick<Countdown, 'remainingMs'>): number {
  return countdown.remainingMs < 5 * 60_000 ? 5_000 : 30_000;
}

/**
 * The time left, as the server counts it. With JavaScript, htmx asks again on its interval
 * and the server reloads the page when it runs out; without it, the deadline itself is on the
 * page and a link refreshes it. On the page (not in a refresh) it also asks as soon as htmx
 * starts, which is when the first refresh is due (static/later.js). The link keeps an id:
 * htmx gives the focus back to it after each refresh, so a keyboard on it is not sent to the
 * page's start.
 */
export function CountdownBox({ countdown, refresh = false }: { countdown: Countdown; refresh?: boolean }) {
  const { t, dateTime } = useView();
  const every = `every ${refreshEveryMs(countdown) / 1000}s`;
  return (
    <div class="countdown" id="countdown" hx-get="/recovery/tiempo" hx-trigger={refresh ? every : `load, ${every}`} hx-swap="outerHTML" role="timer" aria-live="off">
      <p class="countdown-label">{t('recovery.countdown.label')}</p>
      <p class="countdown-time">{remainingText(countdown.remainingMs, t)}</p>
      <p class="hint">
        {t('recovery.countdown.until', { when: dateTime(countdown.shownUntil) })} <a id="countdown-refresh" href="/recovery/oferta">
          {t('recovery.countdown.refresh')}
        </a>
      </p>
    </div>
  );
}

export function NotInterestedForm(props: { reasons: string[]; values?: Record<string, string>; errors?: FieldErrors }) {
  const { t } = useView();
  const error = props.errors?.reason;
  return (
    <PostForm action="/recovery/no-me-interesa" once>
      <ErrorSummary errors={error ? { reason: 'recovery.notInterested.reasonRequired' } : undefined} />
      <ChoiceGroup id="f-reason" class="field reasons" legend={t('recovery.notInterested.question')} error={error ? 'recovery.notInterested.reasonRequired' : undefined}>
        {props.reasons.map((reason, i) => (
          <label class="choice" for={`reason-${i}`}>
            <input type="radio" id={`reason-${i}`} name="reason" value={reason} checked={props.values?.reason === reason} required />
            <span>{reason}</span>
          </label>
        ))}
      </ChoiceGroup>
      <button type="submit" class="button secondary">
        {t('recovery.notInterested.send')}
      </button>
    </PostForm>
  );
}

export function RecoveryOffer(props: {
  firstName: string;
  settings: PortalSettings;
  offer: Offer;
  endDate: string | null;
  countdown: Countdown | null;
  reported: ReportedPayment[];
  promised: PendingPromise[];
  held: boolean;
}) {
  const { t, money, date, number } = useView();
  const { offer } = props;
  const discounted = offer.discountAmount !== null && offer.discountAmount > 0;
  // What is left once the payments being verified are counted.
  const left = Math.max(0, offer.owed - props.reported.reduce((sum, r) => sum + r.amount, 0));
  return (
    <>
      <section class="card offer">
        <Banner settings={props.settings} />
        <h1>{t('recovery.offer.hello', { name: props.firstName })}</h1>
        {props.settings.recoveryWelcome && <p>{props.settings.recoveryWelcome}</p>}
        <dl class="offer-figures">
          <div>
            <dt>{t('recovery.offer.debt')}</dt>
            <dd>
              {discounted ? (
                <s>
                  <span class="visually-hidden">{t('recovery.offer.before')} </span>
                  {money(offer.debt)}
                </s>
              ) : (
                money(offer.debt)
              )}
            </dd>
          </div>
          {discounted && (
            <div>
              <dt>{t('recovery.offer.discount')}</dt>
              <dd class="discount">{t('recovery.offer.percent', { percent: number(offer.discountPercent ?? 0) })}</dd>
            </div>
          )}
          <div>
            <dt>{offer.paid > 0 ? t('recovery.offer.left') : t('recovery.offer.amount')}</dt>
            <dd class="big">{money(offer.owed)}</dd>
          </div>
        </dl>
        {offer.paid > 0 && <p class="hint">{t('recovery.offer.paidSoFar', { amount: money(offer.paid), total: money(offer.campaignAmount ?? 0) })}</p>}
        {props.reported.length > 0 && (
          <div class="reported" role="status">
            <p>{t('recovery.offer.reported', { amount: money(props.reported.reduce((sum, r) => sum + r.amount, 0)) })}</p>
            {props.held && <p>{t('recovery.offer.held')}</p>}
          </div>
        )}
        {/* What the debtor said they will pay: seen again on coming back, so it is not promised twice.
            What is left counts the payments being verified: the debtor is never asked to pay them again. */}
        {props.promised.length > 0 && (
          <ul class="reported">
            {props.promised.map((p) => (
              <li>
                {/* Payments since may leave less to pay than was promised: the debtor is told what is left, not asked for more. */}
                {p.amount <= left
                  ? t('recovery.offer.promised', { amount: money(p.amount), date: date(p.promisedDate) })
                  : left > 0
                    ? t('recovery.offer.promisedOver', { amount: money(p.amount), date: date(p.promisedDate), left: money(left) })
                    : t('recovery.offer.promisedCovered', { amount: money(p.amount), date: date(p.promisedDate) })}
              </li>
            ))}
          </ul>
        )}
        {props.endDate && !props.countdown && !props.held && <p class="hint">{t('recovery.offer.validUntil', { date: date(props.endDate) })}</p>}
        {props.countdown && <CountdownBox countdown={props.countdown} />}
        {/* Held past the deadline for a receipt being verified: the offer takes nothing new. */}
        {!props.held && left > 0 && (
          <p>
            <a class="button cta" href="/recovery/pago">
              {t('recovery.offer.payNow')}
            </a>
          </p>
        )}
      </section>
      {!props.held && (
        <details class="card not-interested">
          <summary>{t('recovery.offer.notInterested')}</summary>
          <NotInterestedForm reasons={props.settings.notInterestedReasons} />
        </details>
      )}
    </>
  );
}

/** "¡Cancelar mi deuda ahora!": the statement's payment options, for the campaign's amount. */
export function RecoveryPay(props: {
  /** What is left to pay once the receipts being verified are counted. */
  left: number;
  leftDecimal: string;
  /** The receipts being verified, in all. */
  reported: number;
  /** Whether part of the offer is paid already. */
  partly: boolean;
  settings: PortalSettings;
  payOnline: boolean;
  today: string;
  promiseMax: string;
  countdown: Countdown | null;
  receipt?: StatementPageProps['receipt'];
  promise?: StatementPageProps['promise'];
}) {
  const { t, money } = useView();
  return (
    <>
      <section class="card summary">
        <h1>{t('recovery.pay.title')}</h1>
        <dl>
          <div>
            <dt>{props.partly || props.reported > 0 ? t('recovery.offer.left') : t('recovery.offer.amount')}</dt>
            <dd class="big">{money(props.left)}</dd>
          </div>
        </dl>
        {props.reported > 0 && (
          <p class="reported" role="status">
            {t(props.left === 0 ? 'recovery.pay.allReported' : 'recovery.pay.reportedCounted', { amount: money(props.reported) })}
          </p>
        )}
        {props.countdown && <CountdownBox countdown={props.countdown} />}
        {props.payOnline && props.left > 0 && (
          <p>
            <a class="button" href="/recovery/pago-en-linea">
              {t('recovery.pay.online')}
            </a>
          </p>
        )}
        <p>
          <a href="/recovery/oferta">{t('recovery.pay.back')}</a>
        </p>
      </section>
      {/* Everything reported already: nothing more to pay, send or promise while it is verified
          (a receipt sent from a page opened before is answered where it was sent). */}
      {(props.left > 0 || props.receipt) && (
        <>
          <BankDetails text={props.settings.bankDetails} />
          <ReceiptForm action="/recovery/comprobante" orders={null} receipt={props.receipt} suggested={props.leftDecimal} />
          {props.settings.promisesEnabled && <PromiseForm action="/recovery/compromiso" promise={props.promise} today={props.today} promiseMax={props.promiseMax} />}
        </>
      )}
    </>
  );
}

export function AdvisorLink({ url }: { url: string | null }) {
  const { t } = useView();
  if (!url) return null;
  return (
    <p>
      <a class="button whatsapp" href={url} rel="noopener noreferrer">
        {t('recovery.advisor.whatsapp')}
      </a>
    </p>
  );
}

/** The end of the road: the offer is over (its countdown or its campaign), or it was paid. */
export function RecoveryMessage(props: { title: string; text?: string; whatsapp?: string | null; children?: Child }) {
  return (
    <section class="card">
      <h1>{props.title}</h1>
      {props.text && <p>{props.text}</p>}
      {props.whatsapp !== undefined && <AdvisorLink url={props.whatsapp} />}
      {props.children}
    </section>
  );
}
