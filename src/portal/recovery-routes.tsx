import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { htmxConfig } from '../../views/layouts/document.js';
import { CountdownBox, refreshEveryMs, NotInterestedForm, RecoveryIdentify, RecoveryMessage, RecoveryOffer, RecoveryPay, AdvisorLink } from '../../views/portal/recovery.js';
import { LogoutButton, type StatementPageProps } from '../../views/portal/statement.js';
import { listOpenAlerts, notifyAdvisor, raiseAlert } from '../alerts/service.js';
import { documentTypesFor, normalizeDocumentNumber } from '../clients/fields.js';
import { settingsOf } from '../settings/queries.js';
import { waitFor } from '../platform/auth/rate-limit.js';
import { generateToken, signExpiring, verifyExpiring } from '../platform/auth/tokens.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { endOfDayIn, todayIn } from '../platform/dates.js';
import { setFlash } from '../platform/flash.js';
import { formValues, parseWith } from '../platform/forms.js';
import { clientIp } from '../platform/ip.js';
import { toDecimalString } from '../platform/money.js';
import { isHtmx, redirectTo, render } from '../platform/render.js';
import { storageFor } from '../storage/index.js';
import { Captcha } from '../../views/portal/captcha.js';
import { captchaCsp, captchaFor, captchaKindOf, freshChallenge, verifyCaptcha } from './captcha.js';
import { PAY_LINK_MS, providerFor } from './payment-provider.js';
import { portalSettingsFor } from './queries.js';
import {
  campaignPayCode,
  campaignPromiseFromPortal,
  identifyForRecovery,
  lastPromiseDate,
  leftToPay,
  recordStep,
  recoveryStateOf,
  uploadCampaignReceipt,
  whatsappUrl,
  type RecoveryState,
} from './recovery.js';
import { firstSend, receiptIdentity, registerOnce } from './once.js';
import { documentProblem } from './identification.js';
import { portalPage } from './page.js';
import { readReceiptForm, sent } from './routes.js';
import { ADVISOR_REASON, type PortalSettings } from './schema.js';
import { promiseFieldsSchema, recoveryAvailable, refusedPaymentsOf } from './service.js';
import { endPortalSession, portalVisitOf, startPortalSession, type PortalVisit } from './sessions.js';

/**
 * A visit to /recovery, from the first page to the last: an id and when it began, in a signed
 * cookie, so the steps recorded after identification can say when the debtor entered and
 * which steps belong to the same visit.
 */
const VISIT_COOKIE = 'saldo_recovery_visit';
const VISIT_MS = 12 * 3_600_000;

interface VisitMark {
  id: string;
  startedAt: Date;
}

function visitMark(c: AppContext): VisitMark | null {
  const raw = getCookie(c, VISIT_COOKIE);
  const payload = raw ? verifyExpiring(c.var.deps.secret, 'recovery-visit', raw, c.var.deps.clock.now()) : null;
  const match = payload?.match(/^([a-z2-7]{12})-(\d{1,15})$/);
  return match ? { id: match[1]!, startedAt: new Date(Number(match[2])) } : null;
}

function beginVisit(c: AppContext): VisitMark {
  const existing = visitMark(c);
  if (existing) return existing;
  const { secret, clock, config } = c.var.deps;
  const mark = { id: generateToken().slice(0, 12), startedAt: clock.now() };
  const value = signExpiring(secret, 'recovery-visit', `${mark.id}-${mark.startedAt.getTime()}`, new Date(mark.startedAt.getTime() + VISIT_MS));
  setCookie(c, VISIT_COOKIE, value, { path: '/recovery', httpOnly: true, sameSite: 'Lax', secure: config.scheme === 'https', maxAge: VISIT_MS / 1000 });
  return mark;
}

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? name;

/** Born inactive: until an admin switches it on, /recovery is a plain "not available" page. */
function unavailable(c: AppContext, settings: PortalSettings) {
  return portalPage(c, {
    settings,
    kind: 'recovery',
    title: c.var.t('recovery.unavailable.title'),
    status: 404,
    body: <RecoveryMessage title={c.var.t('recovery.unavailable.title')} text={c.var.t('recovery.unavailable.body')} />,
  });
}

