/**
 * Generates a corpus of short documents from a seeded vocabulary, sorts them by length, deals
 * them into shards, and computes the corpus statistics BM25 needs (document frequencies, the
 * average length) so every shard scores against the same collection.
 */
export async function handler(input: unknown) {
  const { question, documents, shards, seed } = input as {
    question: string;
    documents: number;
    shards: number;
    seed: number;
  };
  const topics: Record<string, string[]> = {
    rivers: ['river', 'water', 'flood', 'bank', 'bridge', 'current', 'delta', 'rain'],
    baking: ['bread', 'flour', 'oven', 'yeast', 'dough', 'crust', 'butter', 'rise'],
    stars: ['star', 'planet', 'orbit', 'light', 'telescope', 'galaxy', 'comet', 'night'],
    trains: ['train', 'rail', 'station', 'ticket', 'engine', 'track', 'platform', 'night'],
  };
  const filler = ['the', 'a', 'of', 'and', 'in', 'on', 'was', 'with', 'near', 'after'];
  const topicNames = Object.keys(topics).sort();
  let state = seed >>> 0 || 1;
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

  const docs: { id: string; topic: string; text: string; length: number }[] = [];
  for (let i = 0; i < documents; i++) {
    const topic = pick(topicNames);
    const vocabulary = topics[topic] ?? [];
    const length = 12 + Math.floor(random() * 30);
    const words: string[] = [];
    for (let w = 0; w < length; w++) words.push(random() < 0.6 ? pick(vocabulary) : pick(filler));
    docs.push({ id: `doc-${String(i).padStart(3, '0')}`, topic, text: words.join(' '), length });
  }
  docs.sort((a, b) => a.length - b.length || (a.id < b.id ? -1 : 1));

  const documentFrequency: Record<string, number> = {};
  for (const doc of docs) {
    for (const term of new Set(doc.text.split(' ')))
      documentFrequency[term] = (documentFrequency[term] ?? 0) + 1;
  }
  const averageLength = docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, docs.length);
  const corpus = { documents: docs.length, averageLength, documentFrequency };
  const dealt = Array.from({ length: Math.max(1, shards) }, (_, shard) => ({
    shard,
    question,
    corpus,
    docs: docs.filter((_, i) => i % Math.max(1, shards) === shard),
  }));
  return { shards: dealt };
}
