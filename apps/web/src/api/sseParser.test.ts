import { describe, expect, it } from 'vitest';
import { SseParser } from './sseParser';

describe('SseParser', () => {
  it('parses messages split across chunks, with ids and event names', () => {
    const parser = new SseParser();
    expect(parser.push('id: 1\nevent: tr')).toEqual([]);
    const out = parser.push('ace\ndata: {"a":1}\n\n: keep-alive\n\nid: 2\ndata: x\ndata: y\n\n');
    expect(out).toEqual([
      { id: '1', event: 'trace', data: '{"a":1}' },
      { id: '2', event: 'message', data: 'x\ny' },
    ]);
  });

  it('handles CRLF line ends and keeps the last id', () => {
    const parser = new SseParser();
    const out = parser.push('id: 7\r\nevent: completion\r\ndata: {}\r\n\r\ndata: z\r\n\r\n');
    expect(out).toEqual([
      { id: '7', event: 'completion', data: '{}' },
      { id: '7', event: 'message', data: 'z' },
    ]);
  });
});
