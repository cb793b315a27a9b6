import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastRatio, whiteTextIsReadable } from '../../src/portal/colors.js';
import { portalSettingsFor } from '../../src/portal/queries.js';
import { ADVISOR_REASON } from '../../src/portal/schema.js';
import { changeSubdomain } from '../../src/tenants/service.js';
import { tenants } from '../../src/tenants/schema.js';
import { forgetTenantCache } from '../../src/platform/tenancy.js';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { multipart, tinyPng } from './support.js';

let h: Harness;
beforeAll(async () => {
  h = await startTestApp();
});
afterAll(() => h.close());

const customerForm = {
  customerTitle: 'Mi estado de cuenta',
  customerWelcome: 'Bienvenido',
  customerColor: '#1F4E8C',
  bankDetails: 'BCP 193-1234567',
  payLinkTemplate: 'https://pagos.example.pe/p?c={code}&a={amount}',
  promisesEnabled: 'on',
};

const recoveryForm = {
  recoveryTitle: 'Oferta',
  recoveryWelcome: '',
  recoveryColor: '#0b5394',
  notInterestedReasons: 'Ya pagué\nNo reconozco la deuda',
  countdownHours: '48',
  captchaKind: 'altcha',
  whatsappNumber: '987 654 321',
};

async function admin() {
  const acme = await newTenant(h);
  const browser = await loggedIn(h, acme, await addStaff(h, acme, { role: 'admin' }));
  return { acme, browser };
}

