// Credit notes in the app (issues #13, #14): an issued invoice credited by chosen lines, offline first —
// core refuses more than was invoiced, naming the field; the credit note waits for the server's number
// with the totals core decided; once synced it has its number, its PDF, and is sent by mail.
import { execFileSync } from 'node:child_process';
import { expectAccessible } from './axe';
import { test, expect } from './remit';
import { setUpWithInvoice, waitUntilSynced, type Line } from './invoicing';

const CUSTOMER = 'Nordlys Shipping ASA';
const LINES: Line[] = [
  { description: 'Hull inspection', quantity: '3', unitPrice: '950', taxRate: '25' },
  { description: 'Chart update', quantity: '2', unitPrice: '480', taxRate: '25' },
  { description: 'Travel', quantity: '1', unitPrice: '300', taxRate: '25' },
];

test('two lines of an invoice credited offline, numbered by the server, downloaded and sent by mail', async ({
  page,
  remit,
}, testInfo) => {
  const year = await setUpWithInvoice(page, remit.url, CUSTOMER, 'ap@nordlys.example', LINES);
  const invoiceNumber = `INV-${year}-000001`;

  // Offline: one hull inspection and both chart updates. Four inspections are more than were invoiced.
  await page.context().setOffline(true);
  await expect(page.getByTestId('sync-status')).toHaveText('offline');
  await page.getByTestId('credit-note-form').locator('summary').click();
  await page.getByTestId('credit-chosen-lines').check();
  await page.getByTestId('credit-line-0').check();
  await page.getByTestId('credit-line-1').check();
  await expect(page.getByTestId('credit-quantity-0')).toHaveValue('3');
  await expect(page.getByTestId('credit-quantity-1')).toHaveValue('2');
  await page.getByTestId('credit-quantity-0').fill('4');
  await page.getByTestId('issue-credit-note').click();
  await expect(page.getByTestId('field-error')).toContainText('Line 1: quantity must be between 0 and 3');
  await expect(page.getByTestId('pending-count')).toHaveText('0');

  // 1 × 950 + 2 × 480 = 1910.00; 25 % = 477.50: 2387.50 credited.
  await page.getByTestId('credit-quantity-0').fill('1');
  await page.getByTestId('issue-credit-note').click();
  await expect(page).toHaveURL(/\/credit-notes\/[0-9a-f-]+$/);
  await expect(page.getByTestId('awaiting-number')).toBeVisible();
  await expect(page.getByTestId('credit-note-invoice')).toHaveText(invoiceNumber);
  await expect(page.getByTestId('line')).toHaveCount(2);
  await expect(page.getByTestId('total-due')).toHaveText('2387.50');
  await expect(page.getByTestId('pending-count')).toHaveText('1');

  // Online: the server numbers it, and the screen shows its record in place.
  await page.context().setOffline(false);
  await waitUntilSynced(page);
  const number = `CN-${year}-000001`;
  await expect(page.getByTestId('credit-note-number')).toHaveText(number, { timeout: 30_000 });
  await expect(page.getByTestId('total-due')).toHaveText('2387.50');

  // The invoice lists it, linking back here; what is left to credit of the hull inspection is 2.
  await page.getByTestId('credit-note-invoice').click();
  await expect(page.getByTestId('invoice-number')).toHaveText(invoiceNumber);
  const row = page.getByTestId('credit-note-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('credit-note-amount')).toContainText('2387.50');
  await page.getByTestId('credit-note-form').locator('summary').click();
  await page.getByTestId('credit-chosen-lines').check();
  await expect(page.getByTestId('credit-quantity-0')).toHaveValue('2');
  await expect(page.getByTestId('credit-quantity-1')).toHaveValue('0');
  await expectAccessible(page, 'an invoice with a credit note and the credit form');
  await row.getByTestId('credit-note-link').click();
  await expect(page.getByTestId('credit-note-number')).toHaveText(number);

  // Its PDF: the credit note's number, the invoice it corrects, and the amount.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-pdf').click()]);
  expect(download.suggestedFilename()).toBe(`${number}.pdf`);
  const text = execFileSync('pdftotext', ['-layout', await download.path(), '-']).toString();
  for (const value of [number, invoiceNumber, '2,387.50']) {
    expect(text).toContain(value);
  }

  // Sent by mail: the relay receives it with the credit note's PDF attached.
  const to = `ap-${Date.now()}@nordlys.example`;
  await page.locator('input[name="mail_to"]').fill(to);
  await page.locator('textarea[name="mail_message"]').fill('Our correction of the inspection and the charts.');
  await page.getByTestId('send-mail').click();
  await waitUntilSynced(page);
  await expect.poll(() => remit.mail.messages(to).length, { timeout: 30_000 }).toBe(1);
  const [message] = remit.mail.messages(to);
  const mail = execFileSync('python3', ['-c', DESCRIBE_MAIL, message]).toString();
  expect(mail).toContain(number);
  expect(mail).toContain(`attachment ${number}.pdf`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('mail-status')).toHaveText('Sent', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expectAccessible(page, 'a credit note with its mail');
  await testInfo.attach('credit note', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
});

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
