import { parseArgs } from 'node:util';

/** One CLI subcommand. `run` returns the process exit code (0 ok, 1 failed, 2 bad usage). */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Stable codes of usage mistakes; `main` prints `jointflow <command>: <code>: <message>`. */
export type UsageCode =
  | 'CLI_USAGE'
  | 'CLI_UNKNOWN_FLAG'
  | 'CLI_MISSING_VALUE'
  | 'CLI_BAD_VALUE'
  | 'CLI_BAD_ARGUMENTS';

/** A usage mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code: UsageCode = 'CLI_USAGE',
  ) {
    super(message);
  }
}

/** A flag of a command, as `jointflow <command> --help` lists it. */
export type FlagSpec =
  | { type: 'boolean'; help: string; short?: string }
  | {
      type: 'string';
      /** What the value is, for the help: `<url>`, `<file>`. */
      value: string;
      help: string;
      short?: string;
      /** Allowed values; anything else is CLI_BAD_VALUE. */
      choices?: readonly string[];
      /**
       * The flag takes the next argument only when it matches (`run --api [<url>]`); else the
       * flag stands alone with the value ''.
       */
      optionalValue?: RegExp;
    }
  | {
      /** A whole number (`integer`) or any finite number, within [min, max]. */
      type: 'integer' | 'number';
      value: string;
      help: string;
      /** For the error: what the value is, e.g. `a number of seconds` (default: a (whole) number). */
      what?: string;
      min?: number;
      max?: number;
    };

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** What a command's `run` receives: each flag given, typed by its spec. */
export type FlagValues<F extends FlagSpecs> = {
  -readonly [K in keyof F]?: F[K] extends { type: 'boolean' }
    ? boolean
    : F[K] extends { type: 'integer' | 'number' }
      ? number
      : string;
};

export interface CommandSpec<F extends FlagSpecs> {
  name: string;
  /** One line for `jointflow --help`. */
  summary: string;
  /** What follows `jointflow <name>` in the usage line(s), e.g. `<graph.json> [flags]`. */
  synopsis: readonly string[];
  /** How many positional arguments, and what they are when the count is wrong. */
  positionals: { min: number; max: number; what: string };
  /** What the command does, a paragraph or two. */
  description: string;
  flags: F;
  /** Shown under "Examples:", each a full command line. */
  examples: readonly string[];
  /** e.g. `0 ready, 1 failed, 2 bad usage.` */
  exitCodes: string;
  run(parsed: { flags: FlagValues<F>; positionals: string[] }): Promise<number>;
}

const HELP_FLAG = { type: 'boolean', short: 'h', help: 'show this help' } as const;

function flagLabel(name: string, spec: FlagSpec): string {
  const short = 'short' in spec && spec.short !== undefined ? `-${spec.short}, ` : '';
  if (spec.type === 'boolean') return `${short}--${name}`;
  const value =
    spec.type === 'string' && spec.optionalValue !== undefined ? `[${spec.value}]` : spec.value;
  return `${short}--${name} ${value}`;
}

/** `text` broken at spaces into lines of at most `width` characters (a `\n` always breaks). */
function wrap(text: string, width: number): string[] {
  return text.split('\n').flatMap((paragraph) => {
    const lines: string[] = [];
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    return [...lines, line];
  });
}

/** The text `jointflow <command> --help` prints. */
function usageOf<F extends FlagSpecs>(spec: CommandSpec<F>): string {
  const lead = 'Usage: ';
  const command = `jointflow ${spec.name} `;
  // A form that starts with a space continues the one above it.
  const lines = spec.synopsis.map((form, i) =>
    form.startsWith(' ')
      ? `${' '.repeat(lead.length + command.length)}${form.trim()}`
      : `${i === 0 ? lead : ' '.repeat(lead.length)}${command}${form}`,
  );
  const flags = Object.entries({ ...spec.flags, help: HELP_FLAG });
  const width = Math.max(...flags.map(([name, flag]) => flagLabel(name, flag).length)) + 2;
  const flagLines = flags.flatMap(([name, flag]) =>
    wrap(flag.help, Math.max(40, 98 - width)).map(
      (line, i) => `  ${(i === 0 ? flagLabel(name, flag) : '').padEnd(width)}${line}`,
    ),
  );
  return [
    ...lines,
    '',
    spec.description,
    '',
    'Flags:',
    ...flagLines,
    '',
    `Example${spec.examples.length > 1 ? 's' : ''}:`,
    ...spec.examples.map((example) => `  ${example}`),
    '',
    `Exit codes: ${spec.exitCodes}`,
  ].join('\n');
}

const describeRange = (spec: { min?: number; max?: number }) =>
  spec.min !== undefined && spec.max !== undefined
    ? ` from ${spec.min} to ${spec.max}`
    : spec.min !== undefined
      ? ` of at least ${spec.min}`
      : spec.max !== undefined
        ? ` of at most ${spec.max}`
        : '';

