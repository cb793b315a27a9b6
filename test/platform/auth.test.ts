import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../src/platform/auth/schema.js';
import { users } from '../../src/users/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

async function sessionCount(tenantId: number, userId: number) {
  return (await h.db.select().from(sessions).where(and(eq(sessions.tenantId, tenantId), eq(sessions.userId, userId)))).length;
}

describe('staff login', () => {
  it('logs a user in with the right password and shows the shell in Spanish', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme, { role: 'admin', name: 'Ana Admin' });
    const client = h.client(acme);
    const response = await client.post('/app/login', { email: ana.email.toUpperCase(), password: ana.password });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/app');
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('saldo_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const home = await client.get('/app');
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('Hola, Ana Admin');
    expect(html).toContain('Usuarios');
  });

  it('marks the session cookie Secure when served over https', async () => {
    const secure = await startTestApp({ env: { PUBLIC_URL_SCHEME: 'https' } });
    try {
      const acme = await newTenant(secure);
      const ana = await addStaff(secure, acme);
      const response = await secure.client(acme).post('/app/login', { email: ana.email, password: ana.password });
      expect(response.headers.getSetCookie().find((c) => c.startsWith('saldo_session='))).toMatch(/Secure/);
    } finally {
      await secure.close();
    }
  });

  it('gives the same message for a wrong password and an unknown email', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const wrongPassword = await h.client(acme).post('/app/login', { email: ana.email, password: 'not-the-password' });
    const unknownEmail = await h.client(acme).post('/app/login', { email: 'nobody@example.pe', password: 'not-the-password' });
    expect(wrongPassword.status).toBe(422);
    expect(unknownEmail.status).toBe(422);
    const a = await wrongPassword.text();
    const b = await unknownEmail.text();
    expect(a).toContain('El correo o la contraseña no son correctos.');
    expect(b).toContain('El correo o la contraseña no son correctos.');
    expect(a).toContain(`value="${ana.email}"`);
  });

  it('does not log in a deactivated user', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    await h.db.update(users).set({ active: false }).where(and(eq(users.tenantId, acme.id), eq(users.id, ana.id)));
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: ana.password })).status).toBe(422);
  });

  it('stops trying an account after five failures, even with the right password', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    for (let i = 0; i < 5; i++) {
      expect((await h.client(acme).post('/app/login', { email: ana.email, password: `wrong-${i}` })).status).toBe(422);
    }
    const blocked = await h.client(acme).post('/app/login', { email: ana.email, password: ana.password });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Demasiados intentos');
    expect(await sessionCount(acme.id, ana.id)).toBe(0);
    h.clock.advance(16 * 60_000);
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: ana.password })).status).toBe(303);
  });

  it('tells a blocked user how long is left to wait, not the whole window', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    // The window is 15:00–15:15; the failures come at 15:10:30.
    h.clock.set('2026-03-10T15:10:30Z');
    for (let i = 0; i < 5; i++) await h.client(acme).post('/app/login', { email: ana.email, password: `wrong-${i}` });
    const blocked = await h.client(acme).post('/app/login', { email: ana.email, password: ana.password });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('Retry-After')).toBe('270');
    expect(await blocked.text()).toContain('Demasiados intentos. Inténtalo de nuevo en 5 minutos.');
    h.clock.set('2026-03-10T15:14:10Z');
    const almost = await h.client(acme).post('/app/login', { email: ana.email, password: ana.password });
    expect(almost.headers.get('Retry-After')).toBe('50');
    expect(await almost.text()).toContain('Demasiados intentos. Inténtalo de nuevo en 1 minuto.');
    h.clock.set('2026-03-10T15:15:00Z');
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: ana.password })).status).toBe(303);
  });

  it('counts attempts sent all at once, before the slow password check', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const statuses = (await Promise.all(Array.from({ length: 12 }, (_, i) => h.client(acme).post('/app/login', { email: ana.email, password: `wrong-${i}` })))).map((r) => r.status);
    expect(statuses.filter((s) => s === 422)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  it('does not count successful logins against the address: an office shares one', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    for (let i = 0; i < 35; i++) expect((await h.client(acme).post('/app/login', { email: ana.email, password: ana.password })).status).toBe(303);
  });

  it('limits attempts from one address across accounts', async () => {
    const acme = await newTenant(h);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await h.client(acme).post('/app/login', { email: `probe${i}@example.pe`, password: 'x' })).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 422)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('sends people who are not logged in to the login page and back', async () => {
    const acme = await newTenant(h);
    const response = await h.client(acme).get('/app/settings/users?x=1');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/app/login?next=%2Fapp%2Fsettings%2Fusers%3Fx%3D1');
    const ana = await addStaff(h, acme, { role: 'admin' });
    const login = await h.client(acme).post('/app/login?next=%2Fapp%2Fsettings%2Fusers', { email: ana.email, password: ana.password });
    expect(login.headers.get('location')).toBe('/app/settings/users');
  });

  it('never follows a next parameter to another site', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const login = await h.client(acme).post('/app/login?next=%2F%2Fevil.example', { email: ana.email, password: ana.password });
    expect(login.headers.get('location')).toBe('/app');
  });
});

