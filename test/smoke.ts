/**
 * The embedded-database smoke test: what a new user gets from `npm start` with nothing
 * configured. Builds and starts the server as the start script does, on PGlite in a
 * temporary folder, logs in as the demo admin, imports a spreadsheet (the compiled
 * import jobs, their reader thread included, on the embedded database), then stops it with
 * SIGTERM and expects a clean exit.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO } from '../src/demo/tenant.js';
import { build, nodeArgumentsOf } from '../scripts/build.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'saldo-smoke-'));
const port = 3900 + Math.floor(Math.random() * 90);
const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
delete env.DATABASE_URL;
// As `npm start` runs it: compiled first, then started with the start script's options.
await build();
const start = nodeArgumentsOf('start');
const server = spawn(process.execPath, [...start.options, start.file, ...start.args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
server.stdout.on('data', (chunk) => (output += chunk));
const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));

function fail(message: string): never {
  console.error(`smoke: FAILED — ${message}\n${output}`);
  server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

const host = { Host: `demo.localhost:${port}` };

interface Reply {
  status: number;
  cookies: string[];
  headers?: Record<string, string | string[] | undefined>;
  body: string;
}

/** fetch() may not set Host, so requests go through node:http to reach the tenant's host on loopback. */
function call(path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [], headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
const started = Date.now();
for (;;) {
  if (Date.now() - started > 120_000) fail('the server did not answer /healthz within 120 s');
  try {
    const health = await call('/healthz');
    if (health.status === 200) break;
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 500));
}
if (!output.includes(`http://demo.localhost:${port}/app`)) fail('the start did not print the demo URL');
if (!output.includes(DEMO.admin.email)) fail('the start did not print the demo credentials');

const loginPage = await call('/app/login', { headers: host });
if (loginPage.status !== 200) fail(`login page answered ${loginPage.status}`);
const csrfCookie = loginPage.cookies.find((c) => c.startsWith('saldo_csrf='))!.split(';')[0]!;
const token = /name="_csrf" value="([^"]+)"/.exec(loginPage.body)?.[1];
if (!token) fail('no CSRF token on the login page');
const login = await call('/app/login', {
  method: 'POST',
  headers: { ...host, Cookie: csrfCookie, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ _csrf: token!, email: DEMO.admin.email, password: DEMO.admin.password }).toString(),
});
if (login.status !== 303) fail(`demo login answered ${login.status}`);
const session = login.cookies.find((c) => c.startsWith('saldo_session='))!.split(';')[0]!;
const home = await call('/app', { headers: { ...host, Cookie: `${csrfCookie}; ${session}` } });
if (home.status !== 200 || !home.body.includes(DEMO.admin.name)) fail('the demo admin does not see the shell');

// An upload, checked and applied by the jobs the server runs, as a user of `npm start` does it.
const cookies = { ...host, Cookie: `${csrfCookie}; ${session}` };
const page = await call('/app/imports/new', { headers: cookies });
const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
if (page.status !== 200 || !csrf) fail(`the upload page answered ${page.status} without a form`);
const form = new FormData();
form.append('_csrf', csrf!);
form.append('file', new Blob([readFileSync(join(import.meta.dirname, 'fixtures', 'clients-utf8-bom.csv'))]), 'clientes.csv');
const multipart = new Request('http://smoke.test/', { method: 'POST', body: form });
const uploaded = await call('/app/imports', {
  method: 'POST',
  headers: { ...cookies, 'Content-Type': multipart.headers.get('Content-Type')! },
  body: new Uint8Array(await multipart.arrayBuffer()),
});
const importPath = /\/app\/imports\/\d+$/.exec(String(uploaded.headers?.location ?? ''))?.[0];
if (uploaded.status !== 303 || !importPath) fail(`the upload answered ${uploaded.status}`);
const mappingPage = await call(importPath!, { headers: cookies });
const mapping = new URLSearchParams({ _csrf: csrf! });
for (const select of mappingPage.body.matchAll(/<select id="f-map-(\w+)" name="map\.\w+">([\s\S]*?)<\/select>/g)) {
  mapping.set(`map.${select[1]}`, /<option value="(\d+)" selected/.exec(select[2]!)?.[1] ?? '');
}
const form2 = { ...cookies, 'Content-Type': 'application/x-www-form-urlencoded' };
if ((await call(`${importPath}/mapping`, { method: 'POST', headers: form2, body: mapping.toString() })).status !== 303) fail('the mapping was refused');
/** Polls the import's page until it shows what it is waited for. */
async function until(what: string, test: (body: string) => boolean): Promise<void> {
  const since = Date.now();
  for (;;) {
    const shown = await call(importPath!, { headers: cookies });
    if (test(shown.body)) return;
    if (Date.now() - since > 60_000) fail(`the import did not get to ${what} within 60 s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
await until('its summary', (body) => body.includes(`action="${importPath}/application"`));
if ((await call(`${importPath}/application`, { method: 'POST', headers: form2, body: new URLSearchParams({ _csrf: csrf! }).toString() })).status !== 303) fail('the apply was refused');
await until('applied', (body) => body.includes('La carga se aplicó.'));
const tray = await call(`/app/clients?q=${encodeURIComponent('José Ávila')}`, { headers: cookies });
if (!tray.body.includes('José Ávila Güemes')) fail('the imported client is not in the clients tray');

server.kill('SIGTERM');
const code = await exited;
rmSync(dataDir, { recursive: true, force: true });
if (code !== 0) fail(`the server exited with ${code} after SIGTERM`);
console.log('smoke: 1 passed, 0 failed');
