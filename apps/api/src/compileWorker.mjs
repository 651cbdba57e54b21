// The compile pool's worker thread (compilePool.ts). Plain JavaScript so that it starts under
// plain Node, tsx or vitest alike; it loads the TypeScript job module through tsx's API.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { replyToCompileJob } = await tsImport('./compileJob.ts', import.meta.url);

parentPort?.on('message', ({ id, profiles, job }) => {
  parentPort?.postMessage({ id, ...replyToCompileJob(profiles, job) });
});
parentPort?.postMessage({ ready: true });