describe('Ajustes > Portal del cliente', () => {
  it('shows two tabs and exactly two forms, with the recovery URL read-only', async () => {
    const { acme, browser } = await admin();
    const response = await browser.get('/app/settings/portal');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('href="/app/settings/portal?tab=ajustes"');
    expect(html).toContain('href="/app/settings/portal?tab=configuracion"');
    expect(html.match(/<form method="post" action="\/app\/settings\/portal\//g)).toHaveLength(2);
    expect(html).toContain(`http://${acme.subdomain}.localhost/recovery`);
    expect(html).not.toMatch(/name="recoveryUrl"/);
    const config = await (await browser.get('/app/settings/portal?tab=configuracion')).text();
    expect(config).toContain(`http://${acme.subdomain}.localhost/recovery`);
    expect(html).toContain('href="/app/settings/portal"');
  });

  it('the recovery URL follows a subdomain change', async () => {
    const acme = await newTenant(h);
    const staff = await addStaff(h, acme, { role: 'admin' });
    const renamed = `r${acme.subdomain}`;
    await changeSubdomain(h.db, { tenantId: acme.id, subdomain: renamed });
    forgetTenantCache();
    const again = await h.client({ subdomain: renamed }).login(staff);
    expect(await (await again.get('/app/settings/portal?tab=configuracion')).text()).toContain(`http://${renamed}.localhost/recovery`);
  });

  it('saves the customer portal form with a logo and serves the logo on the tenant’s host only', async () => {
    const { acme, browser } = await admin();
    const response = await browser.request('POST', '/app/settings/portal/customer', {
      body: multipart(browser, customerForm, { logo: { bytes: tinyPng, name: 'logo.png', type: 'image/png' } }),
    });
    expect(response.status).toBe(303);
    const settings = await portalSettingsFor(h.db, acme.id);
    expect(settings).toMatchObject({ customerTitle: 'Mi estado de cuenta', customerColor: '#1f4e8c', bankDetails: 'BCP 193-1234567', promisesEnabled: true });
    expect(settings.customerLogoKey).toMatch(/\.webp$/);
    const logo = await h.client(acme).get('/portal/logo/customer');
    expect(logo.status).toBe(200);
    expect(logo.headers.get('Content-Type')).toBe('image/webp');
    const other = await newTenant(h);
    expect((await h.client(other).get('/portal/logo/customer')).status).toBe(404);
    const portal = await (await h.client(acme).get('/')).text();
    expect(portal).toMatch(/<img src="\/portal\/logo\/customer\?v=\w+"/);
  });

  it('refuses an invalid colour, a pay link without {amount} or not https, and a logo that is not an image, changing nothing', async () => {
    const { acme, browser } = await admin();
    const before = await portalSettingsFor(h.db, acme.id);
    const cases: [Record<string, string>, string][] = [
      [{ ...customerForm, customerColor: 'azul' }, 'Escribe el color en formato #rrggbb.'],
      [{ ...customerForm, payLinkTemplate: 'https://pagos.example.pe/p?c={code}' }, 'El enlace de pago debe incluir {amount}.'],
      [{ ...customerForm, payLinkTemplate: 'http://pagos.example.pe/p?a={amount}' }, 'El enlace de pago debe ser una dirección https válida.'],
      // The summary names the field whose message would say nothing alone.
      [{ ...customerForm, customerTitle: '' }, 'Título: Este campo es obligatorio.'],
    ];
    for (const [form, message] of cases) {
      const response = await browser.request('POST', '/app/settings/portal/customer', { body: multipart(browser, form) });
      expect(response.status).toBe(422);
      expect(await response.text()).toContain(message);
    }
    const pdfAsLogo = await browser.request('POST', '/app/settings/portal/customer', {
      body: multipart(browser, customerForm, { logo: { bytes: new TextEncoder().encode('%PDF-1.4 x'), name: 'logo.png', type: 'image/png' } }),
    });
    expect(pdfAsLogo.status).toBe(422);
    expect(await pdfAsLogo.text()).toContain('La imagen debe ser PNG, JPG o WebP.');
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(tinyPng);
    const bigLogo = await browser.request('POST', '/app/settings/portal/customer', {
      body: multipart(browser, customerForm, { logo: { bytes: big, name: 'logo.png', type: 'image/png' } }),
    });
    expect(await bigLogo.text()).toContain('El archivo pesa más de 10 MB.');
    // A PNG's signature over bytes that are no picture; and a small file that unpacks to 100
    // million pixels: neither is decoded into memory nor stored.
    const broken = Uint8Array.from([...tinyPng.slice(0, 16), ...new Uint8Array(200).fill(7)]);
    const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    for (const bytes of [broken, new Uint8Array(bomb)]) {
      const refused = await browser.request('POST', '/app/settings/portal/customer', {
        body: multipart(browser, customerForm, { logo: { bytes, name: 'logo.png', type: 'image/png' } }),
      });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain('No pudimos leer la imagen');
    }
    expect(await portalSettingsFor(h.db, acme.id)).toEqual(before);
  });

  it('keeps each image made small for phones: upright, within the size it is shown at, without its metadata', async () => {
    const { acme, browser } = await admin();
    // A camera's photo: 4000 × 3000, noisy (it compresses badly), taken sideways (EXIF
    // orientation 6) and carrying metadata.
    const noise = Buffer.alloc(4000 * 3000 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const photo = await sharp(noise, { raw: { width: 4000, height: 3000, channels: 3 } })
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6, exif: { IFD0: { Artist: 'Cámara del gerente' } } })
      .toBuffer();
    expect(photo.byteLength).toBeGreaterThan(1024 * 1024);
    const response = await browser.request('POST', '/app/settings/portal/recovery', {
      body: multipart(browser, recoveryForm, { logo: { bytes: new Uint8Array(photo), name: 'foto.jpg', type: 'image/jpeg' }, banner: { bytes: new Uint8Array(photo), name: 'foto.jpg', type: 'image/jpeg' } }),
    });
    expect(response.status).toBe(303);
    const served = async (path: string) => {
      const answer = await h.client(acme).get(path);
      expect(answer.headers.get('Content-Type')).toBe('image/webp');
      const bytes = Buffer.from(await answer.arrayBuffer());
      return { bytes, meta: await sharp(bytes).metadata() };
    };
    const logo = await served('/portal/logo/recovery');
    // Turned upright (3000 wide, 4000 tall), fitted in 480 × 120 (120 tall at most) and, noise
    // being what compresses worst, made smaller still to weigh what a phone's page allows.
    expect(logo.meta.width! / logo.meta.height!).toBeCloseTo(3 / 4, 1);
    expect(logo.meta.height).toBeLessThanOrEqual(120);
    expect(logo.bytes.byteLength).toBeLessThanOrEqual(4 * 1024);
    expect(logo.meta.exif).toBeUndefined();
    expect(logo.meta.orientation).toBeUndefined();
    const banner = await served('/portal/banner/recovery');
    expect(banner.meta.width! / banner.meta.height!).toBeCloseTo(3 / 4, 1);
    expect(banner.meta.height).toBeLessThanOrEqual(360);
    expect(banner.bytes.byteLength).toBeLessThanOrEqual(12 * 1024);
    // A photo of the usual kind keeps the whole box, at a quality that fits the budget.
    const scene = await sharp({ create: { width: 1920, height: 720, channels: 3, background: { r: 30, g: 90, b: 160 } } })
      .composite([{ input: await sharp({ create: { width: 900, height: 300, channels: 3, background: { r: 240, g: 200, b: 40 } } }).png().toBuffer(), left: 400, top: 200 }])
      .jpeg({ quality: 90 })
      .toBuffer();
    await browser.request('POST', '/app/settings/portal/recovery', { body: multipart(browser, recoveryForm, { banner: { bytes: new Uint8Array(scene), name: 'banner.jpg', type: 'image/jpeg' } }) });
    const wide = await served('/portal/banner/recovery');
    expect([wide.meta.width, wide.meta.height]).toEqual([960, 360]);
    expect(wide.bytes.byteLength).toBeLessThanOrEqual(12 * 1024);
    // A small logo is not blown up, and keeps its transparency.
    const small = await sharp({ create: { width: 200, height: 50, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    await browser.request('POST', '/app/settings/portal/customer', { body: multipart(browser, customerForm, { logo: { bytes: new Uint8Array(small), name: 'l.png', type: 'image/png' } }) });
    const kept = await served('/portal/logo/customer');
    expect([kept.meta.width, kept.meta.height, kept.meta.hasAlpha]).toEqual([200, 50, true]);
  });

  it('warns when white text on the colour has a contrast below 4.5:1', async () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#777777')).toBeCloseTo(4.48, 2);
    expect(whiteTextIsReadable('#767676')).toBe(true);
    expect(whiteTextIsReadable('#777777')).toBe(false);
    const { acme, browser } = await admin();
    await browser.request('POST', '/app/settings/portal/customer', { body: multipart(browser, { ...customerForm, customerColor: '#ffd700' }) });
    expect((await portalSettingsFor(h.db, acme.id)).customerColor).toBe('#ffd700');
    const html = await (await browser.get('/app/settings/portal')).text();
    expect(html).toContain('El texto blanco sobre este color se lee con dificultad');
    await browser.request('POST', '/app/settings/portal/customer', { body: multipart(browser, customerForm) });
    expect(await (await browser.get('/app/settings/portal')).text()).not.toContain('se lee con dificultad');
  });

  it('always keeps "Necesito que un asesor me contacte" among the reasons', async () => {
    const { acme, browser } = await admin();
    const response = await browser.request('POST', '/app/settings/portal/recovery', { body: multipart(browser, recoveryForm) });
    expect(response.status).toBe(303);
    const settings = await portalSettingsFor(h.db, acme.id);
    expect(settings.notInterestedReasons).toEqual(['Ya pagué', 'No reconozco la deuda', ADVISOR_REASON]);
    await browser.request('POST', '/app/settings/portal/recovery', { body: multipart(browser, { ...recoveryForm, notInterestedReasons: '' }) });
    expect((await portalSettingsFor(h.db, acme.id)).notInterestedReasons).toEqual([ADVISOR_REASON]);
    const [tenant] = await h.db.select().from(tenants).where(eq(tenants.id, acme.id));
    expect(tenant!.whatsappNumber).toBe('+51987654321');
  });

  it('checks the Legales fields: countdown hours, reCAPTCHA keys and the WhatsApp number', async () => {
    const { acme, browser } = await admin();
    const before = await portalSettingsFor(h.db, acme.id);
    expect(before.recoveryActive).toBe(false);
    for (const [form, message] of [
      [{ ...recoveryForm, countdownEnabled: 'on', countdownHours: '721' }, 'Escribe un número de horas entre 1 y 720.'],
      [{ ...recoveryForm, countdownHours: '0' }, 'Escribe un número de horas entre 1 y 720.'],
      [{ ...recoveryForm, captchaKind: 'recaptcha' }, 'Para usar reCAPTCHA escribe la clave del sitio y la clave secreta.'],
      [{ ...recoveryForm, whatsappNumber: '12' }, 'Escribe un número de celular válido.'],
    ] as const) {
      const response = await browser.request('POST', '/app/settings/portal/recovery', { body: multipart(browser, form) });
      expect(response.status).toBe(422);
      expect(await response.text()).toContain(message);
    }
    expect(await portalSettingsFor(h.db, acme.id)).toEqual(before);
    const ok = await browser.request('POST', '/app/settings/portal/recovery', {
      body: multipart(browser, { ...recoveryForm, recoveryActive: 'on', countdownEnabled: 'on', countdownHours: '720', captchaKind: 'recaptcha', recaptchaSiteKey: 'site', recaptchaSecret: 'shh' }),
    });
    expect(ok.status).toBe(303);
    const saved = await portalSettingsFor(h.db, acme.id);
    expect(saved).toMatchObject({ recoveryActive: true, countdownEnabled: true, countdownHours: 720, captchaKind: 'recaptcha', recaptchaSiteKey: 'site', recaptchaSecret: 'shh' });
    expect(await (await browser.get('/app/settings/portal')).text()).not.toContain('shh');
  });

  it('refuses a user without the settings permission and changes nothing', async () => {
    const acme = await newTenant(h);
    const supervisor = await loggedIn(h, acme, await addStaff(h, acme, { role: 'supervisor' }));
    const before = await portalSettingsFor(h.db, acme.id);
    expect((await supervisor.get('/app/settings/portal')).status).toBe(403);
    const response = await supervisor.request('POST', '/app/settings/portal/customer', { body: multipart(supervisor, { ...customerForm, customerTitle: 'Hackeado' }) });
    expect(response.status).toBe(403);
    const recovery = await supervisor.request('POST', '/app/settings/portal/recovery', { body: multipart(supervisor, { ...recoveryForm, recoveryActive: 'on' }) });
    expect(recovery.status).toBe(403);
    expect(await portalSettingsFor(h.db, acme.id)).toEqual(before);
  });

  it('an admin of another tenant changes only their own portal', async () => {
    const acme = await newTenant(h);
    const before = await portalSettingsFor(h.db, acme.id);
    const { browser } = await admin();
    await browser.request('POST', '/app/settings/portal/customer', { body: multipart(browser, { ...customerForm, customerTitle: 'Otro' }) });
    expect(await portalSettingsFor(h.db, acme.id)).toEqual(before);
  });
});
