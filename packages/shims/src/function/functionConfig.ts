import type { FunctionContext, FunctionIR } from '@jointflow/ir';
import { z } from 'zod';
import { cloudProviders, type ResolvedCloud } from '../cloudConfig';

/**
 * Everything variable about one packaged function: it travels as `function.json` beside the
 * bundled code in the zip and is read as data when the container starts — never spliced into
 * code. It holds no credentials and no environment values (those are the function's
 * environment variables, set by the control plane).
 */
export interface FunctionPackageConfig {
  /** How the platform calls the handler: Lambda passes the parsed JSON, FC a Buffer. */
  flavor: 'lambda' | 'fc';
  /** The cloud this copy runs on (the primary or a failover replica). */
  cloud: string;
  deployment: string;
  fn: FunctionIR;
  context: FunctionContext;
  /** Every cloud of the deployment, resolved, so invokes and home stores can be reached. */
  clouds: ResolvedCloud[];
}

const objectWith = <T>(fields: string[]) =>
  z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      fields.every((f) => (value as Record<string, unknown>)[f] !== undefined),
  );

/**
 * The shape check at the boundary (the file is ours, written by `packageFunction`; the IR and
 * the clouds were validated when they were compiled and parsed).
 */
export const functionPackageConfigSchema = z.object({
  flavor: z.enum(['lambda', 'fc']),
  cloud: z.string().min(1),
  deployment: z.string().min(1),
  fn: objectWith<FunctionIR>(['name', 'kind', 'homeStore', 'continuations']),
  context: objectWith<FunctionContext>(['workflow', 'irVersion', 'resultStore']),
  clouds: z.array(
    objectWith<ResolvedCloud>(['id', 'provider', 'profile']).refine((c) =>
      (cloudProviders as readonly string[]).includes(c.provider),
    ),
  ),
});

/** Parses `function.json`; throws `FUNCTION_CONFIG_INVALID` naming what is wrong. */
export function parseFunctionPackageConfig(json: unknown): FunctionPackageConfig {
  const parsed = functionPackageConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(
      `FUNCTION_CONFIG_INVALID: function.json in the package is not a Jointflow function config (${problems}); package the function again`,
    );
  }
  return parsed.data;
}
