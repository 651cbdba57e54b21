import { expect, test } from '../fixtures';

/**
 * A Step Functions Map's MaxConcurrency imported in the browser shows as the map node's "Max
 * concurrency" in the inspector; an edit is saved with the graph, a fraction is flagged and not
 * applied, and an emptied field saves an unbounded map. Definition written for this test.
 */
const definition = {
  StartAt: 'Each',
  States: {
    Each: {
      Type: 'Map',
      MaxConcurrency: 4,
      ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Pass', End: true } } },
      End: true,
    },
  },
};

test("a map's max concurrency is imported, shown and edited in the inspector", async ({
  page,
  openApp,
  apiCall,
}) => {
  await openApp();
  await page.getByLabel('Import file').setInputFiles({
    name: 'each.asl.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(definition)),
  });
  await page.getByTestId('node-Each').click();
  const field = page.getByLabel('Max concurrency');
  await expect(field).toHaveValue('4');

  const saved = async () => {
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByRole('status')).toContainText('Saved version');
    const id = /workflows\/([^/?#]+)/.exec(page.url())?.[1];
    if (id === undefined) throw new Error(`no workflow id in ${page.url()}`);
    const stored = (await apiCall('GET', `/workflows/${id}`)) as {
      graph: { nodes: { name: string; maxConcurrency?: number }[] };
    };
    return stored.graph.nodes.find((n) => n.name === 'Each');
  };

  await field.fill('2');
  expect((await saved())?.maxConcurrency).toBe(2);

  await field.fill('2.5');
  await expect(page.getByText('A whole number from 1 to 100000, or empty.')).toBeVisible();

  await field.fill('');
  await expect(page.getByText('A whole number from 1 to 100000, or empty.')).toHaveCount(0);
  expect(await saved()).not.toHaveProperty('maxConcurrency');
});
