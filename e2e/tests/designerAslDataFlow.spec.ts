import { axeViolations, expect, test } from '../fixtures';

/**
 * A Step Functions definition imported in the browser: the step made from a Task shows the
 * Task's data flow (InputPath, ResultPath, ...) in the inspector as written, an edit that the
 * step code cannot run is refused under the field, and a valid one lands in the saved step code.
 * Definition written for this test.
 */
const definition = {
  Comment: 'charge an order',
  StartAt: 'Charge',
  States: {
    Charge: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem',
      Parameters: { TableName: 'orders', Key: { id: { 'S.$': '$.id' } } },
      ResultPath: '$.order',
      End: true,
    },
  },
};

test('the inspector shows and edits the data flow of an imported Task', async ({
  page,
  openApp,
  apiCall,
}) => {
  await openApp();
  await page.getByLabel('Import file').setInputFiles({
    name: 'charge.asl.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(definition)),
  });
  await page.getByTestId('node-Charge').click();
  const field = page.getByLabel(/Step Functions data flow/);
  await expect(field).toBeVisible();
  expect(JSON.parse(await field.inputValue())).toEqual({
    Parameters: { TableName: 'orders', Key: { id: { 'S.$': '$.id' } } },
    ResultPath: '$.order',
  });

  // A Task has no Seconds; a `..` path is not evaluated: both named, nothing applied.
  await field.fill('{"ResultPath": "$.order", "Seconds": 5, "InputPath": "$..id"}');
  await field.blur();
  await expect(page.getByText('Seconds is not a data-flow field of a Task state')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  await field.fill(
    '{"Parameters": {"TableName": "orders", "Key": {"id": {"S.$": "$.id"}}}, "ResultSelector": {"total.$": "$.Item.total.N"}, "ResultPath": "$.order"}',
  );
  await field.blur();
  await expect(page.getByText('Seconds is not a data-flow field')).toHaveCount(0);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Saved version');
  const id = /workflows\/([^/?#]+)/.exec(page.url())?.[1];
  if (id === undefined) throw new Error(`no workflow id in ${page.url()}`);
  const stored = (await apiCall('GET', `/workflows/${id}`)) as {
    graph: { nodes: { name: string; code: string }[] };
  };
  const code = stored.graph.nodes.find((n) => n.name === 'Charge')?.code ?? '';
  expect(code).toContain('ResultSelector');
  expect(code).toContain('$.Item.total.N');
});

test('a long Wait imports as a durable wait, its edge shows when the next step may start', async ({
  page,
  openApp,
}) => {
  await openApp();
  const waiting = {
    Comment: 'remind a day later',
    StartAt: 'Hold',
    States: {
      Hold: { Type: 'Wait', Seconds: 86_400, Next: 'Remind' },
      Remind: { Type: 'Pass', End: true },
    },
  };
  await page.getByLabel('Import file').setInputFiles({
    name: 'remind.asl.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(waiting)),
  });
  await page.getByTestId('node-Hold').click();
  await page
    .getByRole('list', { name: 'Edges from Hold' })
    .getByRole('button', { name: '→ Hold-after' })
    .click();
  await expect(page.getByLabel('Not before (JSONata)')).toHaveValue('`jointflow:aslWaitUntil`');
  await expect(page.getByLabel('Mapping (JSONata)')).toHaveValue('output');
  expect(await axeViolations(page)).toEqual([]);
});
