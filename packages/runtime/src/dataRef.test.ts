import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveDataRef, serialize, toDataRef, utf8Length } from './dataRef';
import { MemoryBlobStore } from './memoryPorts';
import { receiveHlc, tickHlc } from './traceEvents';

describe('dataRef', () => {
  it('sizes UTF-8 exactly like TextEncoder', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
      { numRuns: 1000 },
    );
    expect(utf8Length('\ud800a\udc00\ud83d\ude00')).toBe(3 + 1 + 3 + 4);
  });

  it('round-trips any JSON value inline or through a blob', async () => {
    const blobs = new MemoryBlobStore();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.integer({ min: 0, max: 200 }), async (value, limit) => {
        const normalized = JSON.parse(serialize(value).text) as unknown;
        const ref = await toDataRef(value, { mode: 'auto', limitBytes: limit, cloud: 'a', blobs });
        expect('inline' in ref).toBe(serialize(value).bytes <= limit);
        expect(await resolveDataRef(ref, () => blobs)).toEqual(normalized);
      }),
      { numRuns: 200 },
    );
  });

  it('puts the same bytes once (content-addressed)', async () => {
    const blobs = new MemoryBlobStore();
    const a = await toDataRef(
      { x: 'y'.repeat(100) },
      { mode: 'blob', limitBytes: 1e6, cloud: 'a', blobs },
    );
    const b = await toDataRef(
      { x: 'y'.repeat(100) },
      { mode: 'blob', limitBytes: 1e6, cloud: 'a', blobs },
    );
    expect(a).toEqual(b);
    expect(blobs.blobs.size).toBe(1);
  });
});

describe('hybrid logical clock', () => {
  it('orders events after a received stamp even when the local wall clock lags', () => {
    const remote = tickHlc(Date.now() + 60_000, 'aws');
    receiveHlc(remote, Date.now());
    const local = tickHlc(Date.now(), 'aliyun');
    const [rMs, rCount] = remote.split('-').map(Number);
    const [lMs, lCount] = local.split('-').map(Number);
    expect((lMs ?? 0) > (rMs ?? 0) || (lMs === rMs && (lCount ?? 0) > (rCount ?? 0))).toBe(true);
  });
});