describe('sessions', () => {
  it('ends the session on logout: the old cookie is worthless', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    const stolen = client.cookies.get('saldo_session')!;
    expect((await client.post('/app/logout')).status).toBe(303);
    const replay = h.client(acme);
    replay.cookies.set('saldo_session', stolen);
    expect((await replay.get('/app')).status).toBe(303);
    expect(await sessionCount(acme.id, ana.id)).toBe(0);
  });

  it('keeps no back-office page in the browser’s cache, so Back after logout shows nothing', async () => {
    const acme = await newTenant(h);
    const client = await loggedIn(h, acme, await addStaff(h, acme));
    for (const path of ['/app', '/app/clients', '/app/account']) expect((await client.get(path)).headers.get('Cache-Control')).toBe('no-store');
  });

  it('ends every session when the password changes, and keeps the person who changed it logged in', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const laptop = await loggedIn(h, acme, ana);
    const phone = await loggedIn(h, acme, ana);
    const oldLaptopCookie = laptop.cookies.get('saldo_session');
    const response = await laptop.post('/app/account/password', { current: ana.password, password: 'a-new-long-password', confirm: 'a-new-long-password' });
    expect(response.status).toBe(303);
    expect((await phone.get('/app')).status).toBe(303);
    expect(laptop.cookies.get('saldo_session')).not.toBe(oldLaptopCookie);
    expect((await laptop.get('/app')).status).toBe(200);
    expect(await sessionCount(acme.id, ana.id)).toBe(1);
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: 'a-new-long-password' })).status).toBe(303);
  });

  it('refuses a password change with a wrong current password, changing nothing', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    const response = await client.post('/app/account/password', { current: 'wrong', password: 'a-new-long-password', confirm: 'a-new-long-password' });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('La contraseña actual no es correcta.');
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: ana.password })).status).toBe(303);
  });

  it('limits guesses of the current password as the login does, and refuses a password of spaces', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    const spaces = await client.post('/app/account/password', { current: ana.password, password: ' '.repeat(12), confirm: ' '.repeat(12) });
    expect(spaces.status).toBe(422);
    expect(await spaces.text()).toContain('sin contar los espacios');
    for (let i = 0; i < 5; i++) {
      expect((await client.post('/app/account/password', { current: `guess-${i}`, password: 'a-new-long-password', confirm: 'a-new-long-password' })).status).toBe(422);
    }
    const blocked = await client.post('/app/account/password', { current: ana.password, password: 'a-new-long-password', confirm: 'a-new-long-password' });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain('Demasiados intentos');
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: ana.password })).status).toBe(429);
  });

  it('does not accept a session cookie from one tenant on another tenant', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    const elsewhere = h.client(other);
    elsewhere.cookies.set('saldo_session', client.cookies.get('saldo_session')!);
    const response = await elsewhere.get('/app');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('/app/login');
  });

  it('expires an idle session and slides the expiry of an active one', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    const [before] = await h.db.select().from(sessions).where(and(eq(sessions.tenantId, acme.id), eq(sessions.userId, ana.id)));
    for (let i = 0; i < 40; i++) {
      // Use every ten hours for over 16 days: never idle for 12 hours, and the expiry moves forward.
      h.clock.advance(10 * 3_600_000);
      expect((await client.get('/app')).status).toBe(200);
    }
    const [after] = await h.db.select().from(sessions).where(and(eq(sessions.tenantId, acme.id), eq(sessions.userId, ana.id)));
    expect(after!.expiresAt.getTime()).toBeGreaterThan(before!.expiresAt.getTime());
    h.clock.advance(13 * 3_600_000);
    expect((await client.get('/app')).status).toBe(303);
  });

  it('sees a session ended or a user deactivated elsewhere within five seconds, and at once when done here', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    expect((await client.get('/app')).status).toBe(200);
    // Another process deactivates her: this one checked her session a moment ago.
    await h.db.update(users).set({ active: false }).where(and(eq(users.tenantId, acme.id), eq(users.id, ana.id)));
    h.clock.advance(4_000);
    expect((await client.get('/app')).status).toBe(200);
    h.clock.advance(1_000);
    expect((await client.get('/app')).status).toBe(303);
    expect(await sessionCount(acme.id, ana.id)).toBe(0);

    // Logging out here ends the session here at once.
    const bea = await addStaff(h, acme);
    const other = await loggedIn(h, acme, bea);
    expect((await other.get('/app')).status).toBe(200);
    const logout = await other.post('/app/logout', {});
    expect(logout.status).toBe(303);
    expect((await other.get('/app')).status).toBe(303);
  });

  it('treats malformed cookies as no session', async () => {
    const acme = await newTenant(h);
    const client = h.client(acme);
    client.cookies.set('saldo_session', '%%%;;"<script>');
    const response = await client.get('/app');
    expect(response.status).toBe(303);
  });
});

