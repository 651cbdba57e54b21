import { expect, screenshot, test } from '../fixtures';
import { deployWorkflow, parseCounts, startOutsideService, startRun } from './runSupport';

const WIDTH = 110;

// A map over 110 items whose branches wait at an outside gate: more branches than a cloud runs
// at once, so most are committed but not started. The step must say so — never "succeeded"
// while any branch is pending — and its counts must add up to the width the map committed.
test('map counts are truthful while branches are pending', async ({ page, openApp, apiCall }) => {
  const gate = await startOutsideService();
  try {
    const items = `export async function handler(input: { width: number }) {
  return { items: Array.from({ length: input.width }, (_, i) => i) };
}
`;
    const work = `export async function handler(input: number) {
  const response = await fetch('${gate.url}/gate/' + input);
  return { item: input, gate: await response.text() };
}
`;
    const sum = `export async function handler(input: { item: number }[]) {
  return { branches: input.length };
}
`;
    const { workflowId, deploymentId } = await deployWorkflow(apiCall, {
      name: 'gated-map',
      nodes: [
        { kind: 'task', name: 'items', cloud: 'aws-local', code: items },
        { kind: 'map', name: 'fan', cloud: 'aws-local', items: 'items' },
        { kind: 'task', name: 'work', cloud: 'aws-local', timeoutMs: 120_000, code: work },
        { kind: 'join', name: 'total', cloud: 'aws-local', fanOut: 'fan', code: sum },
      ],
      edges: [
        { id: 'e1', source: 'items', target: 'fan' },
        { id: 'e2', source: 'fan', target: 'work' },
        { id: 'e3', source: 'work', target: 'total' },
      ],
    });
    const id = await startRun(apiCall, deploymentId, { width: WIDTH });
    await openApp(`/workflows/${workflowId}/runs/${id}`);

    const label = page.getByTestId('status-work');
    // Every gate is closed: no branch has finished. A branch reports its start with its first
    // trace batch (the local cloud sends a step's events when its invocation ends), so the
    // branches held at the gate and those still queued all count as pending here.
    await expect(label).toContainText(`of ${WIDTH}`, { timeout: 60_000 });
    await expect(label).toContainText('pending');
    let counts = parseCounts((await label.textContent()) ?? '');
    expect(counts.total).toBe(WIDTH);
    expect(counts.succeeded).toBe(0);
    expect(counts.pending).toBeGreaterThan(0);
    expect(counts.running + counts.pending).toBe(WIDTH);
    await expect(page.getByTestId('node-work')).toHaveAttribute('data-status', /pending|running/);
    await expect(page.getByTestId('node-fan')).toHaveAttribute('data-status', 'succeeded');
    await screenshot(page, 'run-map-pending');

    // Open a few gates: some branches succeed while others are still pending.
    gate.openGatesBelow(8);
    await expect(label).toContainText(/\d+ succeeded/, { timeout: 30_000 });
    counts = parseCounts((await label.textContent()) ?? '');
    expect(counts.succeeded + counts.running + counts.pending + counts.failed).toBe(WIDTH);
    expect(counts.pending + counts.running).toBeGreaterThan(0);
    await expect(page.getByTestId('node-work')).not.toHaveAttribute('data-status', 'succeeded');
    await expect(page.getByTestId('node-total')).toHaveAttribute('data-status', 'pending');

    gate.openGatesBelow(WIDTH);
    await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 90_000 });
    await expect(label).toHaveText(`succeeded · all ${WIDTH}`);
    await expect(page.getByTestId('execution-result')).toContainText(`"branches": ${WIDTH}`);
  } finally {
    gate.close();
  }
});
