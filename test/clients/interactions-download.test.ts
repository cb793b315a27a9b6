import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fileProcesses } from '../../src/process-log/schema.js';
import { mailMessages } from '../../src/platform/mail/schema.js';
import { clientEvents } from '../../src/events/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { downloadCsv } from '../exports/support.js';
import { seedClient } from './support.js';

let h: Harness;
beforeAll(async () => {
  // 15:00 UTC is 10:00 in Lima.
  h = await startTestApp({ jobs: true, now: '2026-03-10T15:00:00Z' });
});
afterAll(() => h.close());

describe('downloading a client’s Interacciones', () => {
  it('the file lists every event newest first, in the tenant’s time, with who and what changed', async () => {
    const acme = await newTenant(h);
    const admin = await addStaff(h, acme, { role: 'admin', name: 'Ana Admin' });
    const browser = await loggedIn(h, acme, admin);
    const client = await seedClient(h, acme, { name: 'Pedro Ramos', documentNumber: '07654321' });
    await h.db.insert(clientEvents).values({ tenantId: acme.id, clientId: client.id, type: 'recovery.not_interested', actorId: null, data: { reason: 'Ya pagué' }, occurredAt: new Date('2026-03-09T20:30:00Z') });
    const edit = { documentType: 'DNI', documentNumber: '07654321', name: 'Pedro Ramos Díaz', status: 'activo', contactability: 'contactable', portfolio: 'vigente' };
    expect((await browser.post(`/app/clients/${client.id}`, edit)).status).toBe(303);

    const page = await (await browser.get(`/app/clients/${client.id}/interactions`)).text();
    expect(page).toContain('name="kind" value="interactions"');
    expect(page).toContain(`name="query" value="client=${client.id}"`);
    const { lines } = await downloadCsv(h, browser, acme.id, 'interactions', `client=${client.id}`);
    expect(lines[0]).toBe('Fecha y hora,Evento,Quién,Detalle');
    expect(lines[1]).toMatch(/^2026-03-10 10:00,Datos del cliente editados,Ana Admin,.*Nombre: Pedro Ramos → Pedro Ramos Díaz/);
    // What the debtor did on a portal is theirs, not the system's.
    expect(lines[2]).toMatch(/^2026-03-09 15:30,[^,]+,"El cliente, desde el portal",Motivo: Ya pagué$/);
    expect(lines).toHaveLength(3);
    // Which client's it is, in the Process log, the file's name and the email.
    const log = await (await browser.get('/app/process-log')).text();
    expect(log).toContain('Descarga de interacciones · Pedro Ramos Díaz');
    const [made] = await h.db.select().from(fileProcesses).where(eq(fileProcesses.tenantId, acme.id));
    const file = await browser.get(`/app/process-log/${made!.id}/files/result`);
    expect(file.headers.get('Content-Disposition')).toContain(`interacciones-pedro-ramos-diaz-${made!.id}.csv`);
    const [mail] = await h.db.select().from(mailMessages).where(eq(mailMessages.tenantId, acme.id));
    expect(mail!.text).toContain('interacciones · Pedro Ramos Díaz');
  });

  it('another tenant’s client gives an empty file, never its events', async () => {
    const acme = await newTenant(h);
    const other = await newTenant(h);
    const stranger = await seedClient(h, other, { name: 'Cliente Ajeno', documentNumber: '11111111' });
    await h.db.insert(clientEvents).values({ tenantId: other.id, clientId: stranger.id, type: 'client.created', actorId: null, data: {}, occurredAt: new Date() });
    const browser = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
    const { lines, rows } = await downloadCsv(h, browser, acme.id, 'interactions', `client=${stranger.id}`);
    expect(rows).toBe(0);
    expect(lines).toEqual(['Fecha y hora,Evento,Quién,Detalle']);
  });
});
