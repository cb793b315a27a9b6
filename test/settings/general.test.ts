import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '../../src/clients/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { settingsOf } from '../../src/settings/queries.js';
import { documentTypes } from '../../src/settings/schema.js';
import { tenants, type Tenant } from '../../src/tenants/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp({ now: '2026-03-10T15:00:00Z' });
});
afterAll(() => h.close());

async function setup() {
  const acme = await newTenant(h);
  const admin = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
  return { acme, admin };
}

const tenantRow = async (tenant: Tenant) => (await h.db.select().from(tenants).where(eq(tenants.id, tenant.id)))[0]!;

describe('Ajustes > General', () => {
  it('is for those with the settings permission, and Ajustes opens on it', async () => {
    const { acme, admin } = await setup();
    const advisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'advisor' }));
    expect((await advisor.get('/app/settings/general')).status).toBe(403);
    expect((await advisor.post('/app/settings/general/receivables', { allowOverpayment: 'on', promiseMaxDays: '10' })).status).toBe(403);
    expect((await settingsOf(h.db, acme.id)).allowOverpayment).toBe(false);
    const page = await (await admin.get('/app/settings/general')).text();
    expect(page).toContain('Ajustes generales');
    expect(page).toContain('<option value="America/Lima" selected');
    expect((await admin.get('/app/settings')).headers.get('location')).toBe('/app/settings/general');
  });

  it('changes the company name and time zone; a zone that does not exist is refused', async () => {
    const { acme, admin } = await setup();
    const refused = await admin.post('/app/settings/general/company', { companyName: 'Acme Cobranzas', timezone: 'America/Atlantis' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('value="Acme Cobranzas"');
    expect((await tenantRow(acme)).timezone).toBe('America/Lima');
    const empty = await admin.post('/app/settings/general/company', { companyName: ' ', timezone: 'America/Lima' });
    expect(await empty.text()).toContain('Escribe el nombre de la empresa.');
    // A zone typed in other capitals is stored by its own name, which the list then selects.
    expect((await admin.post('/app/settings/general/company', { companyName: 'Acme Cobranzas', timezone: 'america/bogota' })).status).toBe(303);
    expect((await tenantRow(acme)).timezone).toBe('America/Bogota');
    expect((await admin.post('/app/settings/general/company', { companyName: 'Acme Cobranzas', timezone: 'America/Santiago' })).status).toBe(303);
    expect(await tenantRow(acme)).toMatchObject({ name: 'Acme Cobranzas', timezone: 'America/Santiago' });
    forgetTenantCache();
    expect(await (await admin.get('/app/settings/general')).text()).toContain('<option value="America/Santiago" selected');
  });

  it('moves the tenant to a new address once confirmed; the old one leads there, and a taken or malformed one is refused', async () => {
    const { acme, admin } = await setup();
    const other = await newTenant(h);
    const page = await (await admin.get('/app/settings/general')).text();
    expect(page).toContain(`El portal de tus clientes está en <a href="http://${acme.subdomain}.localhost`);
    const unconfirmed = await admin.post('/app/settings/general/subdomain', { subdomain: 'nueva-dir' });
    expect(unconfirmed.status).toBe(422);
    expect(await unconfirmed.text()).toContain('Marca la casilla para confirmar el cambio de dirección.');
    const taken = await admin.post('/app/settings/general/subdomain', { subdomain: other.subdomain, confirm: 'on' });
    expect(await taken.text()).toContain('Ese subdominio ya está en uso.');
    const malformed = await admin.post('/app/settings/general/subdomain', { subdomain: 'Nueva Dir!', confirm: 'on' });
    expect(malformed.status).toBe(422);
    expect(await malformed.text()).toContain('value="Nueva Dir!"');
    // Each rule says its own refusal, not one that the value already satisfies.
    const refusal = async (subdomain: string) => (await admin.post('/app/settings/general/subdomain', { subdomain, confirm: 'on' })).text();
    expect(await refusal('Nueva Dir!')).toContain('El subdominio solo puede tener minúsculas, números y guiones.');
    expect(await refusal('abc-')).toContain('El subdominio no puede empezar ni terminar con un guion.');
    expect(await refusal('-abc')).toContain('El subdominio no puede empezar ni terminar con un guion.');
    expect(await refusal('a'.repeat(64))).toContain('El subdominio puede tener hasta 63 caracteres.');
    expect(await refusal('')).toContain('Escribe el subdominio.');
    expect((await tenantRow(acme)).subdomain).toBe(acme.subdomain);

    const fresh = `nueva-${acme.id}`;
    const moved = await admin.post('/app/settings/general/subdomain', { subdomain: ` ${fresh.toUpperCase()} `, confirm: 'on' });
    // A page of this origin says where everything went (a form's answer may not leave for another origin).
    expect(moved.status).toBe(200);
    const said = await moved.text();
    expect(said).toContain('La dirección cambió');
    expect(said).toContain(`href="http://${fresh}.localhost/app/login?next=%2Fapp%2Fsettings%2Fgeneral"`);
    expect((await tenantRow(acme)).subdomain).toBe(fresh);
    // Links already sent keep working; the session stays with the old address's cookie.
    const old = await h.client(acme).get('/recovery?x=1');
    expect([old.status, old.headers.get('location')]).toEqual([301, `http://${fresh}.localhost/recovery?x=1`]);
    // A form sent to the old address is sent again to the new one as it was.
    const posted = await h.client(acme).request('POST', '/comprobante', { body: 'amount=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect([posted.status, posted.headers.get('location')]).toEqual([308, `http://${fresh}.localhost/comprobante`]);
    expect((await h.client(fresh + '.localhost').get('/')).status).toBe(200);
    // No one else can take the old address while it leads to this tenant.
    const other2 = await loggedIn(h, other, await addStaff(h, other, { role: 'admin' }));
    expect(await (await other2.post('/app/settings/general/subdomain', { subdomain: acme.subdomain, confirm: 'on' })).text()).toContain('Ese subdominio ya está en uso.');
  });

  it('switches overpayment and the longest promise, within 1 to 365 days', async () => {
    const { acme, admin } = await setup();
    expect((await admin.post('/app/settings/general/receivables', { allowOverpayment: 'on', promiseMaxDays: '45' })).status).toBe(303);
    expect(await settingsOf(h.db, acme.id)).toMatchObject({ allowOverpayment: true, promiseMaxDays: 45 });
    const refused = await admin.post('/app/settings/general/receivables', { promiseMaxDays: '0' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('entre 1 y 365');
    expect(await settingsOf(h.db, acme.id)).toMatchObject({ allowOverpayment: true, promiseMaxDays: 45 });
    // An unticked box is a switch turned off.
    await admin.post('/app/settings/general/receivables', { promiseMaxDays: '30' });
    expect(await settingsOf(h.db, acme.id)).toMatchObject({ allowOverpayment: false, promiseMaxDays: 30 });
    // Only plain digits: what Number() would also read is refused.
    for (const typed of ['0x10', '1e1', '12.0']) expect((await admin.post('/app/settings/general/receivables', { promiseMaxDays: typed })).status).toBe(422);
    expect(await settingsOf(h.db, acme.id)).toMatchObject({ promiseMaxDays: 30 });
  });
});

describe('document types', () => {
  it('adds a type that forms then check by its format, keeping the default list', async () => {
    const { acme, admin } = await setup();
    expect((await admin.post('/app/settings/general/document-types', { code: 'ci', label: 'Cédula de identidad', format: 'digits', min: '7', max: '8' })).status).toBe(303);
    const codes = (await h.db.select().from(documentTypes).where(eq(documentTypes.tenantId, acme.id))).map((d) => [d.code, d.pattern]);
    expect(codes).toContainEqual(['CI', '^\\d{7,8}$']);
    expect(codes.map(([code]) => code)).toEqual(expect.arrayContaining(['DNI', 'RUC', 'CE']));
    const short = await admin.post('/app/clients', { documentType: 'CI', documentNumber: '12345', name: 'Rosa' });
    expect(short.status).toBe(422);
    expect((await admin.post('/app/clients', { documentType: 'CI', documentNumber: '1234567', name: 'Rosa' })).status).toBe(303);
    // The same code again is refused; so is a pattern that would take exponential time.
    const again = await admin.post('/app/settings/general/document-types', { code: 'CI', label: 'Otra', format: 'digits', min: '8' });
    expect(await again.text()).toContain('Ya existe un tipo de documento con este código.');
    const slow = await admin.post('/app/settings/general/document-types', { code: 'LENTO', label: 'Lento', format: 'pattern', pattern: '(\\d+)+$' });
    expect(slow.status).toBe(422);
    expect(await slow.text()).toContain('sin repetir un grupo entre paréntesis');
    // Escaped backslashes cannot hide a repeated group or a repeat (a real parser reads them).
    for (const pattern of ['((A+))+', '(\\d|\\d)+', '\\d*\\d*\\d*\\d*X', '(a)\\1', '[', '(?:\\d|\\d|\\\\)*', '(?:\\d|\\d){30}', '\\\\*\\\\*\\\\*\\\\*', '(?=a)*']) {
      expect((await admin.post('/app/settings/general/document-types', { code: 'LENTO', label: 'Lento', format: 'pattern', pattern })).status, pattern).toBe(422);
    }
    expect((await admin.post('/app/settings/general/document-types', { code: 'NIT2', label: 'NIT', format: 'pattern', pattern: '(10|20)\\d{9}' })).status).toBe(303);
    const [nit] = await h.db.select().from(documentTypes).where(and(eq(documentTypes.tenantId, acme.id), eq(documentTypes.code, 'NIT2')));
    expect(nit!.pattern).toBe('^(?:(10|20)\\d{9})$');
    // Shown as typed, and saved again unchanged.
    expect(await (await admin.get('/app/settings/general?type=NIT2')).text()).toContain('value="(10|20)\\d{9}"');
    await admin.post('/app/settings/general/document-types/NIT2', { label: 'NIT', format: 'pattern', pattern: '(10|20)\\d{9}' });
    const [again2] = await h.db.select().from(documentTypes).where(and(eq(documentTypes.tenantId, acme.id), eq(documentTypes.code, 'NIT2')));
    expect(again2!.pattern).toBe('^(?:(10|20)\\d{9})$');
  });

  it('checks numbers by patterns with separators, small letters or an escaped dollar as written', async () => {
    const { acme, admin } = await setup();
    const add = (code: string, pattern: string) => admin.post('/app/settings/general/document-types', { code, label: code, format: 'pattern', pattern });
    for (const [code, pattern] of [['CUIT', '\\d{2}-\\d{8}-\\d'], ['LOW', '[a-z]{2}\\d{4}'], ['DOL', 'AB\\$']] as const) expect((await add(code, pattern!)).status, code).toBe(303);
    const [dol] = await h.db.select().from(documentTypes).where(and(eq(documentTypes.tenantId, acme.id), eq(documentTypes.code, 'DOL')));
    expect(dol!.pattern).toBe('^(?:AB\\$)$');
    for (const [documentType, documentNumber, stored] of [['CUIT', '20-12345678-9', '20-12345678-9'], ['LOW', 'ab1234', 'AB1234'], ['DOL', 'AB$', 'AB$']]) {
      const response = await admin.post('/app/clients', { documentType: documentType!, documentNumber: documentNumber!, name: `Cliente ${documentType}` });
      expect(response.status, documentType).toBe(303);
      const [client] = await h.db.select().from(clients).where(and(eq(clients.tenantId, acme.id), eq(clients.documentType, documentType!)));
      expect(client!.documentNumber).toBe(stored);
    }
    // A number far longer than any document is refused without trying the pattern on it.
    expect((await admin.post('/app/clients', { documentType: 'LOW', documentNumber: `ab${'1'.repeat(40)}`, name: 'Largo' })).status).toBe(422);
  });

  it('edits a name and format but never the code, and shows the stored format in the form', async () => {
    const { acme, admin } = await setup();
    const form = await (await admin.get('/app/settings/general?type=DNI')).text();
    expect(form).toContain('Editar el tipo DNI');
    expect(form).toMatch(/name="min"[^>]*value="8"/);
    expect((await admin.post('/app/settings/general/document-types/DNI', { code: 'XYZ', label: 'Documento nacional', format: 'digits', min: '8', max: '9' })).status).toBe(303);
    const [dni] = await h.db.select().from(documentTypes).where(and(eq(documentTypes.tenantId, acme.id), eq(documentTypes.code, 'DNI')));
    expect(dni).toMatchObject({ label: 'Documento nacional', pattern: '^\\d{8,9}$' });
    expect((await h.db.select().from(documentTypes).where(and(eq(documentTypes.tenantId, acme.id), eq(documentTypes.code, 'XYZ'))))).toHaveLength(0);
    expect((await admin.post('/app/settings/general/document-types/NOPE', { label: 'x', format: 'digits', min: '8' })).status).toBe(404);
  });

  it('a format tightened later applies to new numbers: a client with an older number is still edited, unless its number is changed', async () => {
    const { acme, admin } = await setup();
    expect((await admin.post('/app/clients', { documentType: 'CE', documentNumber: 'ABC123456', name: 'Rosa' })).status).toBe(303);
    const [rosa] = await h.db.select().from(clients).where(eq(clients.tenantId, acme.id));
    expect((await admin.post('/app/settings/general/document-types/CE', { label: 'Carné de extranjería', format: 'alphanumeric', min: '10', max: '12' })).status).toBe(303);
    const edited = await admin.post(`/app/clients/${rosa!.id}`, { documentType: 'ce', documentNumber: 'ABC123456 ', name: 'Rosa Quispe', phone: '987111222' });
    expect(edited.status).toBe(303);
    expect((await h.db.select().from(clients).where(eq(clients.id, rosa!.id)))[0]).toMatchObject({ name: 'Rosa Quispe', documentNumber: 'ABC123456' });
    const changed = await admin.post(`/app/clients/${rosa!.id}`, { documentType: 'CE', documentNumber: 'ABC123457', name: 'Rosa Quispe' });
    expect(changed.status).toBe(422);
    expect(await changed.text()).toContain('de 10 a 12 letras o dígitos');
    // A new client is held to the new format.
    expect((await admin.post('/app/clients', { documentType: 'CE', documentNumber: 'ABC123458', name: 'Otra' })).status).toBe(422);
  });

  it('deletes a type no client carries; one a client carries, even a deleted one, stays with a message', async () => {
    const { acme, admin } = await setup();
    await h.db.insert(clients).values({ tenantId: acme.id, documentType: 'CE', documentNumber: 'ABC123456', name: 'Borrada', deletedAt: new Date() });
    const kept = await admin.post('/app/settings/general/document-types/CE/deletion');
    expect(kept.status).toBe(303);
    expect(await (await admin.get('/app/settings/general')).text()).toContain('No se puede eliminar: 1 cliente tiene este tipo de documento');
    expect((await admin.post('/app/settings/general/document-types/NIT/deletion')).status).toBe(303);
    const left = (await h.db.select().from(documentTypes).where(eq(documentTypes.tenantId, acme.id))).map((d) => d.code);
    expect(left).toContain('CE');
    expect(left).not.toContain('NIT');
    const refused = await admin.post('/app/clients', { documentType: 'NIT', documentNumber: '123456789', name: 'Eva' });
    expect(refused.status).toBe(422);
  });
});

describe('additional client variables', () => {
  it('adds a variable the client form then asks for, edits its name, and deletes it keeping the values', async () => {
    const { acme, admin } = await setup();
    expect((await admin.post('/app/settings/general/variables', { variableKey: 'Region', variableLabel: 'Región' })).status).toBe(303);
    expect(await (await admin.get('/app/clients/new')).text()).toContain('Región');
    const taken = await admin.post('/app/settings/general/variables', { variableKey: 'region', variableLabel: 'Otra' });
    expect(await taken.text()).toContain('Ya existe una variable con esta clave.');
    // A key or name a standard column already has, or another variable's, would make files two columns of one heading.
    for (const [variableKey, variableLabel, said] of [
      ['segmento', 'Zona', 'Esta clave es el nombre de una columna de siempre'],
      ['email', 'Zona', 'Esta clave es el nombre de una columna de siempre'],
      ['telefono2', 'Teléfono', 'Este nombre ya es el de una columna de siempre'],
      ['saldo', 'Saldo total', 'Este nombre ya es el de una columna de siempre'],
      ['zona', 'REGIÓN', 'Otra variable ya tiene este nombre o clave'],
    ] as const) {
      const clash = await admin.post('/app/settings/general/variables', { variableKey, variableLabel });
      expect(clash.status, variableKey).toBe(422);
      expect(await clash.text(), variableKey).toContain(said);
    }
    const invalid = await admin.post('/app/settings/general/variables', { variableKey: '1 zona', variableLabel: 'Zona' });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain('empiece por una letra');
    expect((await admin.post('/app/settings/general/variables/region', { variableLabel: 'Región de cobranza' })).status).toBe(303);
    expect(await (await admin.get('/app/clients/new')).text()).toContain('Región de cobranza');
    // A client's value outlives the variable, even through an edit made while it is gone.
    expect((await admin.post('/app/clients', { documentType: 'DNI', documentNumber: '44556677', name: 'Rosa', 'additional.region': 'Norte' })).status).toBe(303);
    const [rosa] = await h.db.select().from(clients).where(eq(clients.tenantId, acme.id));
    expect(rosa!.additional).toEqual({ region: 'Norte' });
    expect((await admin.post('/app/settings/general/variables/region/deletion')).status).toBe(303);
    expect(await (await admin.get('/app/clients/new')).text()).not.toContain('Región de cobranza');
    expect((await admin.post('/app/settings/general/variables/region/deletion')).status).toBe(404);
    expect((await admin.post(`/app/clients/${rosa!.id}`, { documentType: 'DNI', documentNumber: '44556677', name: 'Rosa Quispe' })).status).toBe(303);
    const [edited] = await h.db.select().from(clients).where(eq(clients.id, rosa!.id));
    expect(edited).toMatchObject({ name: 'Rosa Quispe', additional: { region: 'Norte' } });
    await admin.post('/app/settings/general/variables', { variableKey: 'region', variableLabel: 'Región' });
    expect(await (await admin.get(`/app/clients/${rosa!.id}/edit`)).text()).toMatch(/name="additional.region"[^>]*value="Norte"/);
    // Interacciones names each variable that changed, by its name.
    expect((await admin.post(`/app/clients/${rosa!.id}`, { documentType: 'DNI', documentNumber: '44556677', name: 'Rosa Quispe', 'additional.region': 'Sur' })).status).toBe(303);
    const history = await (await admin.get(`/app/clients/${rosa!.id}/interactions`)).text();
    expect(history).toContain('Región: Norte → Sur');
    expect(history).not.toContain('region: Norte');
  });
});
