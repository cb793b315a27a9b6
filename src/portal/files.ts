export type FileKind = 'jpeg' | 'png' | 'webp' | 'pdf';

const types: Record<FileKind, { ext: string; type: string }> = {
  jpeg: { ext: 'jpg', type: 'image/jpeg' },
  png: { ext: 'png', type: 'image/png' },
  webp: { ext: 'webp', type: 'image/webp' },
  pdf: { ext: 'pdf', type: 'application/pdf' },
};

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((ch) => ch.charCodeAt(0));

/** What a file really is, from its first bytes: names and declared types are the sender's word only. */
export function sniff(bytes: Uint8Array): FileKind | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('%PDF-'))) return 'pdf';
  return null;
}

export const extensionOf = (kind: FileKind) => types[kind].ext;

/** The content type of a stored key, from the extension Saldo gave it when it checked the bytes. */
export function contentTypeOfKey(key: string): string {
  const ext = key.slice(key.lastIndexOf('.') + 1);
  return Object.values(types).find((t) => t.ext === ext)?.type ?? 'application/octet-stream';
}

/** The largest receipt a debtor may send (the form says it, and its page checks it before sending). */
export const RECEIPT_MAX_BYTES = 5 * 1024 * 1024;

/** The message for a file over `maxBytes`, which names the limit. */
export function tooLargeMessage(maxBytes: number): string {
  return `portal.file.tooLarge?limit=${encodeURIComponent(`${Math.round(maxBytes / 1024 / 1024)} MB`)}`;
}

export type CheckedFile = { ok: true; bytes: Uint8Array; kind: FileKind } | { ok: false; error: string };

/** An uploaded file of one of the allowed kinds and within the size, or the message to show. */
export async function checkUpload(file: unknown, options: { allowed: readonly FileKind[]; maxBytes: number; required: boolean }): Promise<CheckedFile | null> {
  if (!(file instanceof File) || file.size === 0) return options.required ? { ok: false, error: 'portal.file.required' } : null;
  if (file.size > options.maxBytes) return { ok: false, error: tooLargeMessage(options.maxBytes) };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const kind = sniff(bytes);
  if (!kind || !options.allowed.includes(kind)) return { ok: false, error: options.allowed.includes('pdf') ? 'portal.file.receiptType' : 'portal.file.imageType' };
  return { ok: true, bytes, kind };
}
