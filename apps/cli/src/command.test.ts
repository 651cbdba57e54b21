import { describe, expect, it } from 'vitest';
import { defineCommand, parseCommandLine, UsageError } from './command';

const flags = {
  json: { type: 'boolean', help: 'json' },
  api: { type: 'string', value: '<url>', help: 'url', optionalValue: /^https?:\/\// },
  name: { type: 'string', value: '<name>', help: 'name', choices: ['a', 'b'] },
  seed: { type: 'integer', value: '<n>', help: 'seed' },
  timeout: { type: 'number', value: '<s>', help: 'seconds', min: 1, max: 10 },
} as const;
const one = { min: 1, max: 1, what: 'one file' };

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('no UsageError');
}

describe('parseCommandLine', () => {
  it('types each flag by its spec and keeps positionals in order', () => {
    const parsed = parseCommandLine(
      'x',
      flags,
      ['f.json', '--json', '--seed', '-5', '--timeout=2.5', '--name', 'b'],
      one,
    );
    expect(parsed).toEqual({
      flags: { json: true, seed: -5, timeout: 2.5, name: 'b' },
      positionals: ['f.json'],
    });
  });

  it('takes an optional value only when the next argument looks like one', () => {
    expect(parseCommandLine('x', flags, ['f', '--api', '--json'], one).flags).toEqual({
      api: '',
      json: true,
    });
    expect(parseCommandLine('x', flags, ['--api', 'http://h:1', 'f'], one).flags).toEqual({
      api: 'http://h:1',
    });
    expect(parseCommandLine('x', flags, ['--api', 'f'], one)).toEqual({
      flags: { api: '' },
      positionals: ['f'],
    });
  });

  it('names the flag in every mistake, with a stable code', () => {
    const cases: [string[], string, string][] = [
      [['f', '--nope'], 'CLI_UNKNOWN_FLAG', 'unknown flag --nope'],
      [['f', '-q'], 'CLI_UNKNOWN_FLAG', 'unknown flag -q'],
      [['f', '--seed'], 'CLI_MISSING_VALUE', '--seed needs a value <n>'],
      [['f', '--name', '--json'], 'CLI_MISSING_VALUE', '--name needs a value'],
      [['f', '--seed', '1.5'], 'CLI_BAD_VALUE', '--seed takes a whole number, not "1.5"'],
      [['f', '--seed', ''], 'CLI_BAD_VALUE', '--seed takes a whole number, not ""'],
      [['f', '--timeout', '11'], 'CLI_BAD_VALUE', '--timeout takes a number from 1 to 10'],
      [['f', '--name', 'c'], 'CLI_BAD_VALUE', '--name takes one of a, b, not "c"'],
      [['f', '--json=yes'], 'CLI_BAD_VALUE', '--json takes no value'],
      [[], 'CLI_BAD_ARGUMENTS', 'give one file'],
      [['f', 'g'], 'CLI_BAD_ARGUMENTS', 'give one file, got 2'],
    ];
    for (const [args, code, message] of cases) {
      const error = usageError(() => parseCommandLine('x', flags, args, one));
      expect([error.code, error.message], args.join(' ')).toEqual([
        code,
        expect.stringContaining(message),
      ]);
      expect(error.message).toContain("see 'jointflow x --help'");
    }
  });
});

describe('defineCommand', () => {
  it('generates the usage from the spec and parses before run', async () => {
    const seen: unknown[] = [];
    const command = defineCommand({
      name: 'demo',
      summary: 'a demo',
      synopsis: ['<file> [flags]', '  [--more]'],
      positionals: one,
      description: 'Does a demo.',
      flags: { json: { type: 'boolean', help: 'one JSON\ndocument' } },
      examples: ['jointflow demo f.json --json'],
      exitCodes: '0 ok, 2 bad usage.',
      async run(parsed) {
        seen.push(parsed);
        return 0;
      },
    });
    expect(command.usage).toBe(
      [
        'Usage: jointflow demo <file> [flags]',
        '                      [--more]',
        '',
        'Does a demo.',
        '',
        'Flags:',
        '  --json      one JSON',
        '              document',
        '  -h, --help  show this help',
        '',
        'Example:',
        '  jointflow demo f.json --json',
        '',
        'Exit codes: 0 ok, 2 bad usage.',
      ].join('\n'),
    );
    expect(await command.run(['f.json', '--json'])).toBe(0);
    expect(seen).toEqual([{ flags: { json: true }, positionals: ['f.json'] }]);
    await expect(command.run(['f.json', '--jsn'])).rejects.toThrow('unknown flag --jsn');
  });
});
