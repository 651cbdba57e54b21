/**
 * Finds an ad's campaign. The campaign table is fixed here (a real one would be a database
 * read through `ctx.once` or a cache); the lookup is deterministic, so the counts can be checked.
 */
const CAMPAIGNS = ['spring-sale', 'new-phone', 'travel', 'books'];

export async function handler(input: unknown) {
  const { ad, user } = input as { ad: string; user?: string };
  if (typeof ad !== 'string' || ad === '') throw new Error('an ad event needs an "ad" id');
  let hash = 0;
  for (const char of ad) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return { ad, user: user ?? null, campaign: CAMPAIGNS[hash % CAMPAIGNS.length] };
}