/** `htmx`: the milliseconds until the page's countdown is first due to refresh, when it has one. */
function page(c: AppContext, settings: PortalSettings, options: { title: string; body: Child; status?: ContentfulStatusCode; identified?: boolean; htmx?: number | undefined }) {
  return portalPage(c, {
    settings,
    kind: 'recovery',
    title: options.title,
    status: options.status,
    actions: options.identified ? <LogoutButton action="/recovery/salida" /> : undefined,
    // htmx only refreshes the countdown: it comes when the first refresh is due (static/later.js).
    head: options.htmx ? (
      <>
        <meta name="htmx-config" content={htmxConfig} />
        <script src={c.var.deps.assets.url('later.js')} data-src={c.var.deps.assets.url('htmx.js')} data-after={String(options.htmx)} defer></script>
      </>
    ) : undefined,
    body: options.body,
  });
}

async function identifyPage(c: AppContext, settings: PortalSettings, options: { values?: Record<string, string>; errors?: Record<string, string>; notice?: string; status?: ContentfulStatusCode } = {}) {
  const captchaInvalid = options.errors?.captcha !== undefined;
  const types = await documentTypesFor(c.var.deps.database.db, c.var.tenant.id);
  const captcha = await captchaFor(c, settings);
  captchaCsp(c, captcha);
  return page(c, settings, {
    title: c.var.t('recovery.identify.title'),
    status: options.status,
    body: <RecoveryIdentify settings={settings} types={types} values={options.values ?? {}} errors={options.errors} notice={options.notice} captcha={<Captcha {...captcha} invalid={captchaInvalid} />} />,
  });
}

/** The identified debtor of this request, on the recovery portal. */
async function recoveryVisit(c: AppContext, slide = true): Promise<PortalVisit | null> {
  return (await portalVisitOf(c, 'recovery', { slide })).visit;
}

function advisorWhatsapp(c: AppContext): string | null {
  return whatsappUrl(c.var.tenant.whatsappNumber ?? null, c.var.t('recovery.advisor.whatsappText'));
}

/** The pages for a debtor whose offer is no longer there: expired countdown, finished or paid campaign. */
function closedPage(c: AppContext, settings: PortalSettings, state: Exclude<RecoveryState, { kind: 'offer' }>, status: ContentfulStatusCode = 200) {
  const t = c.var.t;
  if (state.kind === 'paid') {
    // A discount of the whole debt leaves nothing to pay: no payment was received, and none is due.
    const text = t(state.entry.paid > 0 ? 'recovery.paid.body' : 'recovery.paid.nothingOwed');
    return page(c, settings, { title: t('recovery.paid.title'), status, identified: true, body: <RecoveryMessage title={t('recovery.paid.title')} text={text} /> });
  }
  return page(c, settings, {
    title: t('recovery.concluded.title'),
    status,
    identified: true,
    body: (
      <RecoveryMessage title={t('recovery.concluded.title')} text={t('recovery.concluded.body')} whatsapp={advisorWhatsapp(c)}>
        <p>
          <a href="/">{t('recovery.concluded.customerPortal')}</a>
        </p>
      </RecoveryMessage>
    ),
  });
}

interface Current {
  visit: PortalVisit;
  settings: PortalSettings;
  state: RecoveryState;
  mark: string | null;
}

/**
 * The identified visit and where its offer stands now. Any identified request begins the
 * debtor's countdown if it has not begun; the page's own refreshes (`slide: false`) do not
 * keep the visit open.
 */
