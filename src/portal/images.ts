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

/**
 * The bytes each image may weigh: a recovery page's first view (SPEC 6: 30 KB compressed)
 * holds the page, its stylesheet, the logo and the banner, so the two images share what the
 * page leaves. A photo is encoded at lower qualities, and then smaller, until it fits.
 */
export const imageBudgets: Record<PortalImage, number> = { logo: 4 * 1024, banner: 12 * 1024 };
const QUALITIES = [82, 70, 58, 46, 36];

/** The image ready to store, or the message for one that cannot be read as the image it claims to be. */
export async function shrinkImage(bytes: Uint8Array, purpose: PortalImage): Promise<ShrunkImage> {
  const { default: sharp } = await loadSharp();
  const budget = imageBudgets[purpose];
  try {
    // Decoded, turned upright and fitted in its box once; each try below encodes these pixels.
    let box = imageBoxes[purpose];
    const fitted = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
      .rotate()
      .resize({ ...box, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = { raw: { width: fitted.info.width, height: fitted.info.height, channels: fitted.info.channels } };
    let out: Buffer | undefined;
    for (let shrink = 0; shrink < 4; shrink++) {
      for (const quality of QUALITIES) {
        out = await sharp(fitted.data, pixels)
          .resize({ ...box, fit: 'inside', withoutEnlargement: true })
          .webp({ quality, alphaQuality: Math.min(90, quality + 10), effort: 4 })
          .toBuffer();
        if (out.byteLength <= budget) break;
      }
      if (out!.byteLength <= budget) break;
      box = { width: Math.round(box.width * 0.75), height: Math.round(box.height * 0.75) };
    }
    return { ok: true, bytes: new Uint8Array(out!.buffer, out!.byteOffset, out!.byteLength), kind: 'webp' };
  } catch {
    return { ok: false, error: 'portal.file.imageUnreadable' };
  }
}
