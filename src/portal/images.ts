/**
 * The portals' own images (logos, the recovery banner), made small once, when staff upload
 * them: debtors open the portals on cheap phones over slow networks, and a logo straight
 * from a designer or a phone's camera can weigh more than the rest of the page a hundred
 * times over. Each is turned upright by its EXIF orientation, shrunk to fit the largest size
 * the page shows it at on a high-density screen (never enlarged), stripped of its metadata
 * (a photo's location stays with the sender) and saved as WebP, transparency kept.
 */
import type { FileKind } from './files.js';

export type PortalImage = 'logo' | 'banner';

/**
 * The box each image must fit in, in pixels: the logo shows 40 CSS pixels tall (up to three
 * device pixels each); the banner spans a phone's width, as wide as a 640-pixel column at
 * one and a half.
 */
export const imageBoxes: Record<PortalImage, { width: number; height: number }> = {
  logo: { width: 480, height: 120 },
  banner: { width: 960, height: 360 },
};

/** Pixels an upload may decode to: a 1 MB file that unpacks to gigabytes is refused, not read. */
const MAX_INPUT_PIXELS = 40_000_000;

export type ShrunkImage = { ok: true; bytes: Uint8Array; kind: FileKind } | { ok: false; error: string };

/**
 * The image library, loaded the first time an image is uploaded (a rare event: no process
 * carries it until then), with its cache of decoded images off for the same reason.
 */
let library: Promise<typeof import('sharp')> | undefined;
function loadSharp() {
  library ??= import('sharp').then((module) => {
    module.default.cache(false);
    return module;
  });
  return library;
}

/** The image ready to store, or the message for one that cannot be read as the image it claims to be. */
export async function shrinkImage(bytes: Uint8Array, purpose: PortalImage): Promise<ShrunkImage> {
  const box = imageBoxes[purpose];
  const { default: sharp } = await loadSharp();
  try {
    const out = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize({ ...box, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82, alphaQuality: 90, effort: 4 })
      .toBuffer();
    return { ok: true, bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength), kind: 'webp' };
  } catch {
    return { ok: false, error: 'portal.file.imageUnreadable' };
  }
}
