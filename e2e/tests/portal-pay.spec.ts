// Paying online from the portal with the built-in sandbox gateway, end to end: the owner sets the sandbox as
// the organisation's gateway and issues three invoices; the customer, JavaScript off, ticks two of them on the
// portal, reviews how core allocates the payment, and pays on the TEST MODE card page. A declined card and a
// failed 3-D-Secure-like confirmation leave nothing; the third card pays. After sync the executive's app shows
// the payment allocated to exactly those two invoices, and the receipt arrives at the test SMTP relay; a refund
// the executive records is sent to the sandbox, and one beyond what was paid is refused and raised. The pay
// form, the preview, the sandbox page and the done page pass axe-core and are kept as screenshots.
import { execFileSync } from 'node:child_process';
import { expectAccessible } from './axe';
import { test, expect } from './remit';
import { goHome, issueDraft, setUpWithInvoice, waitUntilSynced, type Line } from './invoicing';
import type { APIRequestContext, Page, TestInfo } from '@playwright/test';

const CUSTOMER = 'Havbris Sjømat AS';
const ADDRESS = 'regnskap@havbris.example';
// 1 × 1000 at 25 % = 1250.00; 2 × 400 at 25 % = 1000.00; 1 × 600 at 25 % = 750.00.
const INVOICES: Line[][] = [
  [{ description: 'Cold storage, March', quantity: '1', unitPrice: '1000', taxRate: '25' }],
  [{ description: 'Pallet handling', quantity: '2', unitPrice: '400', taxRate: '25' }],
  [{ description: 'Ice delivery', quantity: '1', unitPrice: '600', taxRate: '25' }],
];

/** Keeps a full-page screenshot in the test's output folder (an artifact) and attaches it to the report. */
async function keep(testInfo: TestInfo, name: string, page: Page): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** The payments the server has recorded, as the REST read gives them to the signed-in owner. */
async function payments(request: APIRequestContext, url: string): Promise<any[]> {
  const response = await request.get(`${url}/api/payments`);
  expect(response.ok()).toBe(true);
  return response.json();
}

/** Fills the sandbox's card form with `card` and pays. */
async function payWith(page: Page, card: string): Promise<void> {
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: /^Pay / }).click();
}

/** The subject, the text and each attachment's name of the message file argv[1]. */
const DESCRIBE_MAIL = `
import email, sys
from email import policy
with open(sys.argv[1], 'rb') as f:
    message = email.message_from_binary_file(f, policy=policy.default)
print(message['subject'])
body = message.get_body(preferencelist=('plain',))
print(body.get_content() if body else '')
for part in message.iter_attachments():
    print('attachment', part.get_filename())
`;

