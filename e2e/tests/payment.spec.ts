import { test, expect } from './remit';
import { goHome, completeSettings, createCustomer, issueDraft, setUp, shownTotals, waitUntilSynced, type Line } from './invoicing';

const CUSTOMER = 'Nordlys Shipping ASA';
// 3 × 950.00 = 2850.00; 25 % = 712.50: 3562.50 due.
const LINES: Line[] = [{ description: 'Hull inspection', quantity: '3', unitPrice: '950', taxRate: '25' }];

test('a payment recorded offline awaits sync, then the server applies it to the invoice in full', async ({
  page,
  remit,
}) => {
  await setUp(page, remit.url);
  await completeSettings(page);
  await goHome(page);
  await createCustomer(page, CUSTOMER, 'ap@nordlys.example');

  const year = await issueDraft(page, CUSTOMER, LINES);
  const number = `INV-${year}-000001`;
  await expect(page.getByTestId('invoice-number')).toHaveText(number, { timeout: 30_000 });
  expect((await shownTotals(page)).due).toBe('3562.50');
  await waitUntilSynced(page);
  await expect(page.getByTestId('no-payments')).toBeVisible();

  // Offline: the form starts at the amount due; core's refusal names the field.
  await page.context().setOffline(true);
  await expect(page.getByTestId('sync-status')).toHaveText('offline');
  const amount = page.locator('input[name="payment.amount"]');
  await expect(amount).toHaveValue('3562.50');
  await amount.fill('12,5x');
  await page.getByTestId('record-payment').click();
  await expect(page.getByTestId('field-error')).toContainText('amount');
  await expect(page.getByTestId('payment-row')).toHaveCount(0);

  await amount.fill('3562.50');
  await page.locator('select[name="payment.method"]').selectOption('card');
  await page.locator('input[name="payment.reference"]').fill('RF18 5390 0754 7034');
  await page.getByTestId('record-payment').click();
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  const row = page.getByTestId('payment-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('payment-awaiting-sync')).toHaveText('Awaiting sync');
  await expect(row.getByTestId('payment-amount')).toContainText('3562.50');
  await expect(page.getByTestId('pending-count')).toHaveText('1');

  // Online: the push records it, the pull brings the server's allocation.
  await page.context().setOffline(false);
  await waitUntilSynced(page);
  await expect(row.getByTestId('payment-awaiting-sync')).toHaveCount(0, { timeout: 30_000 });
  await expect(row.getByTestId('payment-applied')).toHaveText('3562.50');
  await expect(row.getByTestId('payment-unapplied')).toHaveText('0.00');
  await expect(page.getByTestId('payment-row')).toHaveCount(1);

  const invoices: any[] = await (await page.request.get(`${remit.url}/api/invoices`)).json();
  const invoice = invoices.find((i) => i.snapshot.number === number);
  expect(invoice).toBeDefined();
  const response = await page.request.get(`${remit.url}/api/payments`);
  expect(response.ok()).toBe(true);
  const payments: any[] = await response.json();
  expect(payments).toHaveLength(1);
  const [payment] = payments;
  expect(payment.amount).toEqual({ amount: '3562.50', currency: 'NOK' });
  expect(payment.method).toBe('card');
  expect(payment.reference).toBe('RF18 5390 0754 7034');
  expect(payment.instruction).toEqual({ kind: 'named', invoices: [invoice.id] });
  expect(payment.allocation.lines).toHaveLength(1);
  expect(payment.allocation.lines[0].item.invoice_id).toBe(invoice.id);
  expect(payment.allocation.lines[0].amount).toEqual({ amount: '3562.50', currency: 'NOK' });
  expect(payment.allocation.unapplied).toEqual({ amount: '0.00', currency: 'NOK' });
  expect(await row.getAttribute('data-payment')).toBe(payment.id);
});
