import { createHash } from 'node:crypto';
import { type CloudProfile, defaultCloudProfiles } from '@jointflow/ir';
import type { BlobStore, Invocation, KeyValueStore } from '@jointflow/runtime';
import type { CloudShim, FaultSpec, FunctionDeployment, FunctionState } from '@jointflow/shims';
import type { EngineResult, EngineRun, ExecutionEngine } from '../executionEngine';

/**
 * Test doubles for API tests that do not need real clouds: an in-memory cloud that records what
 * it was asked to do, and an engine that records starts. Tests that need the protocol use the
 * real local clouds instead.
 */
interface SlotRecord {
  size: number;
  values: (unknown | undefined)[];
  sealed?: boolean;
}

export interface MemoryCloud extends CloudShim {
  deployed: FunctionDeployment[];
  invocations: Invocation[];
  faults: FaultSpec[];
  /** Functions whose deploy fails, by name. */
  failDeploy: Set<string>;
}

function memoryStore(): KeyValueStore {
  const values = new Map<string, unknown>();
  const slots = new Map<
    string,
    { size: number; values: (unknown | undefined)[]; sealed?: boolean }
  >();
  return {
    async get(key) {
      return values.get(key);
    },
    async getMany(keys) {
      return keys.map((key) => values.get(key));
    },
    async putIfAbsent(key, value) {
      if (values.has(key)) return { won: false, existing: values.get(key) };
      values.set(key, value);
      return { won: true };
    },
    async fillSlot(key, slot, size, value) {
      const record: SlotRecord = slots.get(key) ?? {
        size,
        values: new Array(size).fill(undefined),
      };
      slots.set(key, record);
      if (record.sealed === true) return { sealed: true };
      const newlyFilled = record.values[slot] === undefined;
      if (newlyFilled) record.values[slot] = value;
      return {
        filled: record.values.filter((v) => v !== undefined).length,
        size: record.size,
        newlyFilled,
      };
    },
    async readSlots(key) {
      const record = slots.get(key);
      return record === undefined || record.sealed === true ? [] : record.values;
    },
    async seal(prefix, tombstone) {
      for (const key of values.keys()) if (key.startsWith(prefix)) values.set(key, tombstone);
      for (const [key, record] of slots) {
        if (key.startsWith(prefix)) slots.set(key, { ...record, values: [], sealed: true });
      }
    },
    async delete(keys) {
      for (const key of keys) {
        values.delete(key);
        slots.delete(key);
      }
    },
  };
}

function memoryBlobs(): BlobStore {
  const blobs = new Map<string, Uint8Array>();
  return {
    async put(bytes) {
      const key = createHash('sha256').update(bytes).digest('hex');
      blobs.set(key, bytes);
      return key;
    },
    async get(key) {
      const bytes = blobs.get(key);
      if (bytes === undefined) throw new Error(`no blob ${key}`);
      return bytes;
    },
  };
}

export function memoryCloud(profile: CloudProfile): MemoryCloud {
  const store = memoryStore();
  const blobs = memoryBlobs();
  const states = new Map<string, FunctionState>();
  const cloud: MemoryCloud = {
    id: profile.id,
    provider: 'local',
    region: 'local',
    profile,
    deployed: [],
    invocations: [],
    faults: [],
    failDeploy: new Set(),
    async deploy(spec) {
      cloud.deployed.push(spec);
      if (cloud.failDeploy.has(spec.fn.name)) {
        // Like a careless cloud, the error echoes the function's env (the API must redact it).
        throw Object.assign(
          new Error(`cannot build ${spec.fn.name} (env ${JSON.stringify(spec.env)})`),
          { code: 'DEPLOY_BUILD_FAILED' },
        );
      }
      states.set(`${spec.deployment}--${spec.fn.name}`, { state: 'ready', codeHash: 'memory' });
    },
    async remove(deployment, fn) {
      states.delete(`${deployment}--${fn}`);
    },
    async describe(deployment, fn) {
      return states.get(`${deployment}--${fn}`) ?? { state: 'absent' };
    },
    async invokeAsync(invocation) {
      cloud.invocations.push(invocation);
    },
    async health() {
      return { ok: true, latencyMs: 0 };
    },
    store: () => store,
    blobs: () => blobs,
    local: {
      async injectFaults(spec) {
        cloud.faults.push(spec);
      },
      async pendingInvocations() {
        return 0;
      },
      async metering() {
        return [];
      },
      async measured() {
        return undefined;
      },
    },
  };
  return cloud;
}

/** The two default profiles as memory clouds. */
export function memoryClouds(): MemoryCloud[] {
  return defaultCloudProfiles.map((profile) => memoryCloud(profile));
}

/** An engine that records starts and redrives and answers results from `results`. */
export interface RecordingEngine extends ExecutionEngine {
  starts: EngineRun[];
  redrives: EngineRun[];
  closes: string[];
  cancels: string[];
  results: Map<string, EngineResult>;
}

export function recordingEngine(): RecordingEngine {
  const engine: RecordingEngine = {
    starts: [],
    redrives: [],
    closes: [],
    cancels: [],
    results: new Map(),
    async start(run) {
      engine.starts.push(run);
    },
    async redrive(run) {
      engine.redrives.push(run);
    },
    async readResult(run) {
      return engine.results.get(run.execution);
    },
    async close(run) {
      engine.closes.push(run.execution);
    },
    async cancel(run) {
      engine.cancels.push(run.execution);
      const known = engine.results.get(run.execution);
      if (known !== undefined) return known.status;
      engine.results.set(run.execution, { status: 'cancelled' });
      return 'cancelled';
    },
  };
  return engine;
}
