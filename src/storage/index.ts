import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { once } from 'node:events';
import type { Config } from '../config.js';

/**
 * Where uploaded and generated files live. One small interface so that production can put
 * an S3-compatible store behind it; the default is a folder under DATA_DIR.
 */
export interface Storage {
  /** Writes the whole file at once (uploads arrive in memory, bounded by the upload limit). */
  put(key: string, body: Uint8Array): Promise<void>;
  /** A stream for a large file; it appears under `key` only once `done()` resolves, and never after `abort()`, which leaves nothing behind. */
  writer(key: string): Promise<{ stream: Writable; done(): Promise<void>; abort(): Promise<void> }>;
  read(key: string): Readable;
  size(key: string): Promise<number | null>;
  /** A local path to the file, for readers that need random access (zip containers). */
  path(key: string): string;
  remove(key: string): Promise<void>;
  /**
   * Removes the parts of files whose writing stopped before `before` (a process killed while
   * it wrote one): no entry points at them, and nothing else would. Returns how many.
   */
  sweepParts(before: Date): Promise<number>;
}

/** A new key for a tenant's file, never guessable and never reused. */
export function newKey(tenantId: number, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80) || 'file';
  return `${tenantId}/${randomBytes(12).toString('hex')}-${safe}`;
}

export function localStorage(root: string): Storage {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const full = resolve(base, key);
    if (!full.startsWith(base + sep)) throw new Error('storage key escapes its folder');
    return full;
  };
  return {
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.part`, body);
      await rename(`${path}.part`, path);
    },
    async writer(key) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      const stream = createWriteStream(`${path}.part`);
      // A failed write (a full disk) is kept on the stream (`errored`) for the writer to find,
      // not thrown at the process when nothing happens to be waiting on the stream.
      stream.on('error', () => undefined);
      return {
        stream,
        async done() {
          if (stream.errored) throw stream.errored;
          await finished(stream);
          await rename(`${path}.part`, path);
        },
        async abort() {
          if (!stream.closed) {
            const closed = once(stream, 'close').catch(() => undefined);
            stream.destroy();
            await closed;
          }
          await rm(`${path}.part`, { force: true });
        },
      };
    },
    read(key) {
      return createReadStream(pathOf(key));
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch {
        return null;
      }
    },
    path: pathOf,
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
    async sweepParts(before) {
      let removed = 0;
      const folders = await readdir(base, { withFileTypes: true }).catch(() => []);
      for (const folder of folders) {
        if (!folder.isDirectory()) continue;
        for (const name of await readdir(join(base, folder.name)).catch(() => [] as string[])) {
          if (!name.endsWith('.part')) continue;
          const path = join(base, folder.name, name);
          const modified = (await stat(path).catch(() => null))?.mtime;
          if (modified && modified < before) {
            await rm(path, { force: true });
            removed++;
          }
        }
      }
      return removed;
    },
  };
}

const opened = new Map<string, Storage>();

/** The storage a configuration points at (one per folder, shared by web and jobs). */
export function storageFor(config: Pick<Config, 'dataDir'>): Storage {
  const root = join(config.dataDir, 'files');
  let storage = opened.get(root);
  if (!storage) {
    storage = localStorage(root);
    opened.set(root, storage);
  }
  return storage;
}
