import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts } from '../../src/alerts/schema.js';
import { claims } from '../../src/claims/schema.js';
import { clients } from '../../src/clients/schema.js';
import { situationOf } from '../../src/clients/situation.js';
import { todayIn } from '../../src/platform/dates.js';
import { mailMessages } from '../../src/platform/mail/schema.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { debtor, eventsOf, newOrder, signedIn } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp({ jobs: true });
});
afterAll(() => h.close());

const location = (r: Response) => r.headers.get('Location');
const claimsOf = (tenantId: number) => h.db.select().from(claims).where(eq(claims.tenantId, tenantId)).orderBy(claims.id);

async function world() {
  const acme = await newTenant(h);
  const advisor = await addStaff(h, acme, { role: 'advisor', name: 'Ana Asesora' });
  const rosa = await debtor(h, acme, { advisorId: advisor.id });
  const first = await newOrder(h, acme, rosa.id, { paymentCode: 'OP-1', amount: 300_00 });
  const second = await newOrder(h, acme, rosa.id, { paymentCode: 'OP-2', amount: 200_00 });
  const annulled = await newOrder(h, acme, rosa.id, { paymentCode: 'OP-3', amount: 100_00, annulled: true });
  return { acme, advisor, rosa, first, second, annulled, browser: await signedIn(h, acme, rosa) };
}

