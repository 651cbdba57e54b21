/** Scores one shard's documents against the question with Okapi BM25 (k1 = 1.2, b = 0.75). */
export async function handler(input: unknown) {
  const { shard, question, corpus, docs } = input as {
    shard: number;
    question: string;
    corpus: { documents: number; averageLength: number; documentFrequency: Record<string, number> };
    docs: { id: string; topic: string; text: string; length: number }[];
  };
  const k1 = 1.2;
  const b = 0.75;
  const terms = [
    ...new Set(
      question
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter((t) => t !== ''),
    ),
  ];
  const idf = (term: string): number => {
    const df = corpus.documentFrequency[term] ?? 0;
    return Math.log(1 + (corpus.documents - df + 0.5) / (df + 0.5));
  };
  const scored = docs.map((doc) => {
    const frequency = new Map<string, number>();
    for (const word of doc.text.split(' ')) frequency.set(word, (frequency.get(word) ?? 0) + 1);
    let score = 0;
    for (const term of terms) {
      const tf = frequency.get(term) ?? 0;
      if (tf === 0) continue;
      score +=
        (idf(term) * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * doc.length) / corpus.averageLength));
    }
    return { id: doc.id, topic: doc.topic, score: Math.round(score * 10_000) / 10_000 };
  });
  scored.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1));
  return { shard, top: scored.slice(0, 3) };
}
