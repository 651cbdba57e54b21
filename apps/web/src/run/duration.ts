/** Milliseconds as a person reads them: `740 ms`, `2.26 s`, `1 min 5 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const value = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (value < 1000) return `${sign}${Math.round(value)} ms`;
  if (value < 60_000) return `${sign}${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(value / 60_000);
  return `${sign}${minutes} min ${Math.round((value % 60_000) / 1000)} s`;
}
