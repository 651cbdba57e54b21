import type { BlobStore, DataRef } from './ports';
import { RuntimeError } from './runtimeError';

/**
 * Data as it travels and as it is stored: inline JSON when small, otherwise a pointer to a
 * content-addressed blob. Blobs go to the sender's home store, so the data stays in a store the
 * IR names whichever cloud ends up running the receiver.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The JSON text of a value (`undefined` travels as `null`) and its size in bytes. */
export function serialize(value: unknown): { text: string; bytes: number } {
  const text = JSON.stringify(value === undefined ? null : value) ?? 'null';
  return { text, bytes: utf8Length(text) };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code < 0xe000;
}

/** UTF-8 size of a string without encoding it (the hot path sizes every payload). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Makes a `DataRef` for `value`: inline when `mode` allows and its JSON fits `limitBytes`,
 * otherwise a blob on `cloud`. `inline` mode still goes through a blob beyond the limit, since
 * the platform would refuse the invoke.
 */
export async function toDataRef(
  value: unknown,
  options: {
    mode: 'inline' | 'blob' | 'auto';
    limitBytes: number;
    cloud: string;
    blobs: BlobStore;
    /** The JSON text of `value` when `value` is already plain JSON (skips a round trip). */
    serialized?: string;
  },
): Promise<DataRef> {
  const text = options.serialized ?? serialize(value).text;
  const bytes = utf8Length(text);
  if (options.mode !== 'blob' && bytes <= options.limitBytes) {
    return { inline: options.serialized === undefined ? (JSON.parse(text) as unknown) : value };
  }
  const key = await options.blobs.put(encoder.encode(text));
  return { blob: key, cloud: options.cloud, bytes };
}

/** The value a `DataRef` stands for, fetching the blob from its cloud when needed. */
export async function resolveDataRef(
  ref: DataRef,
  blobsOf: (cloud: string) => BlobStore,
): Promise<unknown> {
  if ('inline' in ref) return ref.inline;
  const bytes = await blobsOf(ref.cloud).get(ref.blob);
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    throw new RuntimeError(
      'RUNTIME_BAD_BLOB',
      `blob ${ref.blob} on ${ref.cloud} is not JSON; the blob store returned other bytes than were put`,
      { retryable: true },
    );
  }
}
