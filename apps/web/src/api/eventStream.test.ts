import { afterEach, describe, expect, it, vi } from 'vitest';
import { followExecutionEvents } from './eventStream';
import type { SseMessage } from './sseParser';

function streamOf(text: string): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

describe('followExecutionEvents', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reconnects with Last-Event-ID after a dropped stream and stops at the end event', async () => {
    const requests: Headers[] = [];
    const answers = [
      'id: 1\nevent: trace\ndata: {"n":1}\n\nid: 2\nevent: trace\ndata: {"n":2}\n\n',
      'id: 3\nevent: trace\ndata: {"n":3}\n\nevent: end\ndata: {"status":"succeeded"}\n\n',
    ];
    vi.stubGlobal('localStorage', { getItem: () => 'tok' });
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        requests.push(new Headers(init.headers));
        const next = answers.shift();
        if (next === undefined) throw new Error('no more answers');
        return streamOf(next);
      }),
    );
    const received: SseMessage[] = [];
    await new Promise<void>((resolve, reject) => {
      followExecutionEvents('ex1', {
        onMessages: (messages) => {
          received.push(...messages);
          return undefined;
        },
        onEnd: resolve,
        onError: reject,
      });
    });
    expect(received.map((m) => m.data)).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
      '{"status":"succeeded"}',
    ]);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.get('last-event-id')).toBeNull();
    expect(requests[1]?.get('last-event-id')).toBe('2');
    expect(requests[1]?.get('authorization')).toBe('Bearer tok');
  });

  it('reads no further while the handler holds it back (backpressure)', async () => {
    vi.stubGlobal('localStorage', { getItem: () => null });
    const chunks = ['id: 1\ndata: a\n\n', 'id: 2\ndata: b\n\n', 'event: end\ndata: {}\n\n'];
    let pulls = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        const body = new ReadableStream<Uint8Array>(
          {
            pull(controller) {
              pulls += 1;
              const next = chunks.shift();
              if (next === undefined) controller.close();
              else controller.enqueue(new TextEncoder().encode(next));
            },
          },
          { highWaterMark: 0 },
        );
        return new Response(body, { status: 200 });
      }),
    );
    let letGo: (() => void) | undefined;
    const received: string[] = [];
    const held = new Promise<void>((resolve) => {
      followExecutionEvents('ex1', {
        onMessages: (messages) => {
          received.push(...messages.map((m) => m.data));
          if (received.length > 1) return undefined;
          resolve();
          return new Promise<void>((settle) => {
            letGo = settle;
          });
        },
        onEnd: () => {},
        onError: () => {},
      });
    });
    await held;
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(received).toEqual(['a']);
    // The decoder's pipe may hold one chunk ahead; the rest stays unread.
    expect(pulls).toBeLessThan(4);
    letGo?.();
    for (let turn = 0; turn < 20 && received.length < 3; turn++)
      await new Promise((resolve) => setTimeout(resolve, 0));
    expect(received).toEqual(['a', 'b', '{}']);
  });

  it('gives up on a 4xx answer with a coded error', async () => {
    vi.stubGlobal('localStorage', { getItem: () => null });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('{}', { status: 404 })),
    );
    const error = await new Promise<Error>((resolve) => {
      followExecutionEvents('missing', {
        onMessages: () => undefined,
        onEnd: () => {},
        onError: resolve,
      });
    });
    expect(error.message).toMatch(/^WEB_EVENTS_REFUSED/);
  });
});