describe('password reset', () => {
  it('emails a link that sets a new password once and ends the old sessions', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const old = await loggedIn(h, acme, ana);
    const client = h.client(acme);
    const response = await client.post('/app/password-reset', { email: ana.email });
    expect(response.status).toBe(303);
    const { mailMessages } = await import('../../src/platform/mail/schema.js');
    const [mail] = await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id));
    expect(mail!.to).toBe(ana.email);
    const link = /http:\/\/[^\s]+\/app\/password-reset\/([a-z2-7]+)/.exec(mail!.text);
    expect(link).not.toBeNull();
    const path = `/app/password-reset/${link![1]}`;
    expect((await client.get(path)).status).toBe(200);
    const mismatch = await client.post(path, { password: 'brand-new-password', confirm: 'other' });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('Las contraseñas no coinciden.');
    expect((await client.post(path, { password: 'brand-new-password', confirm: 'brand-new-password' })).status).toBe(303);
    expect((await old.get('/app')).status).toBe(303);
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: 'brand-new-password' })).status).toBe(303);
    const reused = await client.post(path, { password: 'another-password-1', confirm: 'another-password-1' });
    expect(reused.headers.get('location')).toBe('/app/password-reset');
  });

  it('a new password, by any way, spends every reset link sent before it', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const { mailMessages } = await import('../../src/platform/mail/schema.js');
    const linkPaths = async () =>
      (await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id))).map((m) => `/app/password-reset/${/\/app\/password-reset\/([a-z2-7]+)/.exec(m.text)![1]}`);
    const anonymous = h.client(acme);
    for (let i = 0; i < 2; i++) expect((await anonymous.post('/app/password-reset', { email: ana.email })).status).toBe(303);
    const [first, second] = await linkPaths();
    expect((await anonymous.post(second!, { password: 'brand-new-password', confirm: 'brand-new-password' })).status).toBe(303);
    const stale = await anonymous.post(first!, { password: 'an-attacker-password', confirm: 'an-attacker-password' });
    expect(stale.headers.get('location')).toBe('/app/password-reset');
    expect((await h.client(acme).post('/app/login', { email: ana.email, password: 'an-attacker-password' })).status).toBe(422);

    // The same after a change in Mi cuenta.
    expect((await anonymous.post('/app/password-reset', { email: ana.email })).status).toBe(303);
    const third = (await linkPaths())[2]!;
    const laptop = await loggedIn(h, acme, { ...ana, password: 'brand-new-password' });
    expect((await laptop.post('/app/account/password', { current: 'brand-new-password', password: 'another-new-password', confirm: 'another-new-password' })).status).toBe(303);
    expect((await anonymous.get(third)).headers.get('location')).toBe('/app/password-reset');
  });

  it('a link sent before the user was deactivated, or before their email changed, opens nothing, even after reactivation', async () => {
    const acme = await newTenant(h);
    await addStaff(h, acme, { role: 'admin' });
    const jorge = await addStaff(h, acme, { role: 'advisor', name: 'Jorge' });
    const { mailMessages } = await import('../../src/platform/mail/schema.js');
    const { updateUser } = await import('../../src/users/service.js');
    const latestLink = async () => {
      const sent = await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id)).orderBy(mailMessages.id);
      return `/app/password-reset/${/\/app\/password-reset\/([a-z2-7]+)/.exec(sent.at(-1)!.text)![1]}`;
    };
    const scope = { tenantId: acme.id, actor: null, db: h.db, clock: h.clock };
    const anonymous = h.client(acme);
    const tryLink = (path: string) => anonymous.post(path, { password: 'someone-elses-2026', confirm: 'someone-elses-2026' });

    // Deactivated: the link opens nothing, and not after reactivation either.
    await anonymous.post('/app/password-reset', { email: jorge.email });
    const beforeDeactivation = await latestLink();
    expect((await updateUser(scope, jorge.id, { name: 'Jorge', email: jorge.email, role: 'advisor', active: false })).ok).toBe(true);
    expect((await tryLink(beforeDeactivation)).headers.get('location')).toBe('/app/password-reset');
    expect((await updateUser(scope, jorge.id, { name: 'Jorge', email: jorge.email, role: 'advisor', active: true })).ok).toBe(true);
    expect((await tryLink(beforeDeactivation)).headers.get('location')).toBe('/app/password-reset');

    // Moved to another mailbox: the link sent to the old one opens nothing.
    await anonymous.post('/app/password-reset', { email: jorge.email });
    const toOldMailbox = await latestLink();
    expect((await updateUser(scope, jorge.id, { name: 'Jorge', email: `nuevo.${jorge.email}`, role: 'advisor', active: true })).ok).toBe(true);
    expect((await tryLink(toOldMailbox)).headers.get('location')).toBe('/app/password-reset');
    expect((await h.client(acme).post('/app/login', { email: `nuevo.${jorge.email}`, password: 'someone-elses-2026' })).status).toBe(422);

    // A link of an inactive user, however it was made, opens nothing while they are inactive.
    await anonymous.post('/app/password-reset', { email: `nuevo.${jorge.email}` });
    const fresh = await latestLink();
    await h.db.update(users).set({ active: false }).where(eq(users.id, jorge.id));
    expect((await anonymous.get(fresh)).headers.get('location')).toBe('/app/password-reset');
  });

  it('the outbox shows a reset link whole only to the person it was sent to', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme, { role: 'admin' });
    const other = await addStaff(h, acme, { role: 'admin' });
    expect((await h.client(acme).post('/app/password-reset', { email: ana.email })).status).toBe(303);
    const { mailMessages } = await import('../../src/platform/mail/schema.js');
    const [mail] = await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id));
    const link = /http:\/\/[^\s]+\/app\/password-reset\/[a-z2-7]+/.exec(mail!.text)![0];
    const token = link.split('/').pop()!;
    const theirs = await (await (await loggedIn(h, acme, other)).get('/app/settings/outbox')).text();
    expect(theirs).not.toContain(token);
    expect(theirs).toContain(`${new URL(link).origin}/app/password-reset/…`);
    expect(theirs).toContain('se muestran completos solo en los correos enviados a ti');
    const hers = await (await (await loggedIn(h, acme, ana)).get('/app/settings/outbox')).text();
    expect(hers).toContain(`<a href="${link}"`);
  });

  it("writes the email in the user's language, whatever the anonymous page's", async () => {
    const acme = await newTenant(h);
    const luis = await addStaff(h, acme, { language: 'en' });
    expect((await h.client(acme).post('/app/password-reset', { email: luis.email })).status).toBe(303);
    const { mailMessages } = await import('../../src/platform/mail/schema.js');
    const [mail] = await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id));
    expect(mail!.subject).toBe('Reset your Saldo password');
  });

  it('answers the same for an unknown email and sends nothing', async () => {
    const acme = await newTenant(h);
    const response = await h.client(acme).post('/app/password-reset', { email: 'ghost@example.pe' });
    expect(response.status).toBe(303);
    const { mailMessages } = await import('../../src/platform/mail/schema.js');
    expect(await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id))).toHaveLength(0);
  });
});

