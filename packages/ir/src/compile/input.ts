import { z } from 'zod';
import { cloudProfileSchema } from '../cloudProfile';
import { type Graph, graphSchema } from '../graph';
import type { CloudChoices } from './cloudPlacement';
import type { DiagnosticLog, DiagnosticSite } from './diagnosticLog';

const optionsSchema = z.object({
  clouds: z.array(cloudProfileSchema),
  placement: z.record(z.string(), z.string()).optional(),
});

/**
 * First pass: the compiler's options as cloud choices (profiles by id, the planner's placement,
 * the fallback for `auto` nodes), or undefined after reporting invalid profiles. No profiles at
 * all is reported but not fatal: the graph is still checked.
 */
export function readOptions(raw: unknown, log: DiagnosticLog): CloudChoices | undefined {
  const options = optionsSchema.safeParse(raw);
  if (!options.success) {
    log.error(
      'IR_INVALID_CLOUDS',
      `the cloud profiles passed to the compiler are invalid (${z.prettifyError(options.error)}); fix the profile files`,
    );
    return undefined;
  }
  const fallbackCloud = options.data.clouds[0]?.id;
  if (fallbackCloud === undefined) {
    log.error('IR_NO_CLOUDS', 'no cloud profiles were given; pass at least one cloud profile');
  }
  return {
    profiles: new Map(options.data.clouds.map((profile) => [profile.id, profile])),
    placement: options.data.placement ?? {},
    fallbackCloud,
  };
}

/** The graph document parsed by its schema, or undefined after reporting (at most 50) issues. */
export function parseGraph(input: unknown, log: DiagnosticLog): Graph | undefined {
  const parsed = graphSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues.slice(0, 50)) {
    const path = issue.path.map(String).join('.');
    const at: DiagnosticSite = {};
    const [collection, index] = issue.path;
    if (typeof index === 'number' && (collection === 'nodes' || collection === 'edges')) {
      const item = readIndex(readKey(input, collection), index);
      const label = readKey(item, collection === 'nodes' ? 'name' : 'id');
      if (typeof label === 'string') {
        if (collection === 'nodes') at.node = label;
        else at.edge = label;
      }
    }
    log.error(
      'IR_INVALID_GRAPH',
      `${path === '' ? 'the graph' : path}: ${issue.message}; fix this field of the graph document`,
      at,
    );
  }
  return undefined;
}

function readKey(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function readIndex(value: unknown, index: number): unknown {
  return Array.isArray(value) ? value[index] : undefined;
}
