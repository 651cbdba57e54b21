/** Map phase input: cuts the text into `chunks` pieces at word boundaries. */
export async function handler(input: unknown) {
  const { text, chunks } = input as { text?: unknown; chunks?: unknown };
  if (typeof text !== 'string') throw new Error('input must be { text: string, chunks?: integer }');
  const wanted = Number.isInteger(chunks) ? Math.max(1, chunks as number) : 4;
  const words = text.split(/\s+/).filter((w) => w !== '');
  const size = Math.max(1, Math.ceil(words.length / wanted));
  const pieces: { chunk: number; text: string }[] = [];
  for (let start = 0; start < words.length; start += size) {
    pieces.push({ chunk: pieces.length, text: words.slice(start, start + size).join(' ') });
  }
  return { pieces };
}