describe('CSRF', () => {
  it('refuses a state change without the token and changes nothing', async () => {
    const acme = await newTenant(h);
    const admin = await addStaff(h, acme, { role: 'admin' });
    const client = await loggedIn(h, acme, admin);
    const response = await client.post('/app/settings/users', { name: 'Intruso', email: 'intruso@example.pe', role: 'admin', password: 'intruso-password' }, { csrf: false });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('El formulario expiró');
    expect(await h.db.select().from(users).where(and(eq(users.tenantId, acme.id), eq(users.email, 'intruso@example.pe')))).toHaveLength(0);
  });

  it('sends a login whose form expired back to the login, and an htmx part it refuses to the page\'s notice', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const expired = await h.client(acme).post('/app/login', { email: ana.email, password: ana.password }, { csrf: false });
    expect(expired.status).toBe(403);
    const page = await expired.text();
    expect(page).toContain('El formulario expiró');
    expect(page).toContain('href="/app/login"');

    const client = await loggedIn(h, acme, ana);
    const refused = await client.request('POST', '/app/logout', { csrf: false, htmx: true, headers: { 'X-CSRF-Token': 'x', 'HX-Current-URL': `http://${acme.subdomain}.localhost/app/claims?state=todos` } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('HX-Retarget')).toBe('#request-error');
    expect(refused.headers.get('HX-Reswap')).toBe('innerHTML');
    expect(refused.headers.get('HX-Push-Url')).toBe('false');
    const part = await refused.text();
    expect(part).toContain('El formulario expiró');
    expect(part).toContain('<a href="/app/claims?state=todos">Volver a cargar la página</a>');
    expect(part).not.toContain('<html');
    expect(await sessionCount(acme.id, ana.id)).toBe(1);
  });

  it('refuses a token made for another browser', async () => {
    const acme = await newTenant(h);
    const admin = await addStaff(h, acme, { role: 'admin' });
    const client = await loggedIn(h, acme, admin);
    const stranger = h.client(acme);
    const response = await client.post('/app/logout', {}, { csrf: false, headers: { 'X-CSRF-Token': stranger.csrfToken } });
    expect(response.status).toBe(403);
    expect(await sessionCount(acme.id, admin.id)).toBe(1);
  });

  it('accepts the token in the header htmx sends', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    const response = await client.request('POST', '/app/logout', { csrf: false, htmx: true, headers: { 'X-CSRF-Token': client.csrfToken } });
    expect(response.status).toBe(204);
    expect(response.headers.get('HX-Redirect')).toBe('/app/login');
  });

  it('refuses a cross-site Origin even with a valid token', async () => {
    const acme = await newTenant(h);
    const ana = await addStaff(h, acme);
    const client = await loggedIn(h, acme, ana);
    const response = await client.post('/app/logout', {}, { headers: { Origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
    expect(await sessionCount(acme.id, ana.id)).toBe(1);
  });
});
