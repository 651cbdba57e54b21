import type { CloudProfile, FunctionIR, WorkflowIR } from '@jointflow/ir';

/**
 * A deliberately simple performance and cost model of one execution:
 * - a function's time = its `estimatedMs` hint (else a default per kind) divided by the speed of
 *   its function class on its cloud, plus a fixed per-step overhead (commit + invoke);
 * - an edge between clouds adds the profile's one-way latency and egress for the payload;
 * - map branches run in parallel (in waves when the map is wider than the cloud's concurrency);
 *   loop bodies run `loopIterations` times in sequence; a choice's branches are equally likely
 *   (cost) and the slowest one counts (makespan);
 * - every invocation waits `DISPATCH_MS` in its cloud's queue before a sandbox takes it, and
 *   with `firstRun` (a first run after deploying: every sandbox is cold) it also pays its
 *   cloud's cold start; without it, workers are warm;
 * - no queueing beyond that and concurrency waves;
 * - a time window's trigger and its successors run as executions of their own: their cost counts,
 *   their time does not end this execution.
 * A cloud's `measured` numbers (a running local cloud's median cold start and how many sandboxes
 * this host runs at once) take the place of the modelled platform's `coldStartMs` and
 * `concurrency` when the cloud reports them.
 */
export interface EstimateOptions {
  /** Elements per map when the IR cannot know (default 8). */
  mapWidth?: number;
  /** Rounds per loop (default 3). */
  loopIterations?: number;
  /** The execution input; its JSON size stands in for every payload (default 1 KB). */
  input?: unknown;
  /** Estimate a first run after deploying: every step meets a cold sandbox (default false). */
  firstRun?: boolean;
}

/** Where one function's time goes in the estimate (ms, per instance). */
export interface StepEstimate {
  cloud: string;
  /** The code's time: its hint (or default) divided by the class speed on this cloud. */
  workMs: number;
  /** Waiting in the cloud's queue before a sandbox takes the invocation. */
  queueMs: number;
  /** The sandbox's cold start (first run only). */
  coldStartMs: number;
  /** The runtime's commit and invokes. */
  overheadMs: number;
  /** Rounds of branches when a map is wider than the cloud's concurrency (1 otherwise). */
  waves: number;
  /** When the step's last instance finishes (ms since the start). */
  finishMs: number;
  /** Expected cost of this function per execution (all its instances), USD. */
  costUsd: number;
}

export interface CloudShare {
  costUsd: number;
  /** Expected function runs on this cloud per execution. */
  invocations: number;
  /** Expected billed compute time on this cloud per execution, ms. */
  computeMs: number;
}

export interface Estimate {
  makespanMs: number;
  costUsd: number;
  perCloud: Record<string, CloudShare>;
  /** Functions on the slowest path, in order. */
  criticalPath: string[];
  /** Per function: where its time and money go. */
  steps: Record<string, StepEstimate>;
  /** On the critical path: total cold start and queueing time included in `makespanMs`. */
  coldStartMs: number;
  queueMs: number;
}

/** Per-invocation overhead of the runtime: one conditional write and the invokes. */
export const STEP_OVERHEAD_MS = 5;
/**
 * Time an invocation spends between being accepted and a warm sandbox taking it (queue write,
 * dispatch, hand-off to the worker). Measured on the local clouds: about 10 ms.
 */
export const DISPATCH_MS = 10;
/** Run time assumed for a step's code when the graph gives no `estimatedMs`. */
export const DEFAULT_TASK_MS = 100;

type Scope = { kind: 'map' | 'loop'; name: string }[];

/**
 * Estimated makespan (ms) and cost per execution (USD, split by cloud) of an IR. `placement`
 * overrides functions' clouds (the planner tries placements without recompiling).
 *
 * @example
 * const { makespanMs, costUsd, perCloud } = estimate(ir, defaultCloudProfiles);
 */