describe('a claim from the customer portal', () => {
  it('the debtor raises it about their orders; staff find it marked as theirs, and the advisor is told', async () => {
    const w = await world();
    const statement = await (await w.browser.get('/estado-de-cuenta')).text();
    expect(statement).toContain('¿Algo no está bien con tu deuda?');
    expect(statement).toContain('href="/reclamo"');

    await newOrder(h, w.acme, w.rosa.id, { paymentCode: 'OP-9', issueDate: '2020-01-01', dueDate: '2020-01-31' });
    const form = await (await w.browser.get('/reclamo')).text();
    // An order past its due date says when it fell due, as the statement does.
    expect(form).toContain('Venció el 31/01/2020');
    expect(form).toContain('OP-1');
    expect(form).toContain('OP-2');
    // An annulled order is no debt to dispute.
    expect(form).not.toContain('OP-3');
    expect(form).toContain('Pagué y no se refleja, o tuve un problema al pagar');

    const sent = await w.browser.post('/reclamo', { orderIds: [String(w.first.id)], category: 'problemas_pago', description: 'Pagué el 5 de marzo en el banco.\r\nTengo el voucher.' });
    expect(sent.status).toBe(303);
    expect(location(sent)).toBe('/estado-de-cuenta#main');
    const [claim] = await claimsOf(w.acme.id);
    expect(claim).toMatchObject({ clientId: w.rosa.id, category: 'problemas_pago', state: 'abierto', source: 'portal', createdById: null, comments: null, description: 'Pagué el 5 de marzo en el banco.\nTengo el voucher.' });
    const [client] = await h.db.select().from(clients).where(eq(clients.id, w.rosa.id));
    expect(situationOf(client!, todayIn(w.acme.timezone, h.clock))).toBe('con_reclamo');

    // The statement says it was received, lists it, and marks the order.
    const after = await (await w.browser.get('/estado-de-cuenta')).text();
    expect(after).toContain('Recibimos tu reclamo.');
    expect(after).toContain(`Reclamo #${claim!.id}`);
    expect(after).toContain('lo estamos revisando');
    expect(after).toContain('Esta orden tiene un reclamo en revisión.');

    // The advisor gets an alert and an email.
    const [alert] = await h.db.select().from(alerts).where(eq(alerts.tenantId, w.acme.id));
    expect(alert).toMatchObject({ kind: 'claim_from_portal', advisorId: w.advisor.id, source: 'portal' });
    await h.runJobs();
    const [mail] = await h.db.select().from(mailMessages).where(and(eq(mailMessages.tenantId, w.acme.id), eq(mailMessages.to, w.advisor.email)));
    expect(mail!.subject).toBe('Rosa Quispe presentó un reclamo');

    // Staff see who raised it.
    const staff = await loggedIn(h, w.acme, w.advisor);
    expect(await (await staff.get('/app/claims')).text()).toContain('Desde el portal');
    const page = await (await staff.get(`/app/claims/${claim!.id}`)).text();
    expect(page).toContain('El cliente, desde el portal');
    expect(await (await staff.get(`/app/clients/${w.rosa.id}/interactions`)).text()).toMatch(/Reclamo abierto[\s\S]*El cliente, desde el portal/);
    expect((await eventsOf(h, w.acme, w.rosa.id)).find((e) => e.type === 'claim.opened')!.data).toMatchObject({ source: 'portal' });
  });

  it('keeps the two-open rule and says it in the debtor’s words, writing nothing refused', async () => {
    const w = await world();
    const empty = await w.browser.post('/reclamo', { category: '', description: '' });
    expect(empty.status).toBe(422);
    const emptyPage = await empty.text();
    // The summary reads in the form's order: the debts first.
    expect(emptyPage.indexOf('Marca al menos una de tus deudas.')).toBeLessThan(emptyPage.indexOf('Elige qué pasó.'));
    expect(emptyPage).toContain('Marca al menos una de tus deudas.');
    expect(emptyPage, emptyPage.slice(emptyPage.indexOf('error-summary'), emptyPage.indexOf('error-summary') + 900)).toContain('Elige qué pasó.');
    expect(emptyPage).toContain('Escribe con tus palabras qué pasó con tu deuda.');

    // Another client's order, or an annulled one, is not theirs to dispute.
    const other = await debtor(h, w.acme, { name: 'Otro Cliente', documentNumber: '45678912', phone: '+51911111111' });
    const foreign = await newOrder(h, w.acme, other.id, { paymentCode: 'OP-9' });
    for (const order of [foreign, w.annulled]) {
      const refused = await w.browser.post('/reclamo', { orderIds: [String(order.id)], category: 'problemas_pago', description: 'x' });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain('Marca al menos una de tus deudas.');
    }
    expect(await claimsOf(w.acme.id)).toEqual([]);

    expect((await w.browser.post('/reclamo', { orderIds: [String(w.first.id)], category: 'problemas_pago', description: 'Pagué' })).status).toBe(303);
    const [open] = await claimsOf(w.acme.id);
    const same = await w.browser.post('/reclamo', { orderIds: [String(w.second.id)], category: 'problemas_pago', description: 'Otro pago' });
    expect(same.status).toBe(422);
    expect(await same.text()).toContain(`Ya tienes un reclamo abierto por este motivo (#${open!.id})`);
    expect((await w.browser.post('/reclamo', { orderIds: [String(w.second.id)], category: 'errores_facturacion', description: 'Monto mal' })).status).toBe(303);
    const third = await w.browser.post('/reclamo', { orderIds: [String(w.second.id)], category: 'problemas_producto', description: 'Producto' });
    expect(third.status).toBe(422);
    expect(await third.text()).toContain('Ya tienes dos reclamos abiertos');
    // The statement says so before the form would.
    const withTwo = await (await w.browser.get('/estado-de-cuenta')).text();
    expect(withTwo).toContain('Tienes dos reclamos en revisión');
    expect(withTwo).not.toContain('href="/reclamo"');
    // What was typed stays.
    expect(await (await w.browser.post('/reclamo', { orderIds: [String(w.second.id)], category: 'problemas_producto', description: 'Mi texto' })).text()).toContain('Mi texto');
    expect(await claimsOf(w.acme.id)).toHaveLength(2);
    // One alert open per client and kind: the second claim does not pile up another, it is added to its note.
    const open2 = await h.db.select().from(alerts).where(eq(alerts.tenantId, w.acme.id));
    expect(open2).toHaveLength(1);
    const both = await claimsOf(w.acme.id);
    expect(open2[0]!.note).toBe(both.map((c) => `#${c.id}`).join(', '));
  });

  it('sent twice (a double tap on a slow phone), it is one claim, and both sends land on the statement', async () => {
    const w = await world();
    const page = await (await w.browser.get('/reclamo')).text();
    const once = /name="_once" value="([0-9a-f-]{36})"/.exec(page)![1]!;
    const send = () => w.browser.post('/reclamo', { orderIds: [String(w.first.id)], category: 'errores_facturacion', description: 'Me cobraron dos veces', _once: once });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect([location(a), location(b)]).toEqual(['/estado-de-cuenta#main', '/estado-de-cuenta#main']);
    expect(await claimsOf(w.acme.id)).toHaveLength(1);
    // A refused claim sent twice at once is refused twice, never answered "received".
    await w.browser.post('/reclamo', { orderIds: [String(w.second.id)], category: 'problemas_pago', description: 'Pagué' });
    const form = await (await w.browser.get('/reclamo')).text();
    const third = /name="_once" value="([0-9a-f-]{36})"/.exec(form)![1]!;
    const refused = () => w.browser.post('/reclamo', { orderIds: [String(w.second.id)], category: 'problemas_producto', description: 'Tercero', _once: third });
    const answers = await Promise.all([refused(), refused()]);
    expect(answers.map((r) => r.status)).toEqual([422, 422]);
    expect(await claimsOf(w.acme.id)).toHaveLength(2);
    // Staff hear of each claim the debtor raised, not of the repeat.
    expect(await h.db.select().from(alerts).where(eq(alerts.tenantId, w.acme.id))).toHaveLength(1);
  });

  it('needs an identified visit', async () => {
    const w = await world();
    const stranger = h.client(w.acme);
    expect(location(await stranger.get('/reclamo'))).toBe('/');
    const sent = await stranger.post('/reclamo', { orderIds: [String(w.first.id)], category: 'problemas_pago', description: 'x' });
    expect(location(sent)).toBe('/#main');
    expect(await claimsOf(w.acme.id)).toEqual([]);
  });
});
