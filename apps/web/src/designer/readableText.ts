/** Relative luminance of an sRGB colour `#rrggbb` (WCAG 2.x). */
function luminance(hex: string): number | undefined {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!match?.[1]) return undefined;
  const value = Number.parseInt(match[1], 16);
  const channel = (shift: number) => {
    const c = ((value >> shift) & 0xff) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(16) + 0.7152 * channel(8) + 0.0722 * channel(0);
}

/**
 * Black or white, whichever reads better on `background` (the higher WCAG contrast ratio).
 * Cloud colours come from user-editable profiles, so text on a cloud badge cannot be one fixed
 * colour: white on AWS orange is 2.1:1, black on it 10:1.
 */
export function readableTextOn(background: string): '#000000' | '#ffffff' {
  const l = luminance(background);
  if (l === undefined) return '#ffffff';
  const onWhite = 1.05 / (l + 0.05);
  const onBlack = (l + 0.05) / 0.05;
  return onBlack >= onWhite ? '#000000' : '#ffffff';
}