export function estimate(
  ir: WorkflowIR,
  clouds: readonly CloudProfile[],
  options: EstimateOptions = {},
  placement: Readonly<Record<string, string>> = {},
): Estimate {
  const mapWidth = Math.max(1, options.mapWidth ?? 8);
  const loopIterations = Math.max(1, options.loopIterations ?? 3);
  const payloadBytes = options.input === undefined ? 1024 : byteLength(options.input);
  const profiles = new Map(clouds.map((c) => [c.id, c]));
  const cloudOf = (fn: FunctionIR): string => placement[fn.name] ?? fn.cloud;
  /** Branches per element of a scope: a map's `mapWidth`, a fan-out trigger's runs. */
  const entryWidth = (name: string): number => {
    const owner = ir.functions[name];
    return owner?.kind === 'trigger' ? triggerRuns(owner, mapWidth) : mapWidth;
  };

  const order = topologicalOrder(ir);
  const back = backEdges(ir);
  const scopes = new Map<string, Scope>([[ir.start, []]]);
  const probability = new Map<string, number>([[ir.start, 1]]);
  const finish = new Map<string, number>();
  const via = new Map<string, string>();
  const arrival = new Map<string, number>();
  const perCloud: Record<string, CloudShare> = {};
  const steps: Record<string, StepEstimate> = {};
  const firstRun = options.firstRun ?? false;
  // A time window's trigger and what follows it run as executions of their own (one per window,
  // started by the window's timer): they cost money per execution but end no execution here.
  const otherExecution = new Set<string>();
  for (const c of clouds) perCloud[c.id] = { costUsd: 0, invocations: 0, computeMs: 0 };

  for (const name of order) {
    const fn = ir.functions[name];
    if (fn === undefined) continue;
    const scope = scopes.get(name) ?? [];
    const cloud = cloudOf(fn);
    const profile = profiles.get(cloud);
    const speed = profile?.behaviour.classSpeed[fn.functionClass] ?? 1;
    const loopFactor = scope.filter((s) => s.kind === 'loop').length;
    const repeat = loopIterations ** loopFactor;
    // A fan-out trigger (immediate, batch, group) runs once per run it fires, like a map's
    // branches; its own scope is the collection scope, so its runs multiply here.
    const width = scope.reduce(
      (w, s) => (s.kind === 'map' ? w * entryWidth(s.name) : w),
      triggerRuns(fn, mapWidth),
    );
    // A map with maxConcurrency keeps at most that many of its branches in flight.
    const inFlight = scope.reduce(
      (w, s) => {
        if (s.kind !== 'map') return w;
        const owner = ir.functions[s.name];
        const bound = owner?.kind === 'map' ? owner.maxConcurrency : undefined;
        return w * Math.min(entryWidth(s.name), bound ?? Number.POSITIVE_INFINITY);
      },
      triggerRuns(fn, mapWidth),
    );
    const waves = Math.ceil(
      width / Math.max(1, Math.min(concurrencyOf(profile) ?? width, inFlight)),
    );
    const workMs = (fn.estimatedMs ?? defaultMs(fn)) / speed;
    const stepMs = workMs + STEP_OVERHEAD_MS;
    // A cold start is paid once per sandbox: by the first wave of a map and the first round of
    // a loop; later rounds find the sandbox warm.
    const coldStartMs = firstRun ? coldStartOf(profile) : 0;
    const done = (arrival.get(name) ?? 0) + coldStartMs + (stepMs + DISPATCH_MS) * repeat * waves;
    finish.set(name, done);

    const runs = (probability.get(name) ?? 0) * repeat * width;
    const share = perCloud[cloud] ?? { costUsd: 0, invocations: 0, computeMs: 0 };
    perCloud[cloud] = share;
    const costBefore = share.costUsd;
    if (profile !== undefined) {
      const granularity = profile.prices.billingGranularityMs;
      const billedMs = Math.ceil(stepMs / granularity) * granularity;
      share.invocations += runs;
      share.computeMs += runs * billedMs;
      share.costUsd +=
        runs *
        (profile.prices.perRequest +
          (billedMs / 1000) * (fn.memoryMb / 1024) * profile.prices.perGbSecond +
          profile.prices.storeWrite);
    }

    // A choice takes one of its branches (equally likely); everything else takes them all.
    const branches = fn.kind === 'choice' ? Math.max(1, fn.continuations.length) : 1;
    for (const c of fn.continuations) {
      if (back.has(`${name}>${c.target}`)) continue;
      const target = ir.functions[c.target];
      if (target === undefined) continue;
      const targetCloud = cloudOf(target);
      const latency = targetCloud === cloud ? 0 : (profile?.latencyMs[targetCloud] ?? 0);
      const edgeRuns = runs / branches;
      if (targetCloud !== cloud && profile !== undefined) {
        const egress = edgeRuns * (payloadBytes / 1e9) * profile.prices.egressPerGb;
        share.costUsd += egress;
      }
      // Each arrival at a join or a trigger fills a slot of its record (a k-of-n win is a
      // claim, then a slot): one more store write per arrival.
      if ((c.mode === 'join' || c.mode === 'trigger') && profile !== undefined)
        share.costUsd += edgeRuns * profile.prices.storeWrite;
      // A bounded map's branch reads the map's record to start element k + n: W - n reads.
      if (c.mapSuccessor !== undefined && profile !== undefined) {
        const mapWide = entryWidth(c.mapSuccessor.map);
        const starters = Math.max(0, mapWide - c.mapSuccessor.maxConcurrency) / mapWide;
        share.costUsd += edgeRuns * starters * profile.prices.storeRead;
      }

      const at = done + latency * repeat;
      if (at >= (arrival.get(c.target) ?? -1)) {
        arrival.set(c.target, at);
        via.set(c.target, name);
      }
      if (!scopes.has(c.target)) scopes.set(c.target, nextScope(scope, c.scope, fn));
      if (
        otherExecution.has(name) ||
        (target.kind === 'trigger' && target.trigger.type === 'window')
      )
        otherExecution.add(c.target);
      if (target.kind === 'join') {
        probability.set(c.target, probability.get(target.fanOut) ?? 0);
      } else {
        const p = (probability.get(name) ?? 0) / branches;
        probability.set(c.target, (probability.get(c.target) ?? 0) + p);
      }
    }
    steps[name] = {
      cloud,
      workMs,
      queueMs: DISPATCH_MS,
      coldStartMs,
      overheadMs: STEP_OVERHEAD_MS,
      waves,
      finishMs: done,
      costUsd: share.costUsd - costBefore,
    };
  }

  let makespanMs = 0;
  let last = ir.start;
  for (const [name, t] of finish) {
    if (ir.functions[name]?.terminal && !otherExecution.has(name) && t >= makespanMs) {
      makespanMs = t;
      last = name;
    }
  }
  const criticalPath = [last];
  for (
    let at = via.get(last);
    at !== undefined && criticalPath.length <= order.length;
    at = via.get(at)
  ) {
    criticalPath.unshift(at);
  }
  const costUsd = Object.values(perCloud).reduce((sum, s) => sum + s.costUsd, 0);
  let pathColdMs = 0;
  let pathQueueMs = 0;
  for (const name of criticalPath) {
    const step = steps[name];
    if (step === undefined) continue;
    pathColdMs += step.coldStartMs;
    pathQueueMs += step.queueMs * step.waves;
  }
  return {
    makespanMs,
    costUsd,
    perCloud,
    criticalPath,
    steps,
    coldStartMs: pathColdMs,
    queueMs: pathQueueMs,
  };
}