async function current(c: AppContext, options: { slide?: boolean } = {}): Promise<Current | Response> {
  const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
  if (!recoveryAvailable(c.var.tenant, settings)) return unavailable(c, settings);
  const { visit, ended } = await portalVisitOf(c, 'recovery', { slide: options.slide ?? true });
  if (!visit) {
    // A form sent after the visit ended (30 quiet minutes) is not dropped without a word, nor
    // is an offer page left open that long (its countdown's refresh finds the visit over).
    if (c.req.method === 'POST') setFlash(c, 'error', 'portal.visit.ended');
    else if (ended) setFlash(c, 'info', 'portal.visit.endedQuiet');
    return redirectTo(c, '/recovery');
  }
  const mark = beginVisit(c).id;
  const { database, clock } = c.var.deps;
  const state = await recoveryStateOf(database.db, { tenant: c.var.tenant, settings, clientId: visit.client.id, now: clock.now(), start: true, visit: mark });
  return { visit, settings, state, mark };
}

/**
 * When the offer stops standing for this debtor, in milliseconds: their countdown's deadline
 * or the end of the campaign's last day, whichever comes first; Infinity for an open-ended
 * campaign without a countdown.
 */
function endOfOffer(c: AppContext, state: { entry: { endDate: string | null }; countdown: { deadline: Date } | null }): number {
  const ends = [state.countdown?.deadline.getTime() ?? Number.POSITIVE_INFINITY];
  if (state.entry.endDate) ends.push(endOfDayIn(c.var.tenant.timezone, state.entry.endDate).getTime());
  return Math.min(...ends);
}

async function lastPromiseDateOf(c: AppContext, now: Current & { state: { kind: 'offer' } }) {
  const limits = await settingsOf(c.var.deps.database.db, c.var.tenant.id);
  const { entry, countdown } = now.state;
  return lastPromiseDate({ today: todayIn(c.var.tenant.timezone, c.var.deps.clock), maxDays: limits.promiseMaxDays, endDate: entry.endDate, deadline: countdown?.deadline ?? null, timezone: c.var.tenant.timezone });
}

async function payPage(c: AppContext, now: Current & { state: { kind: 'offer' } }, extra: Pick<StatementPageProps, 'receipt' | 'promise'> = {}, status: ContentfulStatusCode = 200) {
  const { clock, secret } = c.var.deps;
  const tenant = c.var.tenant;
  const today = todayIn(tenant.timezone, clock);
  const { offer, countdown, reported } = now.state;
  const left = leftToPay(now.state);
  return page(c, now.settings, {
    title: c.var.t('recovery.pay.title'),
    status,
    identified: true,
    htmx: countdown ? refreshEveryMs(countdown) : undefined,
    body: (
      <RecoveryPay
        left={left}
        leftDecimal={toDecimalString(left, tenant.currency)}
        reported={reported.reduce((sum, r) => sum + r.amount, 0)}
        partly={offer.paid > 0}
        settings={now.settings}
        payOnline={providerFor(now.settings, secret) !== null}
        today={today}
        promiseMax={(await lastPromiseDateOf(c, now)).date}
        countdown={countdown}
        {...extra}
      />
    ),
  });
}

