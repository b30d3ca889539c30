// The draft's document fields (issue #12): named payment terms with core's schedule, VAT-inclusive prices
// with the cents they cannot reproduce, the buyer's references and a document allowance — saved, and in
// IndexedDB as typed.
import { expectAccessible } from './axe';
import { test, expect, signIn } from './remit';
import { goHome, completeSettings, createCustomer, dig, idbRecords, seedSettings, TWO_TEN_NET_30 } from './invoicing';

const CUSTOMER = 'Nordlys Shipping ASA';

test('terms, VAT-inclusive prices, references and an allowance on a draft', async ({ page, remit }, testInfo) => {
  remit.addOwner();
  await signIn(page, remit.url);
  await completeSettings(page);
  await seedSettings(page, remit.url, { payment_terms: [TWO_TEN_NET_30] });
  await goHome(page);
  await createCustomer(page, CUSTOMER, 'ap@nordlys.example');

  await goHome(page);
  await page.getByTestId('new-invoice').click();
  await page.locator('select[name="customer_id"]').selectOption({ label: CUSTOMER });
  const issueDate = await page.locator('input[name="issue_date"]').inputValue();

  // 2/10 net 30: core's due date, 30 days on; the discount and its last day below the totals.
  await page.locator('select[name="terms"]').selectOption({ label: '2/10 net 30' });
  const plus = (days: number) => {
    const d = new Date(`${issueDate}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  };
  await expect(page.locator('input[name="due_date"]')).toHaveValue(plus(30));

  // VAT-inclusive: 3 × 9.99 at 19 % shows 29.97; net prices of four decimals give 0.01 less.
  await page.getByRole('switch', { name: 'Prices include VAT' }).check();
  await page.locator('input[name="lines[0].description"]').fill('Rope, per metre');
  await page.locator('input[name="lines[0].quantity"]').fill('3');
  await page.locator('input[name="lines[0].unit_price"]').fill('9.99');
  await page.locator('input[name="lines[0].tax_rate"]').fill('19');
  await expect(page.getByTestId('total-due')).toHaveText('29.97');
  await expect(page.getByTestId('rounding-warning')).toContainText('The invoice total will be 0.01 lower');
  await expect(page.getByTestId('schedule-due')).toHaveText(plus(30));
  await expect(page.getByTestId('schedule-instalment')).toContainText(`paid by ${plus(10)}`);

  // The buyer's references, folded under Details.
  await page.locator('summary', { hasText: 'Details' }).click();
  await page.locator('input[name="buyer_reference"]').fill('Dept 42');
  await page.locator('input[name="purchase_order"]').fill('PO-7781');
  await page.locator('input[name="delivery_date"]').fill(issueDate);

  // A 3 % allowance on the whole invoice. With VAT-inclusive prices it is inclusive too: 29.97 less
  // 0.90 is 29.07 to pay, VAT carved out of it.
  await page.getByTestId('add-adjustment').click();
  await page.locator('input[name="adjustment-0-value"]').fill('3');
  await page.locator('input[name="adjustment-0-reason"]').fill('Loyalty discount');
  await page.locator('input[name="adjustment-0-rate"]').fill('19');
  await expect(page.getByTestId('total-due')).toHaveText('29.07');
  await expect(page.getByTestId('total-tax')).toHaveText('4.64');
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  await expectAccessible(page, 'draft editor with terms, details and an allowance');

  // Net prices: the same figures are net now. 29.97 less 3 % (0.90) is 29.07; VAT 19 % 5.52; due 34.59.
  await page.getByRole('switch', { name: 'Prices include VAT' }).uncheck();
  await expect(page.getByTestId('rounding-warning')).toHaveCount(0);
  await expect(page.getByTestId('total-tax-exclusive')).toHaveText('29.07');
  await expect(page.getByTestId('total-due')).toHaveText('34.59');
  await testInfo.attach('document fields', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  await page.getByTestId('save-draft').click();
  await expect(page.getByTestId('new-invoice')).toBeVisible();
  const [draft] = await idbRecords(page, 'invoice_drafts');
  expect(dig(draft, 'price_basis')).toBeUndefined();
  expect(dig(draft, 'buyer_reference')).toBe('Dept 42');
  expect(dig(draft, 'purchase_order')).toBe('PO-7781');
  expect(dig(draft, 'delivery')).toEqual({ date: issueDate });
  expect(dig(draft, 'terms')).toEqual(TWO_TEN_NET_30.plan);
  expect(dig(draft, 'allowances')).toEqual([
    { adjustment: { percent: '3', reason: 'Loyalty discount' }, tax_category: 'S', tax_rate: '19' },
  ]);
});