test('a customer pays two of three invoices with the sandbox card; declined and unconfirmed cards leave nothing', async ({
  page,
  remit,
  browser,
}, testInfo) => {
  const year = await setUpWithInvoice(page, remit.url, CUSTOMER, ADDRESS, INVOICES[0]);
  for (const [i, lines] of INVOICES.slice(1).entries()) {
    await issueDraft(page, CUSTOMER, lines);
    await expect(page.getByTestId('invoice-number')).toHaveText(`INV-${year}-00000${i + 2}`, { timeout: 30_000 });
  }
  await waitUntilSynced(page);
  const [first, second, third] = [1, 2, 3].map((n) => `INV-${year}-00000${n}`);

  // The owner takes payments through the sandbox (the API an owner's settings use).
  const set = await page.request.put(`${remit.url}/api/gateway`, {
    headers: { 'X-Remit-Request': '1' },
    data: { provider: 'sandbox' },
  });
  expect(set.ok(), await set.text()).toBe(true);

  await goHome(page);
  await page.getByTestId('customer-row').filter({ hasText: CUSTOMER }).getByRole('link').first().click();
  await page.getByTestId('create-portal-link').click();
  const address = await page.getByTestId('portal-address').inputValue();

  // The customer, JavaScript off, on a phone: ticks the first and the third invoice and reviews.
  const customer = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const portal = await customer.newPage();
  await portal.goto(address);
  await portal.getByLabel(`Pay ${first}`).check();
  await portal.getByLabel(`Pay ${third}`).check();
  await keep(testInfo, 'portal-pay-form-360', portal);
  await portal.getByRole('button', { name: 'Review payment' }).click();
  const preview = portal.locator('section.preview');
  await expect(preview.locator('table.allocation tbody tr')).toHaveCount(2);
  await expect(preview.locator('table.allocation')).toContainText(first);
  await expect(preview.locator('table.allocation')).toContainText(third);
  await expect(preview.locator('table.allocation')).not.toContainText(second);
  await expect(preview.locator('dd.total')).toContainText('2,000.00');
  await expect(preview.locator('dd.credit')).toHaveCount(0);
  await keep(testInfo, 'portal-pay-preview-360', portal);
  await portal.getByRole('button', { name: /^Pay NOK/ }).click();

  // The sandbox's page: TEST MODE in its title and banner, the amount to pay.
  await expect(portal).toHaveTitle(/^TEST MODE/);
  await expect(portal.locator('header.test-mode')).toContainText('TEST MODE');
  await expect(portal.locator('dd.amount')).toContainText('2,000.00');
  const sandbox = portal.url();

  // Declined: said on the page, nothing recorded.
  await payWith(portal, '4000 0000 0000 0002');
  await expect(portal.locator('#problem')).toHaveText('Your card was declined. Nothing was charged.');
  await keep(testInfo, 'sandbox-declined-360', portal);
  expect(await payments(page.request, remit.url)).toHaveLength(0);

  // The 3-D-Secure-like card asks for the extra step; failing it leaves nothing.
  await payWith(portal, '4000 0025 0000 3155');
  await expect(portal.getByRole('heading', { name: 'Confirm this payment (test 3-D Secure)' })).toBeVisible();
  await keep(testInfo, 'sandbox-confirm-360', portal);
  await portal.getByRole('button', { name: 'Fail' }).click();
  await expect(portal.locator('#problem')).toContainText('not confirmed');
  expect(await payments(page.request, remit.url)).toHaveLength(0);

  // The card that succeeds pays; the done page says so.
  await payWith(portal, '4242 4242 4242 4242');
  await expect(portal.getByRole('heading', { level: 1 })).toHaveText('Payment received — thank you');
  await expect(portal.locator('p.outcome')).toContainText('2,000.00');
  const done = portal.url();
  expect(done).toMatch(/\/pay\/[0-9a-f-]+\/done/);
  await keep(testInfo, 'portal-pay-done-360', portal);
  await customer.close();

  // The pages at a desktop's width, checked by axe-core (in a context of its own: axe needs a script).
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const wide = await desktop.newPage();
  await wide.goto(address);
  await expectAccessible(wide, 'portal statement with the pay form');
  await wide.getByLabel(`Pay ${second}`).check();
  await wide.getByRole('button', { name: 'Review payment' }).click();
  await expect(wide.locator('section.preview')).toBeVisible();
  await expectAccessible(wide, 'portal payment preview');
  await keep(testInfo, 'portal-pay-preview-1280', wide);
  await wide.getByRole('button', { name: /^Pay NOK/ }).click();
  await expect(wide).toHaveTitle(/^TEST MODE/);
  await expectAccessible(wide, 'sandbox card page');
  await keep(testInfo, 'sandbox-1280', wide);
  await wide.getByLabel('Card number').fill('1234');
  await wide.getByLabel('Expiry (MM/YY)').fill('12/34');
  await wide.getByLabel('CVC').fill('123');
  await wide.getByRole('button', { name: /^Pay / }).click();
  await expect(wide.locator('#card-problem')).toContainText('use a test card');
  await expectAccessible(wide, 'sandbox card page with a problem');
  await wide.goto(done);
  await expectAccessible(wide, 'payment done page');
  await keep(testInfo, 'portal-pay-done-1280', wide);
  await wide.goto(sandbox);
  await expect(wide).toHaveURL(done, { timeout: 5_000 });
  await desktop.close();

  // One payment, abandoned checkouts left nothing; allocated to the ticked invoices only.
  const [payment, ...others] = await payments(page.request, remit.url);
  expect(others).toHaveLength(0);
  expect(payment.amount).toEqual({ amount: '2000.00', currency: 'NOK' });
  expect(payment.method).toBe('card');
  expect(payment.allocation.unapplied).toEqual({ amount: '0.00', currency: 'NOK' });

  // The executive's app, synced, shows the payment allocated to the two invoices and not the second.
  const response = await page.request.get(`${remit.url}/api/invoices`);
  const invoices: any[] = await response.json();
  const idOf = (number: string) => invoices.find((i) => i.snapshot.number === number).id;
  for (const [number, applied] of [
    [first, '1250.00'],
    [third, '750.00'],
  ]) {
    await expect(async () => {
      await page.goto(`${remit.url}/invoices/${idOf(number)}`);
      await waitUntilSynced(page);
      await expect(page.getByTestId('payment-row')).toHaveCount(1, { timeout: 2_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByTestId('invoice-number')).toHaveText(number);
    await expect(page.getByTestId('payment-applied')).toHaveText(applied);
    await expect(page.getByTestId('payment-amount')).toContainText('2000.00');
  }
  await page.goto(`${remit.url}/invoices/${idOf(second)}`);
  await expect(page.getByTestId('invoice-number')).toHaveText(second);
  await expect(page.getByTestId('no-payments')).toBeVisible();
  await keep(testInfo, 'app-invoice-unpaid', page);

  // The receipt reached the customer's address at the relay.
  await expect.poll(() => remit.mail.messages(ADDRESS).length, { timeout: 30_000 }).toBe(1);
  const mail = execFileSync('python3', ['-c', DESCRIBE_MAIL, remit.mail.messages(ADDRESS)[0]]).toString();
  expect(mail).toContain('2,000.00');
  expect(mail).toMatch(/attachment .+\.pdf/);

  // The executive refunds part of the card payment from the invoice: queued offline like every change,
  // recorded by the server and sent to the sandbox, which takes it (it is within what was paid). The
  // money had paid invoices, not credit: the refund is a fact all the same, raised for a person to settle.
  await page.goto(`${remit.url}/invoices/${idOf(first)}`);
  await page.locator('input[name="refund.amount"]').fill('250.00');
  await page.getByTestId('record-refund').click();
  await expect(page.getByTestId('refund-row')).toHaveCount(1);
  await waitUntilSynced(page);
  await expect(page.getByTestId('refund-row')).toContainText('Recorded', { timeout: 30_000 });
  await expectAccessible(page, 'invoice with a refund');
  await keep(testInfo, 'app-invoice-refund', page);
  const kinds = async () => {
    const response = await page.request.get(`${remit.url}/api/exceptions`);
    expect(response.ok()).toBe(true);
    return ((await response.json()) as any[]).map((e) => e.kind).sort();
  };
  await expect.poll(kinds, { timeout: 30_000 }).toEqual(['refund_exceeds_credit']);

  // A refund of more than is left of the payment: the sandbox refuses it, and that raises an item too.
  await page.locator('input[name="refund.amount"]').fill('1800.00');
  await page.getByTestId('record-refund').click();
  await expect(page.getByTestId('refund-row')).toHaveCount(2);
  await waitUntilSynced(page);
  await expect
    .poll(kinds, { timeout: 30_000 })
    .toEqual(['refund_exceeds_credit', 'refund_exceeds_credit', 'refund_refused_by_gateway']);
});
