/**
 * Plans the sort: cuts the numbers into `mappers` chunks and the value range into `reducers`
 * equal-width key ranges (the cut points travel with every chunk, so each mapper routes alone).
 */
export async function handler(input: unknown) {
  const {
    text,
    mappers = 4,
    reducers = 3,
  } = input as {
    text?: unknown;
    mappers?: number;
    reducers?: number;
  };
  // The records come as numbers, or as a text of numbers separated by white space (a file's
  // contents, as TeraSort reads them).
  const numbers =
    typeof text === 'string'
      ? text
          .split(/\s+/)
          .filter((word) => word !== '')
          .map(Number)
      : (input as { numbers?: unknown }).numbers;
  if (
    !Array.isArray(numbers) ||
    !numbers.every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    throw new Error(
      'input must be { numbers: number[] } or { text: numbers separated by spaces }, with mappers?: integer, reducers?: integer',
    );
  }
  if (!Number.isInteger(mappers) || mappers < 1 || !Number.isInteger(reducers) || reducers < 1) {
    throw new Error('mappers and reducers must be positive integers');
  }
  const values = numbers as number[];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const n of values) {
    if (n < min) min = n;
    if (n > max) max = n;
  }
  // reducers - 1 cut points between min and max; range r holds cuts[r - 1] <= n < cuts[r].
  const cuts: number[] = [];
  for (let r = 1; r < reducers && values.length > 0; r++)
    cuts.push(min + ((max - min) * r) / reducers);
  const size = Math.max(1, Math.ceil(values.length / mappers));
  const chunks: { chunk: number; numbers: number[]; cuts: number[] }[] = [];
  for (let start = 0; start < values.length; start += size) {
    chunks.push({ chunk: chunks.length, numbers: values.slice(start, start + size), cuts });
  }
  return { chunks, ranges: cuts.length + 1 };
}
