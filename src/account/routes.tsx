import { Hono } from 'hono';
import * as v from 'valibot';
import { AccountPage, HomePage } from '../../views/account/account.js';
import { LoginPage, ResetChoosePage, ResetRequestPage } from '../../views/account/login.js';
import { clearSessionCookie, requireUser, setSessionCookie } from '../platform/auth/middleware.js';
import { waitFor } from '../platform/auth/rate-limit.js';
import { createSession, invalidateSession } from '../platform/auth/sessions.js';
import type { AppContext, AppEnv } from '../platform/context.js';
import { setFlash } from '../platform/flash.js';
import { formValues, parseWith } from '../platform/forms.js';
import { translator } from '../platform/i18n/index.js';
import { clientIp } from '../platform/ip.js';
import { redirectTo, render } from '../platform/render.js';
import { tenantUrl } from '../platform/tenancy.js';
import { ChangePasswordSchema, PasswordSchema, setLanguage } from '../users/service.js';
import { changeOwnPassword, findResetToken, logIn, requestPasswordReset, resetPassword } from './service.js';

/** Only paths inside the back office are followed after login, never another host. */
function safeNext(next: string | undefined): string {
  return next && /^\/app(\/[^\s]*)?$/.test(next) && !next.startsWith('//') ? next : '/app';
}

function scopeOf(c: AppContext) {
  return { tenantId: c.var.tenant.id, actor: c.var.user!, db: c.var.deps.database.db, clock: c.var.deps.clock };
}

const LoginSchema = v.object({ email: v.fallback(v.string(), ''), password: v.fallback(v.string(), '') });
const ResetSchema = v.pipe(
  v.object({ password: PasswordSchema, confirm: v.optional(v.string(), '') }),
  v.forward(
    v.check((f) => f.password === f.confirm, 'password.mismatch'),
    ['confirm'],
  ),
);

export const accountRoutes = new Hono<AppEnv>()
  .get('/login', (c) => {
    if (c.var.user) return c.redirect(safeNext(c.req.query('next')), 303);
    return render(c, { title: c.var.t('login.title'), layout: 'plain', body: <LoginPage next={c.req.query('next')} /> });
  })
  .post('/login', async (c) => {
    const form = v.parse(LoginSchema, await formValues(c));
    const next = c.req.query('next');
    const { database, clock } = c.var.deps;
    const result = await logIn(database.db, { tenantId: c.var.tenant.id, email: form.email, password: form.password, ip: clientIp(c), now: clock.now() });
    if (!result.ok) {
      c.var.log.info('login.refused', { reason: result.error === 'login.invalid' ? 'credentials' : 'rate_limited' });
      return render(c, {
        title: c.var.t('login.title'),
        layout: 'plain',
        status: result.error === 'login.invalid' ? 422 : 429,
        body: <LoginPage email={form.email} next={next} message={result.error === 'login.invalid' ? c.var.t(result.error) : c.var.t(result.error, waitFor(c, result.retryAfterMs))} />,
      });
    }
    c.var.log.info('login.succeeded', { userId: result.userId });
    setSessionCookie(c, result.token, result.expiresAt);
    return c.redirect(safeNext(next), 303);
  })
  .post('/logout', async (c) => {
    if (c.var.session) await invalidateSession(c.var.deps.database.db, c.var.tenant.id, c.var.session.id);
    clearSessionCookie(c);
    setFlash(c, 'info', 'login.loggedOut');
    return redirectTo(c, '/app/login');
  })
  .get('/password-reset', (c) => render(c, { title: c.var.t('reset.title'), layout: 'plain', body: <ResetRequestPage /> }))
  .post('/password-reset', async (c) => {
    const email = String((await formValues(c)).email ?? '').trim();
    const { database, clock, mailer, config } = c.var.deps;
    const tenant = c.var.tenant;
    const result = await requestPasswordReset(database.db, mailer, {
      tenant,
      email,
      ip: clientIp(c),
      now: clock.now(),
      linkFor: (token) => tenantUrl(config, tenant, `/app/password-reset/${token}`),
    });
    if (!result.ok) {
      const message = c.var.t(result.error, waitFor(c, result.retryAfterMs));
      return render(c, { title: c.var.t('reset.title'), layout: 'plain', status: 429, body: <ResetRequestPage email={email} message={message} /> });
    }
    setFlash(c, 'success', 'reset.sent');
    return c.redirect('/app/login', 303);
  })
  .get('/password-reset/:token', async (c) => {
    const { database, clock } = c.var.deps;
    const row = await findResetToken(database.db, c.var.tenant.id, c.req.param('token'), clock.now());
    if (!row) {
      setFlash(c, 'error', 'reset.invalidLink');
      return c.redirect('/app/password-reset', 303);
    }
    return render(c, { title: c.var.t('reset.choose'), layout: 'plain', body: <ResetChoosePage token={c.req.param('token')} /> });
  })
  .post('/password-reset/:token', async (c) => {
    const token = c.req.param('token');
    const parsed = parseWith(ResetSchema, await formValues(c));
    if (!parsed.ok) {
      return render(c, { title: c.var.t('reset.choose'), layout: 'plain', status: 422, body: <ResetChoosePage token={token} errors={parsed.errors} /> });
    }
    const { database, clock } = c.var.deps;
    const done = await resetPassword(database.db, { tenantId: c.var.tenant.id, token, password: parsed.value.password, now: clock.now() });
    setFlash(c, done ? 'success' : 'error', done ? 'reset.done' : 'reset.invalidLink');
    return c.redirect(done ? '/app/login' : '/app/password-reset', 303);
  })
  .use(requireUser)
  .get('/', (c) => render(c, { title: c.var.t('home.title'), body: <HomePage /> }))
  .get('/account', (c) => render(c, { title: c.var.t('account.title'), body: <AccountPage /> }))
  .post('/account/language', async (c) => {
    const parsed = parseWith(v.object({ language: v.picklist(['es', 'en']) }), await formValues(c));
    if (parsed.ok) {
      await setLanguage(scopeOf(c), parsed.value.language);
      c.set('t', translator(parsed.value.language));
      setFlash(c, 'success', 'account.languageSaved');
    }
    return redirectTo(c, '/app/account');
  })
  .post('/account/password', async (c) => {
    const parsed = parseWith(ChangePasswordSchema, await formValues(c));
    const result = parsed.ok ? await changeOwnPassword({ ...scopeOf(c), actor: c.var.user! }, parsed.value) : parsed;
    if (!result.ok) {
      const errors = 'errors' in result ? result.errors : { current: `errors.rateLimited?count=${waitFor(c, result.retryAfterMs).count}` };
      return render(c, { title: c.var.t('account.title'), status: 'errors' in result ? 422 : 429, body: <AccountPage errors={errors} /> });
    }
    const { database, clock } = c.var.deps;
    const { token, session } = await createSession(database.db, c.var.tenant.id, c.var.user!.id, clock.now());
    setSessionCookie(c, token, session.expiresAt);
    setFlash(c, 'success', 'password.changed');
    return redirectTo(c, '/app/account');
  });
