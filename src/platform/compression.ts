import { gzipSync } from 'node:zlib';

/** Smaller pages go out as they are, as with the compression middleware. */
export const COMPRESS_FROM_BYTES = 1024;

/**
 * Whether the request takes gzip: named with a q above zero, or covered by `*` when gzip
 * is not named (RFC 9110, 12.5.3).
 */
export function takesGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  let any = false;
  for (const entry of acceptEncoding.split(',')) {
    const [coding = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const accepted = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') any = accepted;
  }
  return any;
}

/**
 * A rendered page as gzip. Pages are whole strings by the time they are sent, and zlib
 * compresses a 50 kB tray page in under half a millisecond; the compression middleware,
 * written for bodies of unknown length, passes them through a stream, which cost one to two
 * milliseconds more per page.
 */
export function gzipPage(page: string): Uint8Array<ArrayBuffer> {
  // zlib's result owns a plain (not shared) ArrayBuffer.
  return gzipSync(page) as Uint8Array<ArrayBuffer>;
}