/** Sandboxes of one function at once: the platform's limit, or fewer on a host that cannot. */
function concurrencyOf(profile: CloudProfile | undefined): number | undefined {
  if (profile === undefined) return undefined;
  const host = profile.measured?.sandboxes;
  return host === undefined
    ? profile.limits.concurrency
    : Math.min(host, profile.limits.concurrency);
}

/** A cold start: the running cloud's median when it measured one, else the profile's. */
function coldStartOf(profile: CloudProfile | undefined): number {
  return profile?.measured?.coldStartMs ?? profile?.behaviour.coldStartMs ?? 0;
}

function defaultMs(fn: FunctionIR): number {
  if (fn.kind === 'task') return DEFAULT_TASK_MS;
  if ((fn.kind === 'join' || fn.kind === 'trigger') && fn.code !== '') return DEFAULT_TASK_MS / 2;
  return 0;
}

/**
 * How many runs one firing point of a trigger makes: 1 for by-name, set and k-of-n; for the
 * fan-out kinds as many as the objects allow — `mapWidth` for immediate and group (one per
 * object or group: the IR cannot know how many), ceil(producers / size) for a batch, whose
 * producers are the branches of the map it collects (`mapWidth`) or its one producer.
 */
function triggerRuns(fn: FunctionIR, mapWidth: number): number {
  if (fn.kind !== 'trigger' || !fn.fansOut) return 1;
  if (fn.trigger.type === 'batch') {
    const producers = fn.fanOut === undefined ? 1 : mapWidth;
    return Math.max(1, Math.ceil(producers / Math.max(1, fn.trigger.size)));
  }
  return mapWidth;
}

function nextScope(
  scope: Scope,
  op: FunctionIR['continuations'][number]['scope'],
  fn: FunctionIR,
): Scope {
  switch (op.op) {
    case 'keep':
    case 'bump-loop':
      // A fan-out trigger's runs carry `map:<trigger>=<i>` (the runtime pushes it when it
      // fires), so what follows it is in that scope until the join with `fanOut: <trigger>`.
      if (fn.kind === 'trigger' && fn.fansOut) return [...scope, { kind: 'map', name: fn.name }];
      return scope;
    case 'push-map':
      return [...scope, { kind: 'map', name: fn.name }];
    case 'push-loop':
      return [...scope, { kind: 'loop', name: op.loop }];
    case 'pop':
      return scope.slice(0, Math.max(0, scope.length - op.count));
  }
}

/** Edges (`source>target`) that close cycles: retreating edges of a depth-first walk. */
function backEdges(ir: WorkflowIR): Set<string> {
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string): void => {
    state.set(name, 'open');
    for (const c of ir.functions[name]?.continuations ?? []) {
      const s = state.get(c.target);
      if (s === 'open') back.add(`${name}>${c.target}`);
      else if (s === undefined) visit(c.target);
    }
    state.set(name, 'done');
  };
  visit(ir.start);
  return back;
}

function topologicalOrder(ir: WorkflowIR): string[] {
  const back = backEdges(ir);
  const indegree = new Map<string, number>();
  for (const [name, fn] of Object.entries(ir.functions)) {
    indegree.set(name, indegree.get(name) ?? 0);
    for (const c of fn.continuations) {
      if (!back.has(`${name}>${c.target}`))
        indegree.set(c.target, (indegree.get(c.target) ?? 0) + 1);
    }
  }
  const ready = [ir.start];
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift();
    if (name === undefined) break;
    order.push(name);
    for (const c of ir.functions[name]?.continuations ?? []) {
      if (back.has(`${name}>${c.target}`)) continue;
      const left = (indegree.get(c.target) ?? 0) - 1;
      indegree.set(c.target, left);
      if (left === 0) ready.push(c.target);
    }
  }
  return order;
}

function byteLength(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value) ?? '').length;
}
