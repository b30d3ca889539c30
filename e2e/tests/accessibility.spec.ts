// axe-core on every screen a billing officer reaches: no serious or critical violation (WCAG 2 A/AA).
import { expectAccessible } from './axe';
import { test, expect } from './remit';
import { goHome, completeSettings, createCustomer, issueDraft, setUp, type Line } from './invoicing';

const CUSTOMER = 'Nordlys Shipping ASA';
const LINES: Line[] = [{ description: 'Hull inspection', quantity: '3', unitPrice: '950', taxRate: '25' }];

test('every screen passes axe without a serious or critical violation', async ({ page, remit }) => {
  await page.goto(remit.url);
  await expect(page.locator('input[name="organisation_name"]')).toBeVisible();
  await expectAccessible(page, 'first-run setup');

  await setUp(page, remit.url);
  await expectAccessible(page, 'home, empty');
  await completeSettings(page);
  await expectAccessible(page, 'settings');

  await goHome(page);
  await page.getByTestId('new-customer').click();
  await expect(page.locator('input[name="name"]')).toBeVisible();
  await expectAccessible(page, 'new customer');
  await page.goto(`${remit.url}/`);
  await createCustomer(page, CUSTOMER, 'ap@nordlys.example');

  await page.getByTestId('new-invoice').click();
  await expect(page.locator('select[name="customer_id"]')).toBeVisible();
  await expectAccessible(page, 'draft editor');

  await issueDraft(page, CUSTOMER, LINES);
  await expect(page.getByTestId('invoice-number')).toContainText('INV-', { timeout: 30_000 });
  await expect(page.getByTestId('payment-form')).toBeVisible();
  await expectAccessible(page, 'issued invoice with payments');

  await goHome(page);
  await expect(page.getByTestId('invoice-row')).toHaveCount(1);
  await expectAccessible(page, 'home with lists');

  await page.getByTestId('nav-numbering').click();
  await expect(page.getByTestId('sequence').first()).toBeVisible({ timeout: 30_000 });
  await expectAccessible(page, 'numbering report');

  await page.goto(`${remit.url}/conflicts/019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f`);
  await expect(page.getByText('There is no conflict for this draft')).toBeVisible();
  await expectAccessible(page, 'conflict (settled)');

  await page.getByTestId('sign-out').click();
  await expect(page.locator('input[name="password"]')).toBeVisible();
  await expectAccessible(page, 'sign-in');
});
