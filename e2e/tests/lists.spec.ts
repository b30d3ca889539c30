// Long lists on the home screen: a page at a time, filtered by status, searched by number or name, and
// shown offline from IndexedDB. The customers beyond the first page come from a second device of the
// owner through the sync API, as a colleague's entries would.
import { expectAccessible } from './axe';
import { test, expect } from './remit';
import { completeSettings, createCustomer, goHome, idbRecords, issueDraft, setUp, uuidV7, waitUntilSynced, type Line } from './invoicing';

const CUSTOMER = 'Kystverket Fiskeri AS';
const LINES: Line[] = [{ description: 'Net repair', quantity: '2', unitPrice: '1200', taxRate: '25' }];

test('home lists page, filter and search, also offline', async ({ page, remit, context }, testInfo) => {
  await setUp(page, remit.url);
  await completeSettings(page);
  await goHome(page);
  await createCustomer(page, CUSTOMER, 'ap@kystverket.example');
  await issueDraft(page, CUSTOMER, LINES);
  await expect(page.getByTestId('invoice-number')).toContainText('INV-', { timeout: 30_000 });
  const number = (await page.getByTestId('invoice-number').textContent())!.trim();
  await waitUntilSynced(page);

  // 30 more customers, saved by another device of the owner.
  const [template] = (await idbRecords(page, 'customers')) as Record<string, unknown>[];
  const { listing: _, ...customer } = template;
  const mutations = Array.from({ length: 30 }, (_, i) => ({
    id: i + 1,
    name: 'customer.upsert',
    args: { ...customer, id: uuidV7(), name: `Bølgen Handel ${String(i + 1).padStart(2, '0')}` },
  }));
  const reply = await page.request.post(`${remit.url}/api/sync/push`, {
    headers: { 'X-Remit-Request': '1' },
    data: { protocol_version: 2, client_id: uuidV7(), mutations },
  });
  expect(reply.ok()).toBe(true);
  expect((await reply.json()).results.every((r: { status: string }) => r.status === 'applied')).toBe(true);
  await page.reload();
  await waitUntilSynced(page);
  await goHome(page);
  const customers = page.getByTestId('customer-row');
  await expect(page.getByText('31 in all')).toBeVisible({ timeout: 30_000 });
  await expect(customers).toHaveCount(25);
  await expect(customers.first()).toContainText('Bølgen Handel 01');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Next' }).click();
  await expect(customers).toHaveCount(6);
  await expect(customers.last()).toContainText(CUSTOMER);

  // Search ignores case and accents and matches any word of the name.
  await page.getByTestId('customer-search').fill('bolgen handel 1');
  await expect(customers).toHaveCount(10);
  await page.getByTestId('customer-search').fill('FISK');
  await expect(customers).toHaveCount(1);

  // The invoice is open until paid; it is found by its number's tail or its customer's name.
  const invoices = page.getByTestId('invoice-row');
  await expect(invoices).toHaveCount(1);
  await page.getByTestId('invoice-filter-paid').click();
  await expect(page.getByText('No invoices match.')).toBeVisible();
  await page.getByTestId('invoice-filter-open').click();
  await expect(invoices).toHaveCount(1);
  await page.getByTestId('invoice-search').fill(number.slice(-6));
  await expect(invoices).toContainText(number);
  await page.getByTestId('invoice-search').fill('kystverket');
  await expect(invoices).toHaveCount(1);
  await page.getByTestId('invoice-search').fill('bølgen');
  await expect(page.getByText('No invoices match.')).toBeVisible();
  await page.getByTestId('invoice-search').fill('');
  await expectAccessible(page, 'home lists, filtered and searched');
  await testInfo.attach('home lists', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // Offline, with the server gone, the lists come from IndexedDB and the shell from the service worker.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await context.setOffline(true);
  await remit.stop();
  await page.reload();
  await expect(page.getByTestId('sync-status')).toHaveText('offline');
  await expect(invoices).toHaveCount(1, { timeout: 30_000 });
  await expect(page.getByText('31 in all')).toBeVisible();
  // The benches' mark of the first rows on screen is set once per page load.
  expect(await page.evaluate(() => performance.getEntriesByName('remit:first-rows').length)).toBe(1);
  await remit.start();
  await context.setOffline(false);
  await waitUntilSynced(page);
});
