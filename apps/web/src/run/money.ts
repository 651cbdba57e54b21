/**
 * Money as a person reads it: dollars with enough decimals to show the first two significant
 * digits of small amounts ($0.000039, not 3.92e-5), cents above a dollar.
 *
 * @example
 * formatUsd(0.0000392); // '$0.000039'
 * formatUsd(1.5);       // '$1.50'
 */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return '—';
  const sign = usd < 0 ? '-' : '';
  const value = Math.abs(usd);
  if (value === 0) return '$0';
  if (value >= 1) return `${sign}$${value.toFixed(2)}`;
  // Two significant digits, at most 10 decimals (a tenth of a nano-dollar is noise).
  const decimals = Math.min(10, Math.max(2, 1 - Math.floor(Math.log10(value))));
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? `${sign}<$0.0000000001` : `${sign}$${text}`;
}

/** A signed money difference (`+$0.000012`, `-$0.0000030`, `±$0`). */
export function formatUsdDelta(usd: number): string {
  if (usd === 0) return '±$0';
  return usd > 0 ? `+${formatUsd(usd)}` : formatUsd(usd);
}
