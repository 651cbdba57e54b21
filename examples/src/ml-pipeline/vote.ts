/**
 * The 3-of-4 trigger's code: averages the probabilities of the first three replicas to answer
 * (the fourth is dropped when it arrives). `winners` names the replicas that won, by their
 * object keys in replica order; everything else is the same whichever three won, because every
 * replica runs the same model on the same image.
 */
export async function handler(input: unknown) {
  const answers = input as {
    key: string;
    value: { replica: number; probabilities: Record<string, number> };
  }[];
  if (answers.length === 0) throw new Error('the vote needs at least one answer');
  const sums: Record<string, number> = {};
  for (const { value } of answers) {
    for (const [label, p] of Object.entries(value.probabilities)) {
      sums[label] = (sums[label] ?? 0) + p;
    }
  }
  const probabilities: Record<string, number> = {};
  for (const [label, sum] of Object.entries(sums)) {
    probabilities[label] = Math.round((sum / answers.length) * 1e4) / 1e4;
  }
  const ranked = Object.entries(probabilities).sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  );
  const [label, confidence] = ranked[0] ?? ['unknown', 0];
  const winners = [...answers]
    .sort((a, b) => a.value.replica - b.value.replica)
    .map((answer) => answer.key);
  return { label, confidence, probabilities, answers: answers.length, winners };
}
