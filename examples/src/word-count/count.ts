/** Counts the words of one chunk, case-folded, punctuation stripped. */
export async function handler(input: unknown) {
  const { chunk, text } = input as { chunk: number; text: string };
  const counts: Record<string, number> = {};
  for (const raw of text.toLowerCase().split(/[^a-z0-9']+/)) {
    const word = raw.replace(/^'+|'+$/g, '');
    if (word === '') continue;
    counts[word] = (counts[word] ?? 0) + 1;
  }
  return { chunk, counts };
}
