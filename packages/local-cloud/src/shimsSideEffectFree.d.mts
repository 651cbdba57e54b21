import type { Plugin } from 'esbuild';

export const shimsWithoutSideEffects: Plugin;
