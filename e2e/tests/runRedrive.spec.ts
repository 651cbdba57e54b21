import { expect, screenshot, test } from '../fixtures';
import { deployWorkflow, startOutsideService, startRun } from './runSupport';

// A step that depends on an outside service: it fails while the service is down. The run fails;
// the service comes back; Redrive in the run view reruns the failed step, and the run succeeds.
test('a failed run redriven from the run view succeeds once its cause is fixed', async ({
  page,
  openApp,
  apiCall,
}) => {
  const service = await startOutsideService();
  try {
    const probe = `export async function handler(input: { n: number }) {
  const response = await fetch('${service.url}/health');
  if (!response.ok) throw new Error(\`inventory service answered \${response.status}; try again when it is up\`);
  return { n: input.n + 1, service: await response.text() };
}
`;
    const double = `export async function handler(input: { n: number; service: string }) {
  return { n: input.n * 2, service: input.service };
}
`;
    const { workflowId, deploymentId } = await deployWorkflow(apiCall, {
      name: 'depends-on-service',
      nodes: [
        { kind: 'task', name: 'probe', cloud: 'aws-local', retries: 0, code: probe },
        { kind: 'task', name: 'double', cloud: 'aliyun-local', code: double },
      ],
      edges: [{ id: 'e1', source: 'probe', target: 'double' }],
      sampleInput: { n: 1 },
    });
    const id = await startRun(apiCall, deploymentId, { n: 1 });
    await openApp(`/workflows/${workflowId}/runs/${id}`);

    await expect(page.getByTestId('execution-status')).toHaveText('failed', { timeout: 60_000 });
    await expect(page.getByTestId('run-attempt')).toHaveText('attempt 1');
    await expect(page.getByTestId('node-probe')).toHaveAttribute('data-status', 'failed');
    await expect(page.getByTestId('node-double')).toHaveAttribute('data-status', 'pending');
    await expect(page.getByTestId('execution-error')).toContainText(
      'inventory service answered 503',
    );
    // The failed step's own error, from its instance.
    await page.getByTestId('node-probe').click();
    await expect(page.getByRole('region', { name: 'Instance', exact: true })).toContainText(
      'inventory service answered 503',
    );
    await screenshot(page, 'run-failed');

    // The cause is fixed outside Jointflow; the person redrives from the run view.
    service.setDown(false);
    await page.getByRole('button', { name: 'Redrive', exact: true }).click();
    await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });
    await expect(page.getByTestId('run-attempt')).toHaveText('attempt 2 (redriven 1×)');
    await expect(page.getByTestId('node-probe')).toHaveAttribute('data-status', 'succeeded');
    await expect(page.getByTestId('node-double')).toHaveAttribute('data-status', 'succeeded');
    await expect(page.getByTestId('execution-result')).toContainText('"n": 4');
    await expect(page.getByRole('button', { name: 'Redrive', exact: true })).toHaveCount(0);
    await screenshot(page, 'run-redriven');
  } finally {
    service.close();
  }
});
