import { readFileSync } from 'node:fs';
import { axeViolations, expect, screenshot, test } from '../fixtures';
import { deployWorkflow, startRun } from './runSupport';

const code = (body: string) => `export async function handler(input) {\n  ${body}\n}\n`;

/**
 * Four replicas of a classifier race into a k-of-n trigger that takes the first 3; replica 3 is
 * slow, so it arrives after the decision and is dropped. The report step waits longer than the
 * slow replica, so the drop is in the trace before the run ends.
 */
const replicaRace = {
  name: 'trigger-run',
  nodes: [
    { kind: 'task', name: 'resize', code: code('return [0, 1, 2, 3];') },
    { kind: 'map', name: 'replicas' },
    {
      kind: 'task',
      name: 'classify',
      code: code(
        'if (input === 3) await new Promise((r) => setTimeout(r, 3000));\n  return { replica: input, score: 0.5 + input / 10 };',
      ),
    },
    {
      kind: 'trigger',
      name: 'firstThree',
      trigger: { type: 'k-of-n', k: 3, n: 4 },
      fanOut: 'replicas',
      code: code(
        'return { winners: input.map((w) => w.value.replica).sort(), count: input.length };',
      ),
    },
    {
      kind: 'task',
      name: 'report',
      code: code('await new Promise((r) => setTimeout(r, 4500));\n  return input;'),
    },
  ],
  edges: [
    { id: 'e1', source: 'resize', target: 'replicas' },
    { id: 'e2', source: 'replicas', target: 'classify' },
    { id: 'e3', source: 'classify', target: 'firstThree' },
    { id: 'e4', source: 'firstThree', target: 'report' },
  ],
  sampleInput: {},
};

test('a k-of-n trigger deployed and run from the designer: 3 of 4 won, 1 dropped, live on the graph, in the events and the timeline', async ({
  page,
  openApp,
  apiCall,
}) => {
  // Deploys and runs on a busy 2-core machine.
  test.slow();
  const created = (await apiCall('POST', '/workflows', {
    name: replicaRace.name,
    graph: replicaRace,
  })) as { id: string };
  await openApp(`/workflows/${created.id}`);
  await expect(page.getByTestId('trigger-summary-firstThree')).toHaveText('3 of 4');

  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  await expect(deploy).toBeEnabled({ timeout: 60_000 });
  await deploy.click();
  const dialog = page.getByRole('dialog', { name: 'Deploy' });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready|failed/, {
    timeout: 60_000,
  });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready/);
  await dialog.getByRole('textbox', { name: 'Input' }).fill('{}');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();

  // Live on the graph: the decision, then the straggler dropped.
  const state = page.getByTestId('trigger-state-firstThree');
  await expect(state).toContainText('3 of 4 won', { timeout: 60_000 });
  await expect(state).toHaveText('3 of 4 won, 1 dropped', { timeout: 60_000 });
  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('node-firstThree')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('execution-result')).toContainText('"count": 3');
  await expect(page.getByTestId('execution-result')).toContainText('"winners"');

  // The timeline has a lane of the trigger's decisions: ⚡ where it fired, ✕ where it dropped.
  const lanes = page.getByRole('list', { name: 'Trigger decisions' });
  await expect(lanes).toContainText('firstThree');
  await expect(lanes.getByRole('img', { name: /fired with 3 objects/ })).toHaveCount(1);
  await expect(
    lanes.getByRole('img', { name: /dropped .*: late, the winners were already decided/ }),
  ).toHaveCount(1);
  // Selecting the trigger step lists its decision: the winners, and what was dropped and why.
  await page.getByTestId('node-firstThree').click();
  const details = page.getByRole('region', { name: 'Trigger firstThree' });
  await expect(details.getByTestId('trigger-details-label')).toHaveText('3 of 4 won, 1 dropped');
  await expect(details).toContainText(/fired at \+[\d.]+ m?s with 3/);
  await expect(details).toContainText('1 dropped: 1 late');
  await screenshot(page, 'trigger-run');
  expect(await axeViolations(page), 'run view with a trigger lane and its details').toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await axeViolations(page), 'the same in dark mode').toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });

  // The event table says what each decision was.
  await page.getByRole('tab', { name: 'Events' }).click();
  const events = page.getByRole('region', { name: 'Events' });
  await events.getByLabel('Node').selectOption('firstThree');
  await expect(events).toContainText('trigger.fired');
  await expect(events).toContainText(/fired with 3 objects: classify\/map:replicas=\d/);
  await expect(events).toContainText('trigger.dropped');
  await expect(events).toContainText('late, the winners were already decided');
  await expect(events).toContainText('trigger.received');
  await screenshot(page, 'trigger-run-events');
});

