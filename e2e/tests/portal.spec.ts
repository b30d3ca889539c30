// The customer's portal (issue #14): the executive makes a link on the customer screen; the customer opens it
// in a browser with JavaScript off, reads what they owe, opens the invoice and downloads its PDF. The pages
// pass axe-core and are kept as screenshots at 360 px and 1280 px; a withdrawn link opens nothing. A link sent
// by mail arrives at the test relay, and the address in it opens the portal with JavaScript off.
import { execFileSync } from 'node:child_process';
import { expectAccessible } from './axe';
import { test, expect, signIn } from './remit';
import { goHome, completeSettings, createCustomer, issueDraft, waitUntilSynced } from './invoicing';
import type { Page, TestInfo } from '@playwright/test';

const CUSTOMER = 'Fjellheim Hytteutleie AS';

/** Keeps a full-page screenshot in the test's output folder (an artifact) and attaches it to the report. */
async function keep(testInfo: TestInfo, name: string, page: Page): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('a customer opens a portal link with JavaScript off, reads the statement and downloads the invoice', async ({
  page,
  remit,
  browser,
}, testInfo) => {
  remit.addOwner();
  await signIn(page, remit.url);
  await completeSettings(page);
  await goHome(page);
  await createCustomer(page, CUSTOMER, 'post@fjellheim.example');
  const year = await issueDraft(page, CUSTOMER, [
    { description: 'Cabin cleaning', quantity: '3', unitPrice: '850', taxRate: '25' },
    { description: 'Firewood', quantity: '2', unitPrice: '120', taxRate: '15' },
  ]);
  await waitUntilSynced(page);
  const number = `INV-${year}-000001`;

  await goHome(page);
  await page.getByTestId('customer-row').filter({ hasText: CUSTOMER }).getByRole('link').first().click();
  await page.getByTestId('create-portal-link').click();
  const address = await page.getByTestId('portal-address').inputValue();
  expect(address).toMatch(/\/p\/[0-9a-f]{64}$/);
  await expect(page.getByTestId('portal-link')).toHaveCount(1);
  await expectAccessible(page, 'customer screen with a portal link');

  const customer = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 360, height: 740 },
    acceptDownloads: true,
  });
  const portal = await customer.newPage();
  const opened = await portal.goto(address);
  expect(opened!.headers()['content-security-policy']).toContain("default-src 'none'");
  await expect(portal.getByRole('heading', { level: 1 })).toContainText(CUSTOMER);
  // 3 × 850 at 25 % and 2 × 120 at 15 %: 3187.50 + 276.00.
  await expect(portal.locator('.balance')).toContainText('3,463.50');
  await keep(testInfo, 'portal-statement-360', portal);
  await portal.getByRole('link', { name: number }).click();
  await expect(portal.getByRole('heading', { level: 1 })).toContainText(number);
  await expect(portal.getByRole('table').first()).toContainText('Cabin cleaning');
  await keep(testInfo, 'portal-invoice-360', portal);
  const [download] = await Promise.all([
    portal.waitForEvent('download'),
    portal.getByRole('link', { name: 'Invoice PDF' }).click(),
  ]);
  const pdf = testInfo.outputPath('portal-invoice.pdf');
  await download.saveAs(pdf);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  expect(text).toContain(number);
  expect(text).toContain('3,463.50');

  // The same pages at a desktop's width, checked by axe-core (it needs a script, so in a context of its own;
  // the portal itself sends none).
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const wide = await desktop.newPage();
  await wide.goto(address);
  await expectAccessible(wide, 'portal statement');
  await keep(testInfo, 'portal-statement-1280', wide);
  await wide.getByRole('link', { name: number }).click();
  await expectAccessible(wide, 'portal invoice');
  await keep(testInfo, 'portal-invoice-1280', wide);

  // Withdrawn on the customer screen, the link opens the page every dead link opens.
  await page.getByRole('button', { name: 'Withdraw' }).click();
  await expect(page.getByTestId('portal-link')).toContainText('withdrawn');
  const gone = await portal.goto(address);
  expect(gone!.status()).toBe(404);
  await expect(portal.getByRole('heading', { level: 1 })).toHaveText('This link does not open');
  expect((await wide.goto(address))!.status()).toBe(404);
  await expectAccessible(wide, 'portal link that opens nothing');
  await desktop.close();
  await customer.close();
});

test('the executive mails a portal link from the customer screen; its address opens the portal with JavaScript off', async ({
  page,
  remit,
  browser,
}) => {
  remit.addOwner();
  await signIn(page, remit.url);
  await completeSettings(page);
  await goHome(page);
  await createCustomer(page, CUSTOMER, 'post@fjellheim.example');
  await issueDraft(page, CUSTOMER, [{ description: 'Cabin cleaning', quantity: '3', unitPrice: '850', taxRate: '25' }]);
  await waitUntilSynced(page);

  await goHome(page);
  await page.getByTestId('customer-row').filter({ hasText: CUSTOMER }).getByRole('link').first().click();
  const to = page.locator('input[name="portal_send_to"]');
  // The customer's address is proposed; a bad one is refused naming the field, and nothing is made.
  await expect(to).toHaveValue('post@fjellheim.example');
  await to.fill('Fjellheim <post@fjellheim.example>');
  await page.getByTestId('send-portal-link').click();
  await expect(page.getByTestId('portal-link-form').getByTestId('field-error')).toContainText('address to send to');
  await expect(page.getByTestId('portal-link')).toHaveCount(0);

  await to.fill('post@fjellheim.example');
  await page.locator('textarea[name="portal_message"]').fill('Here is your account with us.');
  await page.getByTestId('send-portal-link').click();
  await expect(page.getByTestId('portal-sent')).toHaveText('Sent to post@fjellheim.example');
  await expect(page.getByTestId('portal-link')).toHaveCount(1);

  await expect.poll(() => remit.mail.messages('post@fjellheim.example').length, { timeout: 30_000 }).toBe(1);
  const [message] = remit.mail.messages('post@fjellheim.example');
  const text = execFileSync('python3', ['-c', PLAIN_TEXT, message]).toString();
  expect(text).toContain('Here is your account with us.');
  const address = text.match(/https?:\/\/\S+\/p\/[0-9a-f]{64}/)?.[0];
  expect(address, text).toBeDefined();

  // The mail's record syncs to the device: under the link, to whom it went and that it was sent.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('portal-link-mails')).toContainText('To post@fjellheim.example', {
      timeout: 2_000,
    });
    await expect(page.getByTestId('portal-link-mails').getByTestId('mail-status')).toHaveText('Sent', {
      timeout: 2_000,
    });
  }).toPass({ timeout: 30_000 });

  const customer = await browser.newContext({ javaScriptEnabled: false });
  const portal = await customer.newPage();
  const opened = await portal.goto(address!);
  expect(opened!.status()).toBe(200);
  await expect(portal.getByRole('heading', { level: 1 })).toContainText(CUSTOMER);
  await expect(portal.locator('.balance')).toContainText('3,187.50');
  await customer.close();
});

/** The plain-text part of the message file argv[1], decoded. */
const PLAIN_TEXT = `
import email, sys
from email import policy
with open(sys.argv[1], 'rb') as f:
    message = email.message_from_binary_file(f, policy=policy.default)
print(message.get_body(preferencelist=('plain',)).get_content())
`;
