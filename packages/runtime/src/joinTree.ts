import { z } from 'zod';
import type { KeyValueStore, SlotFillResult } from './ports';

/**
 * Joins wider than one item can hold. A store declares `maxSlotsPerRecord` (DynamoDB items stop
 * at 400 KB, Tablestore rows at 2 MB); a join of more slots becomes a tree of slot records, each
 * at most that wide, so no record grows with the width of the fan-out.
 *
 * The root record at the join's key has at most `max` slots; each covers a contiguous span of
 * the join's slots and, once that span's subtree is full, holds a marker `{ subtree: <key> }`.
 * A branch fills its leaf; the fill that completes a record fills its slot in the parent, up to
 * the root, and whoever sees the root full invokes the join, as with one record. Every fill is
 * still one conditional update on one item. A duplicate that finds its leaf already full fills
 * the parent again (harmlessly): the first completer may have crashed between the two.
 *
 * Only the root's fill state is returned, without values: the join reads its slots through
 * `readJoinSlots`, which walks the markers. With no `maxSlotsPerRecord`, or a join no wider than
 * it, this is exactly one `fillSlot` / `readSlots`, as before.
 */

const subtreeSchema = z.strictObject({ subtree: z.string() });

/** The key of the subtree covering the `child`-th span of the record at `key`. */
function subtreeKey(key: string, child: number): string {
  return `${key}/tree:${child}`;
}

/** Slots each child of a record of `size` slots covers, so the record has at most `max` children. */
function childSpan(size: number, max: number): number {
  let span = 1;
  while (span * max < size) span *= max;
  return span;
}

export async function fillJoinSlot(
  store: KeyValueStore,
  key: string,
  slot: number,
  size: number,
  value: unknown,
): Promise<SlotFillResult> {
  const max = store.maxSlotsPerRecord;
  if (max === undefined || size <= max) return store.fillSlot(key, slot, size, value);
  const span = childSpan(size, max);
  const child = Math.floor(slot / span);
  const childKey = subtreeKey(key, child);
  const below = await fillJoinSlot(
    store,
    childKey,
    slot - child * span,
    Math.min(span, size - child * span),
    value,
  );
  if ('sealed' in below || below.filled < below.size) {
    return 'sealed' in below ? below : { filled: 0, size, newlyFilled: below.newlyFilled };
  }
  const root = await store.fillSlot(key, child, Math.ceil(size / span), {
    subtree: childKey,
  });
  if ('sealed' in root) return root;
  // Report the join's own size: callers compare `filled` with `size`.
  return {
    filled: root.filled === root.size ? size : 0,
    size,
    newlyFilled: root.newlyFilled,
  };
}

/**
 * All slot values of a join's record or tree, in slot order (`undefined` where a slot, or a
 * whole unfinished subtree, is not filled yet). Subtrees are read `concurrency` at a time.
 */
export async function readJoinSlots(
  store: KeyValueStore,
  key: string,
  concurrency = 64,
): Promise<(unknown | undefined)[]> {
  const top = await store.readSlots(key);
  const isTree = top.some((v) => v !== undefined && subtreeSchema.safeParse(v).success);
  if (!isTree) return top;
  const parts: (unknown | undefined)[][] = new Array(top.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= top.length) return;
      const marker = subtreeSchema.safeParse(top[i]);
      parts[i] = marker.success
        ? await readJoinSlots(store, marker.data.subtree, concurrency)
        : [undefined];
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, top.length) }, worker));
  return parts.flat();
}
