/** Counts one window's ad events per campaign. */
export async function handler(input: unknown) {
  const events = input as { key: string; value: { campaign: string }; execution: string }[];
  const counts: Record<string, number> = {};
  for (const { value } of events) counts[value.campaign] = (counts[value.campaign] ?? 0) + 1;
  return { events: events.length, counts };
}
