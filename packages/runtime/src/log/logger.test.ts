import { describe, expect, it } from 'vitest';
import { createLogger, messageLogger, redactText } from './logger';
import { processLogger } from './processLogger';

function collect() {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

const at = Date.UTC(2026, 11, 2, 14, 2, 3, 120);

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, msg and the fields', () => {
    const out = collect();
    const log = createLogger({ write: out.write, format: 'json', now: () => at });
    log.child({ component: 'api' }).warn('deployment failed', { deployment: 'dp_1', ms: 12 });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]?.endsWith('\n')).toBe(true);
    expect(out.lines[0]?.split('\n')).toHaveLength(2);
    expect(JSON.parse(out.lines[0] ?? '')).toEqual({
      time: '2026-12-02T14:02:03.120Z',
      level: 'warn',
      msg: 'deployment failed',
      component: 'api',
      deployment: 'dp_1',
      ms: 12,
    });
  });

  it('drops records below its level', () => {
    const out = collect();
    const log = createLogger({ write: out.write, format: 'json', level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(['c', 'd']);
    expect(log.enabled('info')).toBe(false);
    expect(log.enabled('error')).toBe(true);
  });

  it('never writes secret-named fields or token values in messages', () => {
    const out = collect();
    const log = createLogger({ write: out.write, format: 'json' });
    log.info('up at http://127.0.0.1:4300/#token=abc123def', {
      token: 'abc123def',
      headers: { Authorization: 'Bearer abc123def', accept: 'json' },
      controlSecret: 'zzz',
      error: new Error('call with Bearer abc123def failed'),
    });
    const line = out.lines[0] ?? '';
    expect(line).not.toContain('abc123def');
    expect(line).not.toContain('zzz');
    const record = JSON.parse(line);
    expect(record.msg).toBe('up at http://127.0.0.1:4300/#token=[redacted]');
    expect(record.token).toBe('[redacted]');
    expect(record.headers).toEqual({ Authorization: '[redacted]', accept: 'json' });
    expect(record.error.message).toBe('call with Bearer [redacted] failed');
    expect(redactText('?secret=s3&x=1')).toBe('?secret=[redacted]&x=1');
  });

  it('keeps its own keys, serializes errors, bigints and cycles', () => {
    const out = collect();
    const log = createLogger({ write: out.write, format: 'json', now: () => at });
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const error = Object.assign(new Error('boom'), { code: 'X_FAILED' });
    log.error('bad', { level: 'debug', msg: 'other', n: 10n, cyclic, error });
    const record = JSON.parse(out.lines[0] ?? '');
    expect(record.level).toBe('error');
    expect(record.msg).toBe('bad');
    expect(record.n).toBe('10');
    expect(record.cyclic).toEqual({ name: 'a', self: '[cycle]' });
    expect(record.error).toMatchObject({ name: 'Error', message: 'boom', code: 'X_FAILED' });
    expect(typeof record.error.stack).toBe('string');
  });

  it('writes a readable line in text format', () => {
    const out = collect();
    const log = createLogger({
      write: out.write,
      format: 'text',
      now: () => at,
      fields: { component: 'aws-local' },
    });
    log.info('cloud ready', { url: 'http://127.0.0.1:4101', note: 'two words' });
    expect(out.lines).toEqual([
      '14:02:03.120 INFO  [aws-local] cloud ready url=http://127.0.0.1:4101 note="two words"\n',
    ]);
  });
});

describe('messageLogger', () => {
  it('hands plain messages with their fields to a function', () => {
    const messages: string[] = [];
    const log = messageLogger((m) => messages.push(m)).child({ component: 'api' });
    log.warn('execution ex_1 stalled; redriving', { attempt: 2, token: 't0ps3cret' });
    log.debug('dropped');
    expect(messages).toEqual([
      'execution ex_1 stalled; redriving component=api attempt=2 token=[redacted]',
    ]);
  });
});

describe('processLogger', () => {
  const stream = (isTTY: boolean) => {
    const lines: string[] = [];
    return { lines, isTTY, write: (chunk: string) => lines.push(chunk) };
  };

  it('writes JSON lines when its stream is not a terminal, text on one', () => {
    const pipe = stream(false);
    processLogger({ component: 'api', stream: pipe, env: {} }).info('hello', { n: 1 });
    expect(JSON.parse(pipe.lines[0] ?? '')).toMatchObject({
      level: 'info',
      msg: 'hello',
      component: 'api',
      n: 1,
    });
    const tty = stream(true);
    processLogger({ component: 'api', stream: tty, env: {} }).info('hello');
    expect(tty.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[api\] hello\n$/);
  });

  it('follows JOINTFLOW_LOG_FORMAT and JOINTFLOW_LOG_LEVEL, and names a bad setting', () => {
    const tty = stream(true);
    const log = processLogger({
      stream: tty,
      env: { JOINTFLOW_LOG_FORMAT: 'json', JOINTFLOW_LOG_LEVEL: 'debug' },
    });
    log.debug('detail');
    expect(JSON.parse(tty.lines[0] ?? '')).toMatchObject({ level: 'debug', msg: 'detail' });

    const pipe = stream(false);
    const fallback = processLogger({ stream: pipe, env: { JOINTFLOW_LOG_LEVEL: 'loud' } });
    expect(fallback.level).toBe('info');
    expect(JSON.parse(pipe.lines[0] ?? '')).toMatchObject({ level: 'warn' });
    expect(JSON.parse(pipe.lines[0] ?? '').msg).toContain('LOG_BAD_SETTING: JOINTFLOW_LOG_LEVEL');
  });
});
