import { Readable } from 'node:stream';
import { notFoundPage } from '../platform/errors.js';
import type { AppContext } from '../platform/context.js';
import { storageFor } from './index.js';

/**
 * A stored file as the answer to one person (never cached on the way), streamed with its
 * length; the not-found page when it is gone. `name` is what the browser saves it as.
 */
export async function sendStoredFile(c: AppContext, key: string, file: { type: string; name: string; disposition: 'attachment' | 'inline' }) {
  const storage = storageFor(c.var.deps.config);
  const size = await storage.size(key);
  if (size === null) return notFoundPage(c);
  return c.body(Readable.toWeb(storage.read(key)) as ReadableStream, 200, {
    'Content-Type': file.type,
    'Content-Length': String(size),
    'Content-Disposition': `${file.disposition}; filename="${file.name.replace(/[^A-Za-z0-9._-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    'Cache-Control': 'private, no-store',
  });
}
