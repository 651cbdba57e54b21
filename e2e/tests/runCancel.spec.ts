import { expect, screenshot, test } from '../fixtures';
import { deployWorkflow, startRun } from './runSupport';

// A slow chain is cancelled from the run view while its first steps run: the run ends
// "cancelled", the step that was running may commit, and no later step ever starts.
test('a running run cancelled from the run view ends cancelled and starts no later step', async ({
  page,
  openApp,
  apiCall,
}) => {
  const slow = `export async function handler(input: { n: number }) {
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return { n: input.n + 1 };
}
`;
  const steps = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'];
  const { workflowId, deploymentId } = await deployWorkflow(apiCall, {
    name: 'slow-chain',
    nodes: steps.map((name, i) => ({
      kind: 'task',
      name,
      cloud: i % 2 === 0 ? 'aws-local' : 'aliyun-local',
      code: slow,
    })),
    edges: steps.slice(1).map((name, i) => ({ id: `e${i}`, source: steps[i], target: name })),
    sampleInput: { n: 0 },
  });
  const id = await startRun(apiCall, deploymentId, { n: 0 });
  await openApp(`/workflows/${workflowId}/runs/${id}`);

  await expect(page.getByTestId('node-s1')).toHaveAttribute('data-status', /running|succeeded/, {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByTestId('execution-status')).toHaveText('cancelled', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toHaveCount(0);
  await expect(page.getByTestId('execution-cancelled')).toContainText('Cancelled');
  await expect(page.getByRole('button', { name: 'Redrive', exact: true })).toHaveCount(0);
  // The step running at the cancel may commit, and at most invoke the next once; with 3 s steps
  // the cancel lands long before s5 could start, and nothing after it ever does.
  for (const later of ['s5', 's6', 's7']) {
    await expect(page.getByTestId(`node-${later}`)).toHaveAttribute('data-status', 'pending');
  }
  await screenshot(page, 'run-cancelled');
});
