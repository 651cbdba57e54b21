export type { Command } from './command';
export { UsageError } from './command';