/**
 * Ten producers, finishing one after another, feed a batch trigger of 4: batches 0 and 1 fill
 * and fire while the run goes on, the last one (2 objects) fires when every producer is done.
 */
const batchSum = {
  name: 'trigger-batch',
  nodes: [
    { kind: 'task', name: 'source', code: code('return Array.from({ length: 10 }, (_, i) => i);') },
    { kind: 'map', name: 'items' },
    {
      kind: 'task',
      name: 'produce',
      code: code('await new Promise((r) => setTimeout(r, 700 * input));\n  return input;'),
    },
    {
      kind: 'trigger',
      name: 'batch',
      trigger: { type: 'batch', size: 4 },
      fanOut: 'items',
      code: code('return input.reduce((s, o) => s + o.value, 0);'),
    },
    { kind: 'task', name: 'double', code: code('return input * 2;') },
    {
      kind: 'join',
      name: 'total',
      fanOut: 'batch',
      code: code('return input.reduce((s, x) => s + x, 0);'),
    },
  ],
  edges: [
    { id: 'e1', source: 'source', target: 'items' },
    { id: 'e2', source: 'items', target: 'produce' },
    { id: 'e3', source: 'produce', target: 'batch' },
    { id: 'e4', source: 'batch', target: 'double' },
    { id: 'e5', source: 'double', target: 'total' },
  ],
  sampleInput: {},
};

test('a batch trigger fills live: n/4 buffered while producers finish, then 3 batches fired', async ({
  page,
  openApp,
  apiCall,
}) => {
  test.slow();
  const { workflowId, deploymentId } = await deployWorkflow(apiCall, batchSum);
  const execution = await startRun(apiCall, deploymentId, {});
  await openApp(`/workflows/${workflowId}/runs/${execution}`);
  const state = page.getByTestId('trigger-state-batch');
  // While the producers finish one by one, the open batch's fill shows (batches 0 and 1 fill
  // over about 2.8 s each).
  await expect(state).toHaveText(/^(\d batch(es)? fired · )?[1-4]\/4 buffered$/, {
    timeout: 60_000,
  });
  await screenshot(page, 'trigger-batch-live');
  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(state).toHaveText('3 batches fired');
  // 0..9 summed per batch, doubled, summed: 90.
  await expect(page.getByTestId('execution-result')).toHaveText('90');
  const lanes = page.getByRole('list', { name: 'Trigger decisions' });
  await expect(lanes.getByRole('img', { name: /fired with 4 objects/ })).toHaveCount(2);
  await expect(lanes.getByRole('img', { name: /fired with 2 objects/ })).toHaveCount(1);
  await page.getByRole('tab', { name: 'Events' }).click();
  const events = page.getByRole('region', { name: 'Events' });
  await events.getByLabel('Node').selectOption('batch');
  await expect(events).toContainText(/received the output of produce\/map:items=\d · \d\/4 filled/);
});

test('the ml-pipeline example opens, deploys and runs from the designer, its 3-of-4 vote live on the graph', async ({
  page,
  openApp,
}) => {
  test.slow();
  await openApp();
  await page.getByRole('link', { name: 'ml-pipeline', exact: true }).first().click();
  await expect(page.getByTestId('trigger-summary-vote')).toHaveText('3 of 4');
  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  await expect(deploy).toBeEnabled({ timeout: 60_000 });
  await deploy.click();
  const dialog = page.getByRole('dialog', { name: 'Deploy' });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready|failed/, {
    timeout: 60_000,
  });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready/);
  // The input is the example's sample input (a ring; replica 3 is made slow).
  await expect(dialog.getByRole('textbox', { name: 'Input' })).toContainText('slowMs');
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();

  // The vote fires with the first 3 answers; the slow replica's answer is not among them.
  const state = page.getByTestId('trigger-state-vote');
  await expect(state).toHaveText(/^3 of 4 won/, { timeout: 90_000 });
  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 90_000 });
  await expect(page.getByTestId('node-vote')).toHaveAttribute('data-status', 'succeeded');
  const result = page.getByTestId('execution-result');
  await expect(result).toContainText('"label": "ring"');
  await expect(result).toContainText('"answers": 3');
  const winners = JSON.parse((await result.textContent()) ?? '{}').winners as string[];
  expect(winners).toHaveLength(3);
  expect(winners).not.toContain('classify/map:replicas=3');
  await expect(
    page
      .getByRole('list', { name: 'Trigger decisions' })
      .getByRole('img', { name: /fired with 3 objects/ }),
  ).toHaveCount(1);
  await screenshot(page, 'trigger-ml-pipeline');
  await page.getByRole('tab', { name: 'Events' }).click();
  const events = page.getByRole('region', { name: 'Events' });
  await events.getByLabel('Node').selectOption('vote');
  await expect(events).toContainText(/fired with 3 objects: classify\/map:replicas=\d/);
});

