import { expect, test } from '../fixtures';

const EXTRA = 56;

test('the workflow list pages through every workflow, past the first 50', async ({
  page,
  openApp,
  apiCall,
}) => {
  const created: string[] = [];
  try {
    for (let i = 0; i < EXTRA; i++) {
      const name = `paged-${String(i).padStart(2, '0')}`;
      const saved = (await apiCall('POST', '/workflows', {
        name,
        graph: { name, nodes: [], edges: [] },
      })) as { id: string };
      created.push(saved.id);
    }
    // Everything the API holds, page by page, is what the list must end up showing.
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: { items: unknown[]; nextCursor: string | null } = (await apiCall(
        'GET',
        `/workflows${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
      )) as { items: unknown[]; nextCursor: string | null };
      total += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    expect(total).toBeGreaterThan(50);

    await openApp();
    const rows = page.getByRole('list', { name: 'Workflows' }).getByRole('listitem');
    await expect(rows).toHaveCount(50);
    const more = page.getByRole('button', { name: /Load more workflows/ });
    while ((await rows.count()) < total) {
      await more.click();
      await expect(rows).not.toHaveCount(50);
    }
    await expect(rows).toHaveCount(total);
    await expect(more).toHaveCount(0);
    // The oldest of the new ones (listed newest first) is on the last page.
    await expect(page.getByRole('link', { name: 'paged-00', exact: true })).toBeVisible();
  } finally {
    for (const id of created) await apiCall('DELETE', `/workflows/${id}`);
  }
});