/** A flag's text value checked and converted by its spec. */
function flagValue(name: string, spec: FlagSpec, text: string, see: string): string | number {
  if (spec.type === 'string') {
    if (spec.choices !== undefined && !spec.choices.includes(text)) {
      throw new UsageError(
        `--${name} takes one of ${spec.choices.join(', ')}, not ${JSON.stringify(text)}${see}`,
        'CLI_BAD_VALUE',
      );
    }
    return text;
  }
  if (spec.type === 'boolean') throw new Error('unreachable: boolean flags take no value');
  const number = text.trim() === '' ? Number.NaN : Number(text);
  const whole = spec.type === 'integer';
  if (
    !Number.isFinite(number) ||
    (whole && !Number.isInteger(number)) ||
    (spec.min !== undefined && number < spec.min) ||
    (spec.max !== undefined && number > spec.max)
  ) {
    throw new UsageError(
      `--${name} takes ${spec.what ?? (whole ? 'a whole number' : 'a number')}${describeRange(spec)}, not ${JSON.stringify(text)}${see}`,
      'CLI_BAD_VALUE',
    );
  }
  return number;
}

/**
 * Parses a command line against a command's flags with `node:util` parseArgs: an unknown flag
 * is CLI_UNKNOWN_FLAG, a flag without its value CLI_MISSING_VALUE, a value out of range or not
 * among the choices CLI_BAD_VALUE, too few or too many arguments CLI_BAD_ARGUMENTS (each a
 * UsageError: exit 2, one line naming the flag).
 *
 * @example
 * const { flags, positionals } = parseCommandLine('trace', traceFlags, ['ex_1', '--after', '5'], { min: 1, max: 1, what: 'one execution id' });
 */
export function parseCommandLine<F extends FlagSpecs>(
  command: string,
  specs: F,
  args: readonly string[],
  positionals: CommandSpec<F>['positionals'],
): { flags: FlagValues<F>; positionals: string[] } {
  const see = `; see 'jointflow ${command} --help'`;
  // A flag whose value is optional takes the next argument only when it looks like its value.
  const argv = args.flatMap((arg, i) => {
    const spec = arg.startsWith('--') ? specs[arg.slice(2)] : undefined;
    if (spec?.type !== 'string' || spec.optionalValue === undefined) return [arg];
    const next = args[i + 1];
    return next !== undefined && spec.optionalValue.test(next) ? [arg] : [`${arg}=`];
  });
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...('short' in spec && spec.short !== undefined ? { short: spec.short } : {}),
    };
  }
  const { tokens } = parseArgs({
    args: argv,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: Record<string, unknown> = {};
  const given: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') given.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = specs[token.name];
    if (spec === undefined) {
      throw new UsageError(`unknown flag ${token.rawName}${see}`, 'CLI_UNKNOWN_FLAG');
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        throw new UsageError(`${token.rawName} takes no value${see}`, 'CLI_BAD_VALUE');
      }
      flags[token.name] = true;
      continue;
    }
    // `--api --json`: parseArgs took the next flag as the value; that is a missing value.
    const value = token.value;
    const flagLike = !token.inlineValue && value !== undefined && /^-(?!\d)/.test(value);
    if (value === undefined || flagLike) {
      throw new UsageError(
        `${token.rawName} needs a value ${spec.value}${see}`,
        'CLI_MISSING_VALUE',
      );
    }
    flags[token.name] = flagValue(token.name, spec, value, see);
  }
  if (given.length < positionals.min || given.length > positionals.max) {
    const extra = given.length > positionals.max ? `, got ${given.length}` : '';
    throw new UsageError(`give ${positionals.what}${extra}${see}`, 'CLI_BAD_ARGUMENTS');
  }
  return { flags: flags as FlagValues<F>, positionals: given };
}

/**
 * A subcommand from its spec: the usage text (synopsis, description, flags, examples, exit
 * codes) is generated and the command line parsed by `parseCommandLine` before `run`.
 *
 * @example
 * export const cancelCommand = defineCommand({
 *   name: 'cancel', summary: 'Cancel a running execution', synopsis: ['<executionId> [flags]'],
 *   positionals: { min: 1, max: 1, what: 'one execution id' }, description: '…',
 *   flags: { api: { type: 'string', value: '<url>', help: "the API's URL" } },
 *   examples: ['jointflow cancel ex_0123'], exitCodes: '0 cancelled, 1 failed, 2 bad usage.',
 *   run: async ({ flags, positionals }) => 0,
 * });
 */
export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: usageOf(spec),
    run: async (args) => spec.run(parseCommandLine(spec.name, spec.flags, args, spec.positionals)),
  };
}
