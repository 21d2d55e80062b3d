/** @module Colour maths for the theme: WCAG 2 contrast, so text on `themeColor` stays readable. */

/** `#rgb` / `#rrggbb` → [r, g, b] in 0..255; undefined when not a hex colour. */
export function parseHex(hex: string): [number, number, number] | undefined {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return undefined;
  const h = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
  const n = parseInt(h, 16);
  return [n >> 16, (n >> 8) & 255, n & 255];
}

/** WCAG relative luminance of an sRGB colour. */
export function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio (1..21) of two hex colours; 1 when either is not a colour. */
export function contrastRatio(a: string, b: string): number {
  const ca = parseHex(a), cb = parseHex(b);
  if (!ca || !cb) return 1;
  const [hi, lo] = [luminance(ca), luminance(cb)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** White or near-black, whichever reads better on `background`. */
export function readableOn(background: string): "#ffffff" | "#111827" {
  return contrastRatio(background, "#ffffff") >= contrastRatio(background, "#111827")
    ? "#ffffff"
    : "#111827";
}

/** Mixes a colour towards black by `amount` (0..1). */
export function darken(hex: string, amount: number): string {
  const c = parseHex(hex) ?? [0, 0, 0];
  return "#" + c.map((v) => Math.round(v * (1 - amount)).toString(16).padStart(2, "0")).join("");
}

/**
 * A fill close to the brand colour on which text passes WCAG AA (4.5:1), and that text colour.
 * Light brands keep their colour with dark text; mid-tones are darkened until white text passes,
 * which keeps the brand's hue where a plain black/white flip would look off.
 */
export function accessibleFill(theme: string): { fill: string; text: string } {
  const white = "#ffffff", ink = "#111827";
  if (contrastRatio(theme, white) >= 4.5) return { fill: theme, text: white };
  const rgb = parseHex(theme);
  if (rgb && luminance(rgb) > 0.4) return { fill: theme, text: ink };
  for (let k = 0.05; k < 1; k += 0.05) {
    const fill = darken(theme, k);
    if (contrastRatio(fill, white) >= 4.5) return { fill, text: white };
  }
  return { fill: theme, text: readableOn(theme) };
}

/** A valid theme colour or the default, so a bad value never reaches CSS. */
export function themeOrDefault(color: unknown, fallback = "#0088FF"): string {
  return typeof color === "string" && parseHex(color) ? color : fallback;
}
