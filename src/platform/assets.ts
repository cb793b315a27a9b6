import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { projectRoot as root } from './paths.js';

const require = createRequire(import.meta.url);

const types: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface Asset {
  body: Buffer;
  type: string;
}

export interface Assets {
  /** The content-hashed URL of a logical asset name such as `app.css`. */
  url(name: string): string;
  get(hashedName: string): Asset | undefined;
}

/**
 * Everything under static/ plus the vendored client scripts taken from node_modules,
 * served under names that carry a hash of their content, so they can be cached forever.
 */
export function loadAssets(): Assets {
  const sources = new Map<string, string | string[]>();
  for (const file of readdirSync(join(root, 'static'))) sources.set(file, join(root, 'static', file));
  sources.set('htmx.js', require.resolve('htmx.org/dist/htmx.min.js'));
  // The captcha widget: its CSP-friendly build (no injected styles or blob workers), with our
  // glue at its end so the worker is registered before the widget starts (decision 0010). The
  // glue is also served alone (captcha.js): it loads the widget when the debtor starts.
  const altcha = dirname(require.resolve('altcha/external'));
  sources.set('altcha.js', [join(altcha, 'altcha.min.js'), join(root, 'static', 'captcha.js')]);
  sources.set('altcha.css', join(altcha, 'altcha.css'));
  sources.set('altcha-worker.js', join(altcha, '../workers/pbkdf2.js'));

  const byLogical = new Map<string, string>();
  const byHashed = new Map<string, Asset>();
  for (const [name, paths] of sources) {
    const body = Array.isArray(paths) ? Buffer.concat(paths.flatMap((path) => [readFileSync(path), Buffer.from('\n')])) : readFileSync(paths);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const ext = extname(name);
    const hashed = `${name.slice(0, -ext.length)}.${hash}${ext}`;
    byLogical.set(name, `/static/${hashed}`);
    byHashed.set(hashed, { body, type: types[ext] ?? 'application/octet-stream' });
  }
  return {
    url(name) {
      const url = byLogical.get(name);
      if (!url) throw new Error(`Unknown asset ${name}`);
      return url;
    },
    get: (hashed) => byHashed.get(hashed),
  };
}
