import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type Harness } from '../support/app.js';
import { addStaff, loggedIn, newTenant } from '../support/factories.js';
import { addClients } from '../exports/support.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let smtp: SMTPServer;
let port: number;
const inbox: Received[] = [];
let h: Harness;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
  h = await startTestApp({ jobs: true, env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Saldo <no-reply@saldo.test>' } });
});

afterAll(async () => {
  await h?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

it('a finished download is emailed through SMTP to the user who asked, with its signed link', async () => {
  const tenant = await newTenant(h);
  const admin = await addStaff(h, tenant, { role: 'admin', email: 'ana.torres@example.pe' });
  await addClients(h, tenant.id, [{ name: 'María Peña', documentNumber: '01234567' }]);
  const client = await loggedIn(h, tenant, admin);
  expect((await client.post('/app/exports', { kind: 'clients', format: 'csv', query: '' })).status).toBe(303);
  await h.runJobs();

  expect(inbox).toHaveLength(1);
  const mail = inbox[0]!;
  expect(mail.to).toEqual(['ana.torres@example.pe']);
  expect(mail.from).toBe('no-reply@saldo.test');
  expect(mail.raw).toMatch(/Subject: =\?UTF-8\?Q\?Tu_descarga_est=C3=A1_lista\?=|Subject: Tu descarga está lista/);
  const body = mail.raw.replace(/=\r\n/g, '').replace(/=3D/g, '=');
  const link = new RegExp(`http://${tenant.subdomain}\\.localhost/app/files/[A-Za-z0-9._-]+`).exec(body);
  expect(link).not.toBeNull();
  const file = await client.get(new URL(link![0]).pathname);
  expect(file.status).toBe(200);
  expect(await file.text()).toContain('María Peña');
});
