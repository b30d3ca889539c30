import { test, expect } from './remit';
import { goHome, createCustomer, idbRecords, issueDraft as issue, setUp, shownTotals, waitUntilSynced, type Line } from './invoicing';
import type { Page } from '@playwright/test';

const CUSTOMER = 'Nordlys Shipping ASA';
// 3 × 950.00 = 2850.00; 25 % = 712.50.
const ONLINE: Line[] = [{ description: 'Hull inspection', quantity: '3', unitPrice: '950', taxRate: '25' }];
// 2 × 399.00 = 798.00 + 12.5 × 3.99 = 49.875 → 49.88: 847.88; 25 % = 211.97.
const OFFLINE: Line[] = [
  { description: 'Rope, 40 m', quantity: '2', unitPrice: '399', taxRate: '25' },
  { description: 'Chain (metres)', quantity: '12.5', unitPrice: '3.99', taxRate: '25' },
];

const issueDraft = (page: Page, lines: Line[]) => issue(page, CUSTOMER, lines);

test('an invoice issued offline gets a leased number at once, reaches the server under it, and the numbering report accounts for it', async ({
  page,
  remit,
}) => {
  await setUp(page, remit.url);

  // The seller must be printable before the device may lease numbers.
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('seller-incomplete')).toContainText('seller.address.country');
  await page.locator('input[name="seller.tax_id"]').fill('NO999999999MVA');
  await page.locator('textarea[name="seller.address.lines"]').fill('Strandgata 5');
  await page.locator('input[name="seller.address.postcode"]').fill('9008');
  await page.locator('input[name="seller.address.city"]').fill('Tromsø');
  await page.locator('input[name="seller.address.country"]').fill('NO');
  await page.locator('input[name="invoice_series.prefix"]').fill('');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('field-error')).toContainText('invoice_series.prefix');
  await page.locator('input[name="invoice_series.prefix"]').fill('INV');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(page.getByTestId('seller-incomplete')).toBeHidden();
  // Online, the app leases a block of its own series once the settings are on the server.
  await expect.poll(async () => (await idbRecords(page, 'number_lease')).length, { timeout: 30_000 }).toBe(1);
  await waitUntilSynced(page);

  await goHome(page);
  await createCustomer(page, CUSTOMER, 'ap@nordlys.example');

  // Online: the server numbers it; the number arrives with the pull.
  const year = await issueDraft(page, ONLINE);
  await expect(page.getByTestId('invoice-number')).toHaveText(`INV-${year}-000001`, { timeout: 30_000 });
  expect(await shownTotals(page)).toEqual({ net: '2850.00', tax: '712.50', due: '3562.50' });
  await expect(page.getByTestId('issue-invoice')).toHaveCount(0);
  await waitUntilSynced(page);

  // Offline: the next number of this device's lease, on screen at once.
  await page.context().setOffline(true);
  await expect(page.getByTestId('sync-status')).toHaveText('offline');
  await issueDraft(page, OFFLINE);
  await expect(page.getByTestId('invoice-number')).toHaveText('INV-L1-000001');
  await expect(page.getByTestId('awaiting-sync')).toBeVisible();
  const shown = await shownTotals(page);
  expect(shown).toEqual({ net: '847.88', tax: '211.97', due: '1059.85' });

  await goHome(page);
  const offlineRow = page.getByTestId('invoice-row').filter({ hasText: 'INV-L1-000001' });
  await expect(offlineRow.getByTestId('awaiting-sync')).toBeVisible();
  await expect(offlineRow).toContainText('1059.85');
  await expect(page.getByTestId('draft-row')).toHaveCount(0);

  await page.context().setOffline(false);
  await waitUntilSynced(page);
  await expect(offlineRow.getByTestId('awaiting-sync')).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('invoice-row')).toHaveCount(2);

  // The server recorded it under the leased number, with the very totals the screen showed.
  const response = await page.request.get(`${remit.url}/api/invoices`);
  expect(response.ok()).toBe(true);
  const invoices: any[] = await response.json();
  const recorded = invoices.find((i) => i.snapshot.number === 'INV-L1-000001');
  expect(recorded).toBeDefined();
  expect(recorded.place.sequence).toBe('Invoice/INV/L1');
  const totals = recorded.snapshot.totals;
  expect({
    net: totals.line_net_total.amount,
    tax: totals.tax_total.amount,
    due: totals.amount_due.amount,
  }).toEqual(shown);
  // The pulled copy replaced the provisional one on this device.
  const stored = (await idbRecords(page, 'invoice')) as any[];
  expect(stored.find((i) => i.id === recorded.id)?.digest).toBe(recorded.digest);

  // The numbering report: the lease's first number issued, the rest still leased, nothing missing.
  await page.getByTestId('nav-numbering').click();
  const leased = page.locator('[data-sequence="Invoice/INV/L1"]');
  await expect(leased.getByTestId('range')).toHaveCount(2);
  await expect(leased.locator('[data-use="issued"] [data-testid="range-count"]')).toHaveText('1');
  await expect(leased.locator('[data-use="leased"] [data-testid="range-count"]')).toHaveText('19');
  await expect(leased.getByTestId('sequence-whole')).toHaveText('No gaps');
  const served = page.locator(`[data-sequence="Invoice/INV/${year}"]`);
  await expect(served.locator('[data-use="issued"] [data-testid="range-count"]')).toHaveText('1');
  await expect(served.getByTestId('sequence-whole')).toHaveText('No gaps');
});