/** The recovery portal (cartera castigada), at the portal's address + /recovery. */
export const recoveryRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    if (!recoveryAvailable(c.var.tenant, settings)) return unavailable(c, settings);
    if (await recoveryVisit(c)) return c.redirect('/recovery/oferta', 303);
    beginVisit(c);
    return identifyPage(c, settings);
  })
  .get('/captcha', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    if (!recoveryAvailable(c.var.tenant, settings) || captchaKindOf(settings) !== 'altcha') return c.notFound();
    return freshChallenge(c);
  })
  .post('/identificacion', async (c) => {
    const settings = await portalSettingsFor(c.var.deps.database.db, c.var.tenant.id);
    if (!recoveryAvailable(c.var.tenant, settings)) return unavailable(c, settings);
    const values = (await formValues(c)) as Record<string, string>;
    const { database, clock } = c.var.deps;
    const types = await documentTypesFor(database.db, c.var.tenant.id);
    const documentType = String(values.documentType ?? '').trim().toUpperCase();
    const errors = documentProblem(types, documentType, String(values.documentNumber ?? ''));
    if (errors) return identifyPage(c, settings, { values, errors, status: 422 });
    const verdict = await verifyCaptcha(c, settings, values);
    if (!verdict.ok) {
      return verdict.retryAfterMs === undefined
        ? identifyPage(c, settings, { values, errors: { captcha: 'recovery.identify.captchaFailed' }, status: 422 })
        : identifyPage(c, settings, { values, notice: c.var.t('portal.identify.limited', waitFor(c, verdict.retryAfterMs)), status: 429 });
    }
    const documentNumber = normalizeDocumentNumber(types.find((d) => d.code === documentType)!, String(values.documentNumber));
    const result = await identifyForRecovery(database.db, { tenant: c.var.tenant, ip: clientIp(c), documentType, documentNumber, now: clock.now() });
    if (!result.ok) {
      if (result.reason === 'limited') {
        return identifyPage(c, settings, { values, notice: c.var.t('portal.identify.limited', waitFor(c, result.retryAfterMs)), status: 429 });
      }
      return identifyPage(c, settings, { values, notice: c.var.t('recovery.identify.noOffer'), status: 422 });
    }
    const mark = beginVisit(c);
    const clientId = result.client.id;
    const tenantId = c.var.tenant.id;
    await startPortalSession(c, clientId, 'recovery');
    await recordStep(database.db, tenantId, clientId, 'recovery.entered', { visit: mark.id }, mark.startedAt);
    await recordStep(database.db, tenantId, clientId, 'recovery.identified', { visit: mark.id, entryId: result.entry.id, campaign: result.entry.campaignCode }, clock.now());
    return redirectTo(c, '/recovery/oferta');
  })
  .get('/oferta', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    const { state, visit, settings, mark } = now;
    if (state.kind !== 'offer') return closedPage(c, settings, state);
    const { database, clock } = c.var.deps;
    await recordStep(database.db, c.var.tenant.id, visit.client.id, 'recovery.offer_viewed', { visit: mark, entryId: state.entry.id, campaign: state.entry.campaignCode, amount: state.offer.owed }, clock.now());
    return page(c, settings, {
      title: settings.recoveryTitle,
      identified: true,
      htmx: state.countdown && !state.held ? refreshEveryMs(state.countdown) : undefined,
      body: (
        <RecoveryOffer
          firstName={firstName(visit.client.name)}
          settings={settings}
          offer={state.offer}
          endDate={state.entry.endDate}
          countdown={state.held ? null : state.countdown}
          reported={state.reported}
          promised={state.promised}
          held={state.held}
        />
      ),
    });
  })
  .get('/tiempo', async (c) => {
    const now = await current(c, { slide: false });
    if (now instanceof Response) return isHtmx(c) ? c.body(null, 204, { 'HX-Refresh': 'true' }) : now;
    // When the offer is over, the whole page must change: htmx reloads it.
    if (now.state.kind !== 'offer' || !now.state.countdown || now.state.held) {
      if (isHtmx(c)) return c.body(null, 204, { 'HX-Refresh': 'true' });
      return c.redirect('/recovery/oferta', 303);
    }
    if (!isHtmx(c)) return c.redirect('/recovery/oferta', 303);
    c.header('Cache-Control', 'no-store');
    return render(c, { title: '', layout: 'none', body: null, fragment: <CountdownBox countdown={now.state.countdown} refresh /> });
  })
  .get('/pago', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    if (now.state.kind !== 'offer') return closedPage(c, now.settings, now.state);
    if (now.state.held) return c.redirect('/recovery/oferta', 303);
    const { database, clock } = c.var.deps;
    await recordStep(database.db, c.var.tenant.id, now.visit.client.id, 'recovery.pay_pressed', { visit: now.mark, entryId: now.state.entry.id, amount: now.state.offer.owed }, clock.now());
    return payPage(c, now as Current & { state: { kind: 'offer' } });
  })
  .get('/pago-en-linea', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    if (now.state.kind !== 'offer') return closedPage(c, now.settings, now.state, 410);
    if (now.state.held) return c.redirect('/recovery/oferta', 303);
    const { database, clock, secret } = c.var.deps;
    const provider = providerFor(now.settings, secret);
    if (!provider) return c.redirect('/recovery/pago', 303);
    const { entry } = now.state;
    // Receipts being verified are not paid twice: the link asks for what is left, and for
    // nothing when they cover it all (the payment page says so).
    const left = leftToPay(now.state);
    if (left === 0) return c.redirect('/recovery/pago', 303);
    await recordStep(database.db, c.var.tenant.id, now.visit.client.id, 'recovery.method_chosen', { visit: now.mark, entryId: entry.id, method: 'online', amount: left }, clock.now(), { once: false });
    // The link dies with the offer: at the countdown's deadline or the campaign's last day, whichever is first.
    const expiresAt = new Date(Math.min(clock.now().getTime() + PAY_LINK_MS, endOfOffer(c, now.state)));
    return c.redirect(provider.payUrl({ tenantId: c.var.tenant.id, code: campaignPayCode(entry), amount: left, currency: c.var.tenant.currency, expiresAt }), 303);
  })
  .post('/comprobante', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    // The server decides whether the offer still stands: a form opened before the deadline is refused after it.
    if (now.state.kind !== 'offer') return closedPage(c, now.settings, now.state, 410);
    if (now.state.held) return c.redirect('/recovery/oferta', 303);
    const { database, clock, config } = c.var.deps;
    const offerNow = now as Current & { state: { kind: 'offer' } };
    const form = await readReceiptForm(c);
    if (!form.ok) return payPage(c, offerNow, { receipt: form }, 422);
    const { values } = form;
    const result = await registerOnce(
      c,
      values,
      () =>
        uploadCampaignReceipt(
          { db: database.db, tenant: c.var.tenant, clock, storage: storageFor(config), entry: offerNow.state.entry },
          { amount: form.fields.amount, reference: form.fields.reference, file: form.file },
        ),
      {
        sameAs: receiptIdentity(
          `entry:${offerNow.state.entry.id}`,
          form.fields.amount,
          form.file.bytes,
          await refusedPaymentsOf(database.db, c.var.tenant.id, { entryId: offerNow.state.entry.id }),
        ),
      },
    );
    if (!result) return sent(c, 'recovery.receipt.sent', '/recovery/oferta');
    if (!result.ok) return payPage(c, offerNow, { receipt: { values, errors: result.errors } }, 422);
    await recordStep(database.db, c.var.tenant.id, now.visit.client.id, 'recovery.method_chosen', { visit: now.mark, entryId: now.state.entry.id, method: 'receipt', amount: form.fields.amount }, clock.now(), { once: false });
    return sent(c, 'recovery.receipt.sent', '/recovery/oferta');
  })
  .post('/compromiso', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    if (now.state.kind !== 'offer') return closedPage(c, now.settings, now.state, 410);
    if (now.state.held) return c.redirect('/recovery/oferta', 303);
    const { database, clock } = c.var.deps;
    const offerNow = now as Current & { state: { kind: 'offer' } };
    if (!now.settings.promisesEnabled) return payPage(c, offerNow, { promise: { values: {}, errors: { promisedDate: 'portal.promise.disabled' } } }, 422);
    const values = (await formValues(c)) as Record<string, string>;
    const parsed = parseWith(promiseFieldsSchema(c.var.tenant.currency), values);
    const result = parsed.ok
      ? await registerOnce(c, values, async () =>
          campaignPromiseFromPortal(
            { db: database.db, tenant: c.var.tenant, clock, entry: offerNow.state.entry, limit: await lastPromiseDateOf(c, offerNow) },
            { amount: parsed.value.promiseAmount, promisedDate: parsed.value.promisedDate },
          ),
        )
      : parsed;
    if (!result) return sent(c, 'recovery.promise.sent', '/recovery/oferta');
    if (!result.ok) return payPage(c, offerNow, { promise: { values, errors: result.errors } }, 422);
    await recordStep(database.db, c.var.tenant.id, now.visit.client.id, 'recovery.method_chosen', { visit: now.mark, entryId: now.state.entry.id, method: 'promise', amount: parsed.ok ? parsed.value.promiseAmount : null }, clock.now(), { once: false });
    return sent(c, 'recovery.promise.sent', '/recovery/oferta');
  })
  .get('/no-me-interesa', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    if (now.state.kind !== 'offer') return closedPage(c, now.settings, now.state);
    if (now.state.held) return c.redirect('/recovery/oferta', 303);
    return page(c, now.settings, {
      title: c.var.t('recovery.offer.notInterested'),
      identified: true,
      body: (
        <section class="card">
          <h1>{c.var.t('recovery.offer.notInterested')}</h1>
          <NotInterestedForm reasons={now.settings.notInterestedReasons} />
        </section>
      ),
    });
  })
  .post('/no-me-interesa', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    // Only a standing offer can be turned down: after the debtor's countdown it is withdrawn, as the GET shows.
    if (now.state.kind !== 'offer') return closedPage(c, now.settings, now.state, 410);
    if (now.state.held) return c.redirect('/recovery/oferta', 303);
    const values = (await formValues(c)) as Record<string, string>;
    const reason = String(values.reason ?? '').trim();
    const { settings, visit, state } = now;
    if (!settings.notInterestedReasons.includes(reason)) {
      return page(c, settings, {
        title: c.var.t('recovery.offer.notInterested'),
        status: 422,
        identified: true,
        body: (
          <section class="card">
            <h1>{c.var.t('recovery.offer.notInterested')}</h1>
            <NotInterestedForm reasons={settings.notInterestedReasons} values={values} errors={{ reason: 'recovery.notInterested.reasonRequired' }} />
          </section>
        ),
      });
    }
    const { database, clock, jobs } = c.var.deps;
    const tenantId = c.var.tenant.id;
    const entry = state.entry;
    const advisor = reason === ADVISOR_REASON;
    // A double tap answers once: one reason, one alert, one message to the advisor.
    if (!(await firstSend(c, values))) return redirectTo(c, advisor ? '/recovery/gracias?asesor=1' : '/recovery/gracias');
    const alert = await database.db.transaction(async (tx) => {
      await recordStep(tx, tenantId, visit.client.id, 'recovery.not_interested', { visit: now.mark, entryId: entry.id, campaign: entry.campaignCode, reason }, clock.now(), { once: false });
      if (!advisor) return null;
      await recordStep(tx, tenantId, visit.client.id, 'recovery.advisor_requested', { visit: now.mark, entryId: entry.id, campaign: entry.campaignCode }, clock.now(), { once: false });
      return raiseAlert(tx, { tenantId, clientId: visit.client.id, kind: 'advisor_requested', source: 'recovery', note: reason, now: clock.now() });
    });
    await notifyAdvisor(jobs, alert);
    // After a POST, a page of its own: reloading it does not answer twice.
    return redirectTo(c, advisor ? '/recovery/gracias?asesor=1' : '/recovery/gracias');
  })
  .get('/gracias', async (c) => {
    const now = await current(c);
    if (now instanceof Response) return now;
    const t = c.var.t;
    // "An advisor will contact you" only when the request is on record (an open alert), not
    // because the address says so.
    const advisor =
      c.req.query('asesor') === '1' &&
      (await listOpenAlerts(c.var.deps.database.db, c.var.tenant.id, { clientId: now.visit.client.id })).some((a) => a.kind === 'advisor_requested');
    return page(c, now.settings, {
      title: t('recovery.notInterested.thanksTitle'),
      identified: true,
      body: (
        <RecoveryMessage title={t('recovery.notInterested.thanksTitle')} text={advisor ? t('recovery.advisor.requested') : t('recovery.notInterested.thanks')}>
          {advisor && <AdvisorLink url={advisorWhatsapp(c)} />}
          {now.state.kind === 'offer' && (
            <p>
              <a href="/recovery/oferta">{t('recovery.notInterested.backToOffer')}</a>
            </p>
          )}
        </RecoveryMessage>
      ),
    });
  })
  .post('/salida', async (c) => {
    await endPortalSession(c);
    deleteCookie(c, VISIT_COOKIE, { path: '/recovery', secure: c.var.deps.config.scheme === 'https' });
    setFlash(c, 'info', 'portal.loggedOut');
    return redirectTo(c, '/recovery');
  });