test('the mapreduce-sort example runs from the designer: the group trigger fires one reducer per range and the output is sorted', async ({
  page,
  openApp,
}) => {
  test.slow();
  await openApp();
  await page.getByRole('link', { name: 'mapreduce-sort', exact: true }).first().click();
  await expect(page.getByTestId('trigger-summary-shuffle')).toHaveText('groups by group:');
  const deploy = page.getByRole('button', { name: 'Deploy', exact: true });
  await expect(deploy).toBeEnabled({ timeout: 60_000 });
  await deploy.click();
  const dialog = page.getByRole('dialog', { name: 'Deploy' });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready|failed/, {
    timeout: 60_000,
  });
  await expect(dialog.getByTestId('deployment-status')).toHaveText(/ready/);
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();

  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 90_000 });
  // 42 numbers from 4 mappers into 3 key ranges: one reducer run per range that got records.
  await expect(page.getByTestId('trigger-state-shuffle')).toHaveText(
    /^\d+ objects received · [1-3] groups? fired$/,
  );
  const output = JSON.parse((await page.getByTestId('execution-result').textContent()) ?? '{}');
  const sorted = output.sorted as number[];
  expect(sorted).toHaveLength(42);
  expect(sorted.slice(0, 5)).toEqual([9, 12, 17, 27, 54]);
  expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
  await screenshot(page, 'trigger-mapreduce-sort');
});

test('the event-stream example: a producer run says where its object went, and links the time window’s own execution', async ({
  page,
  openApp,
  apiCall,
}) => {
  test.slow();
  const graph = JSON.parse(
    readFileSync(new URL('../../examples/event-stream.json', import.meta.url), 'utf8'),
  ) as { name: string; sampleInput: unknown };
  const { workflowId, deploymentId } = await deployWorkflow(apiCall, {
    ...graph,
    name: 'trigger-window',
  });
  const execution = await startRun(apiCall, deploymentId, graph.sampleInput);
  await openApp(`/workflows/${workflowId}/runs/${execution}`);
  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('trigger-state-perSecond')).toHaveText(
    /^1 object sent to 1 window · (closes in \d+\.\d s|closed); it runs as its own execution$/,
  );
  // The window's run and the step after it are not pending here: they run elsewhere.
  await expect(page.getByTestId('status-count')).toHaveText('runs in the window’s execution');
  await page.getByTestId('node-perSecond').click();
  const details = page.getByRole('region', { name: 'Trigger perSecond' });
  const windowRun = details.getByRole('link', { name: /^wnd\.perSecond\./ });
  await expect(details).toContainText(/window \d+ \(1000 ms, 1 from this run\)/);
  await windowRun.click();

  // The window's own execution: its run took this run's object (and any other producer run's
  // that fell into the same second).
  await expect(page.getByTestId('execution-status')).toHaveText('succeeded', { timeout: 60_000 });
  await expect(page.getByTestId('trigger-state-perSecond')).toHaveText(
    /^window fired with \d+ objects? from \d+ runs?$/,
  );
  await expect(page.getByTestId('execution-result')).toContainText('"spring-sale"');
  await expect(page.getByTestId('status-lookup')).toHaveText('ran in the producer runs');
  // And back: the window's decision links the producer runs that fed it, this one among them.
  await page.getByTestId('node-perSecond').click();
  const fedBy = page
    .getByRole('region', { name: 'Trigger perSecond' })
    .getByRole('link', { name: execution, exact: true });
  await expect(fedBy).toBeVisible();
  await screenshot(page, 'trigger-window-run');
  await fedBy.click();
  await expect(page.getByRole('heading', { name: `run ${execution}` })).toBeVisible();
});
