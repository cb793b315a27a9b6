/** #rrggbb, case-insensitive; stored lower-case. */
export const isHexColor = (value: string) => /^#[0-9a-f]{6}$/i.test(value);

function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The WCAG 2 contrast ratio between two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Buttons and headers carry white text on the tenant's colour: below 4.5:1 small text is hard to read (WCAG AA). */
export const whiteTextIsReadable = (color: string) => contrastRatio('#ffffff', color) >= 4.5;
