import { test, expect, signIn, pendingCount, OWNER } from './remit';
import { createCustomer, dig, fillDraft, idbRecords, shownTotals, waitUntilSynced, type Line } from './invoicing';

// 1.5 × 0.35 = 0.525 is where half-away-from-zero (0.53) and banker's rounding (0.52) part ways.
// VAT per rate over the sum of the lines: 19 % of 30.50 = 5.795 → 5.80; 7 % of 25.00 = 1.75.
const LINES: Line[] = [
  { description: 'Site audit', quantity: '1.5', unitPrice: '0.35', taxRate: '19' },
  { description: 'Consulting hours', quantity: '3', unitPrice: '9.99', taxRate: '19' },
  { description: 'Printed handbooks', quantity: '2', unitPrice: '12.50', taxRate: '7' },
];
const EXPECTED = { net: '55.50', tax: '7.55', due: '63.05' };

test('drafts made with the network cut survive a reload, sync when it returns, and reach a second device', async ({
  page,
  browser,
  remit,
}) => {
  remit.addOwner();
  await signIn(page, remit.url);

  await createCustomer(page, 'Nordlys Shipping ASA', 'ap@nordlys.example');
  await page.getByTestId('new-invoice').click();
  await fillDraft(page, 'Nordlys Shipping ASA', LINES);
  await expect(page.getByTestId('line-net-0')).toHaveText('0.53');
  expect(await shownTotals(page)).toEqual(EXPECTED);
  await page.getByTestId('save-draft').click();
  await expect(page.getByTestId('draft-row').filter({ hasText: 'Nordlys Shipping ASA' })).toContainText(EXPECTED.due);
  await waitUntilSynced(page);

  // The app shell must be served by the service worker before the server goes away.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  // Cut the network and take the server away: Playwright's offline mode does not stop the service
  // worker's own fetches, so only a stopped server proves the shell comes from the cache.
  await page.context().setOffline(true);
  await remit.stop();
  await page.reload();
  await expect(page.getByTestId('new-invoice')).toBeVisible();
  await expect(page.getByTestId('sync-status')).toHaveText('offline');

  await createCustomer(page, 'Havbris Fiskeri AS', 'faktura@havbris.example');
  await page.getByTestId('new-invoice').click();
  await fillDraft(page, 'Havbris Fiskeri AS', [
    { description: 'Net repair', quantity: '4', unitPrice: '250', taxRate: '25' },
    { description: 'Rope (metres)', quantity: '12.5', unitPrice: '3.99', taxRate: '25' },
  ]);
  // 4 × 250 = 1000.00; 12.5 × 3.99 = 49.875 → 49.88; 25 % of 1049.88 = 262.47.
  expect(await shownTotals(page)).toEqual({ net: '1049.88', tax: '262.47', due: '1312.35' });
  await page.getByTestId('save-draft').click();
  await expect(page.getByTestId('draft-row')).toHaveCount(2);
  await expect.poll(() => pendingCount(page)).toBe(2);

  await page.reload();
  await expect(page.getByTestId('draft-row')).toHaveCount(2);
  await expect.poll(() => pendingCount(page)).toBe(2);

  await remit.start();
  await page.context().setOffline(false);
  await waitUntilSynced(page);
  await expect(page.getByTestId('sync-status')).toHaveText('online');

  // Screen, IndexedDB and the server's own recomputation agree to the cent.
  const drafts = await idbRecords(page, 'invoice_drafts');
  expect(drafts).toHaveLength(2);
  for (const record of drafts) {
    const id = dig(record, 'id') as string;
    const stored = dig(dig(record, 'totals'), 'amount_due').amount as string;
    const response = await page.request.get(`${remit.url}/api/invoice-drafts/${id}`);
    expect(response.ok()).toBe(true);
    const server = await response.json();
    expect(server.totals.amount_due.amount).toBe(stored);
    await expect(page.getByTestId('draft-row').filter({ hasText: stored })).toHaveCount(1);
  }

  // A second device with an empty profile signs in and pulls everything.
  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, remit.url);
  await expect(second.getByTestId('customer-row')).toHaveCount(2);
  await expect(second.getByTestId('draft-row')).toHaveCount(2);
  await second.getByTestId('draft-row').filter({ hasText: 'Nordlys Shipping ASA' }).click();
  expect(await shownTotals(second)).toEqual(EXPECTED);
  await other.close();
});

test('an expired session keeps the outbox, and sync resumes after signing in again', async ({ page, remit }) => {
  remit.addOwner();
  await signIn(page, remit.url);
  await createCustomer(page, 'Kystlinjen AS', 'post@kystlinjen.example');
  await waitUntilSynced(page);

  // The session cookie is gone (expired): the next push is answered 401.
  await page.context().clearCookies();
  await page.getByTestId('new-invoice').click();
  await fillDraft(page, 'Kystlinjen AS', [LINES[0]]);
  await page.getByTestId('save-draft').click();
  await expect(page.getByTestId('session-expired')).toBeVisible();
  await expect.poll(() => pendingCount(page)).toBe(1);
  await expect.poll(async () => (await idbRecords(page, 'outbox')).length).toBe(1);

  await page.getByTestId('session-expired').click();
  await page.locator('input[name="email"]').fill(OWNER.email);
  await page.locator('input[name="password"]').fill(OWNER.password);
  await page.getByTestId('sign-in').click();
  await waitUntilSynced(page);
  await expect.poll(async () => (await idbRecords(page, 'outbox')).length).toBe(0);
});
