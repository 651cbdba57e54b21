function luminance(hex: string): number | undefined {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!match?.[1]) return undefined;
  const value = Number.parseInt(match[1], 16);
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return (
    0.2126 * channel((value >> 16) & 255) +
    0.7152 * channel((value >> 8) & 255) +
    0.0722 * channel(value & 255)
  );
}

/**
 * Black or white, whichever reads better on `background` (a `#rrggbb` cloud colour): cloud
 * colours come from editable profiles, so badge text cannot assume white is readable.
 *
 * @example
 * contrastText('#ff9900'); // '#000'
 */
export function contrastText(background: string): '#000' | '#fff' {
  const l = luminance(background);
  if (l === undefined) return '#fff';
  const onBlack = (l + 0.05) / 0.05;
  const onWhite = 1.05 / (l + 0.05);
  return onBlack >= onWhite ? '#000' : '#fff';
}
