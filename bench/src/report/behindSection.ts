import { readSuiteResult } from '../resultFiles';
import type { FaultsData } from '../suites/faults';
import type { ScalingData } from '../suites/scaling';
import type { TransitionData } from '../suites/transition';
import type { WorkflowsData } from '../suites/workflows';
import { ms } from './resultsMarkdown';

const x = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || !(b > 0) ? '–' : `${(a / b).toFixed(2)}x`;

/**
 * The closing section: where Jointflow is behind in this run and the mechanisms behind it, every
 * number read from the result files so the prose cannot go stale.
 */
export function behindSection(lines: string[]): void {
  const transition = readSuiteResult<TransitionData>('transition')?.data;
  const workflows = readSuiteResult<WorkflowsData>('workflows')?.data;
  const scaling = readSuiteResult<ScalingData>('scaling')?.data;
  const faults = readSuiteResult<FaultsData>('faults')?.data;
  lines.push('## Where Jointflow is behind, and why', '');
  const points: string[] = [];

  // Only rows on the local clouds' invoke path: the plain-process references are context.
  const same =
    transition?.rows.filter((row) => row.placement === 'same-cloud' && !row.reference) ?? [];
  const ours = same.find((row) => row.family === 'jointflow' && row.fsync)?.perTransition?.p50;
  const central = same.find((row) => row.family === 'centralized' && row.fsync)?.perTransition?.p50;
  const restate = same.find((row) => row.family === 'restate' && row.fsync)?.perTransition?.p50;
  const floor = same.find((row) => row.family === 'floor' && row.fsync)?.perTransition?.p50;
  const chain = scaling?.rows
    .filter((row) => row.family === 'jointflow' && row.shape === 'chain' && row.storeOpsPerUnit)
    .sort((a, b) => b.size - a.size)[0];
  if (transition && ours !== undefined) {
    const slower = [
      central !== undefined && ours > central
        ? `the centralized baseline (${x(ours, central)})`
        : '',
      restate !== undefined && ours > restate ? `Restate (${x(ours, restate)})` : '',
    ].filter(Boolean);
    const ops = chain?.storeOpsPerUnit;
    points.push(
      `- **Per step, same cloud, fsync on**: Jointflow p50 ${ms(ours)} ms is ${x(ours, transition.reference.hopPlusPutFsync.p50)} the floor of one hop + one fsync'd put-if-absent (${ms(transition.reference.hopPlusPutFsync.p50)} ms; target ≤ 2x)${slower.length > 0 ? ` and slower than ${slower.join(' and ')}` : ''}. Why: ${ops ? `each step makes ${ops.total.toFixed(1)} store round trips in a ${chain?.size}-step chain (${ops.reads.toFixed(1)} reads, ${ops.conditionalWrites.toFixed(1)} conditional writes, ${(ops.slotFills + ops.writes).toFixed(1)} other writes) where the reference has one conditional write${ops.total <= 1.5 ? ' — the store work is at the reference' : "; each is a loopback HTTP request to the cloud process, and each write an fsync'd SQLite commit"}; ` : ''}the invoke path itself (Event: accepted, spooled, dispatched to the function's own worker process) costs the floor on the same path ${ms(floor)} ms at p50, so Jointflow's step is ${x(ours, floor)} the floor's (target ≤ 2x): the difference is the runtime's store round trips and bookkeeping.`,
    );
  }
  if (workflows) {
    for (const workflow of workflows.workflows) {
      const rows = workflows.rows.filter(
        (row) =>
          row.workflow === workflow &&
          row.fsync &&
          !row.reference &&
          row.placement !== 'single cloud',
      );
      const mine = rows.find((row) => row.family === 'jointflow')?.makespan?.p50;
      const ahead = rows.filter(
        (row) =>
          row.family !== 'jointflow' &&
          row.makespan &&
          mine !== undefined &&
          row.makespan.p50 < mine,
      );
      if (ahead.length > 0) {
        points.push(
          `- **${workflow}** makespan: ${ahead.map((row) => `${row.label} ${ms(row.makespan?.p50)} ms`).join(', ')} against Jointflow's ${ms(mine)} ms (${ahead.map((row) => x(mine, row.makespan?.p50)).join(', ')}).`,
        );
      }
    }
    const behindCount = workflows.workflows.filter((workflow) => {
      const rows = workflows.rows.filter(
        (row) =>
          row.workflow === workflow &&
          row.fsync &&
          !row.reference &&
          row.placement !== 'single cloud',
      );
      const mine = rows.find((row) => row.family === 'jointflow')?.makespan?.p50;
      return rows.some(
        (row) =>
          row.family !== 'jointflow' &&
          row.makespan &&
          mine !== undefined &&
          row.makespan.p50 < mine,
      );
    }).length;
    if (behindCount > 0) {
      points.push(
        `- Why the workflows trail where they do: every step pays the per-step cost above; across clouds every hop also pays the profiles' latency once per invoke and once per remote store call, while the baselines cross clouds only for the step call itself; and each step's runtime pays its store round trips before it invokes the next, where the centralized coordinator's only store work is its history commit (${behindCount} of ${workflows.workflows.length} workflows behind at least one peer in this run).`,
      );
    }
    const restateCheaper = workflows.workflows.filter((workflow) => {
      const rows = workflows.rows.filter(
        (row) =>
          row.workflow === workflow &&
          row.fsync &&
          !row.reference &&
          row.placement !== 'single cloud',
      );
      const mine = rows.find((row) => row.family === 'jointflow')?.costPerMillionUsd;
      const theirs = rows.find((row) => row.family === 'restate')?.costPerMillionUsd;
      return mine !== undefined && theirs !== undefined && theirs < mine;
    });
    if (restateCheaper.length > 0) {
      points.push(
        `- **Cost against Restate**: Restate's modelled cost is lower on ${restateCheaper.join(', ')}. Its model bills only the step handlers' own time and one journal write per transition and leaves the Restate server unpriced; Jointflow's meter bills each worker's whole invocation, runtime and checkpoint waits included, plus every store round trip. Against the centralized baseline, Step Functions' per-transition price dominates.`,
      );
    }
  }
  if (scaling) {
    const widest = Math.max(...scaling.rows.filter((r) => r.shape === 'map').map((r) => r.size));
    const at = (family: string) =>
      scaling.rows.find(
        (r) => r.family === family && !r.reference && r.shape === 'map' && r.size === widest,
      );
    const mine = at('jointflow');
    const peers = ['centralized', 'restate']
      .map(at)
      .filter(
        (row) =>
          row?.makespanMs !== undefined &&
          mine?.makespanMs !== undefined &&
          row.makespanMs < mine.makespanMs,
      );
    if (mine && peers.length > 0) {
      points.push(
        `- **Map width ${widest}**: ${peers.map((row) => `${row?.label} ${ms(row?.makespanMs)} ms`).join(', ')} against Jointflow's ${ms(mine.makespanMs)} ms, peak RSS ${((mine.peakRssBytes ?? 0) / 1024 / 1024).toFixed(0)} MB against ${peers.map((row) => `${((row?.peakRssBytes ?? 0) / 1024 / 1024).toFixed(0)} MB`).join(', ')}: ${widest} branch workers (one process each, as on a FaaS platform) share 2 cores, while the baselines run every branch in one process.`,
      );
    }
  }
  if (faults) {
    const slow = faults.rows.filter((row) => row.setting !== 'none' && (row.addedP50Ms ?? 0) > 0);
    if (slow.length > 0) {
      points.push(
        `- **Under faults** every setting's added p50: ${slow.map((row) => `${row.setting} +${ms(row.addedP50Ms)} ms`).join(', ')}. A crashed invocation is retried by the platform after the profile's retry delay; a dropped one waits for the watchdog (${faults.stallMs} ms without progress, doubling while redrives do not help); an outage waits for failover.`,
      );
    }
  }
  if (points.length === 0) points.push('- Nowhere in this run.');
  lines.push(...points, '');
}
