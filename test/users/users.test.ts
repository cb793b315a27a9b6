import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../../src/users/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

const byEmail = (tenantId: number, email: string) =>
  h.db.select().from(users).where(and(eq(users.tenantId, tenantId), eq(users.email, email)));

describe('Ajustes > Usuarios', () => {
  it('lets an admin create a user who can then log in', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.post('/app/settings/users', { name: 'Luis Pérez', email: 'Luis@Acme.pe', role: 'supervisor', password: 'luis-password-1' });
    expect(response.status).toBe(303);
    const list = await (await admin.get('/app/settings/users')).text();
    expect(list).toContain('Creamos el usuario luis@acme.pe.');
    expect(list).toContain('Luis Pérez');
    expect((await h.client(acme).post('/app/login', { email: 'luis@acme.pe', password: 'luis-password-1' })).status).toBe(303);
  });

  it('shows every problem of an invalid form, keeps the values and creates nothing', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const response = await admin.post('/app/settings/users', { name: 'Sin Correo', email: 'no-es-correo', role: 'advisor', password: 'short' });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('Escribe un correo válido');
    expect(html).toContain('La contraseña debe tener al menos 10 caracteres sin contar los espacios.');
    expect(html).toContain('value="Sin Correo"');
    expect(await byEmail(acme.id, 'no-es-correo')).toHaveLength(0);
  });

  it('refuses a second user with the same email in the tenant, but not in another tenant', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    await addStaff(h, other, { email: 'maria@example.pe' });
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const form = { name: 'María', email: 'maria@example.pe', role: 'advisor', password: 'maria-password-1' };
    expect((await admin.post('/app/settings/users', form)).status).toBe(303);
    const again = await admin.post('/app/settings/users', { ...form, email: 'MARIA@example.pe' });
    expect(again.status).toBe(422);
    expect(await again.text()).toContain('Ya existe un usuario con este correo.');
  });

  it('refuses an advisor, who has no users permission, and changes nothing', async () => {
    const acme = await newTenant(h);
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect((await advisor.get('/app/settings/users')).status).toBe(403);
    const response = await advisor.post('/app/settings/users', { name: 'X', email: 'x@acme.pe', role: 'admin', password: 'x-password-123' });
    expect(response.status).toBe(403);
    expect(await byEmail(acme.id, 'x@acme.pe')).toHaveLength(0);
  });

  it('lets an admin grant a single permission to one user', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const advisor = await addStaff(h, acme, { role: 'advisor' });
    const advisorClient = await loggedIn(h, acme, advisor);
    expect((await advisorClient.get('/app/settings/users')).status).toBe(403);
    const page = await (await admin.get(`/app/settings/users/${advisor.id}/permissions`)).text();
    expect(page).toContain('Permisos de');
    const response = await admin.post(`/app/settings/users/${advisor.id}/permissions`, {
      permissions: ['receivables', 'claims.view', 'claims.edit', 'conversations', 'users'],
    });
    expect(response.status).toBe(303);
    expect((await advisorClient.get('/app/settings/users')).status).toBe(200);
    const [stored] = await h.db.select().from(users).where(and(eq(users.tenantId, acme.id), eq(users.id, advisor.id)));
    expect(stored!.permissionOverrides).toEqual({ users: true });
  });

  it('never leaves the tenant without someone who can manage users', async () => {
    const acme = await newTenant(h);
    const adminUser = await addStaff(h, acme, { role: 'admin' });
    const admin = await loggedIn(h, acme, adminUser);
    const demote = await admin.post(`/app/settings/users/${adminUser.id}`, { name: adminUser.name, email: adminUser.email, role: 'advisor', active: 'on' });
    expect(demote.status).toBe(422);
    expect(await demote.text()).toContain('Debe quedar al menos un administrador activo');
    const strip = await admin.post(`/app/settings/users/${adminUser.id}/permissions`, { permissions: ['receivables'] });
    expect(strip.status).toBe(422);
    const [stored] = await h.db.select().from(users).where(and(eq(users.tenantId, acme.id), eq(users.id, adminUser.id)));
    expect(stored!.role).toBe('admin');
    expect(stored!.permissionOverrides).toEqual({});
  });

  it('deactivating a user ends their sessions', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const luis = await addStaff(h, acme, { role: 'advisor' });
    const luisClient = await loggedIn(h, acme, luis);
    const response = await admin.post(`/app/settings/users/${luis.id}`, { name: luis.name, email: luis.email, role: 'advisor' });
    expect(response.status).toBe(303);
    expect((await luisClient.get('/app')).status).toBe(303);
  });

  it('answers 404 for another tenant’s users and changes nothing', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    const stranger = await addStaff(h, other, { name: 'Ajeno' });
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect((await admin.get(`/app/settings/users/${stranger.id}/edit`)).status).toBe(404);
    expect((await admin.get(`/app/settings/users/${stranger.id}/permissions`)).status).toBe(404);
    const response = await admin.post(`/app/settings/users/${stranger.id}`, { name: 'Cambiado', email: stranger.email, role: 'admin', active: 'on' });
    expect(response.status).toBe(404);
    const [stored] = await h.db.select().from(users).where(and(eq(users.tenantId, other.id), eq(users.id, stranger.id)));
    expect(stored!.name).toBe('Ajeno');
    expect(stored!.role).toBe('advisor');
  });

  it('lets each user switch the interface to English', async () => {
    const acme = await newTenant(h);
    const ana = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    expect(await (await ana.get('/app')).text()).toContain('Cerrar sesión');
    expect((await ana.post('/app/account/language', { language: 'en' })).status).toBe(303);
    const page = await (await ana.get('/app')).text();
    expect(page).toContain('Log out');
    expect(page).toContain('<html lang="en">');
    // Signed out, the login page is in the tenant's language, and so is its message.
    expect((await ana.post('/app/logout')).status).toBe(303);
    const login = await (await ana.get('/app/login')).text();
    expect(login).toContain('<html lang="es">');
    expect(login).toContain('Cerraste sesión.');
    expect(login).not.toContain('You have logged out.');
  });
});

describe('navigation', () => {
  it('shows only the sections the user may open', async () => {
    const acme = await newTenant(h);
    const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    const adminHome = await (await admin.get('/app')).text();
    const advisorHome = await (await advisor.get('/app')).text();
    expect(adminHome).toContain('href="/app/settings/users"');
    expect(advisorHome).not.toContain('href="/app/settings/users"');
    expect(advisorHome).not.toContain('>Ajustes<');
  });
});
