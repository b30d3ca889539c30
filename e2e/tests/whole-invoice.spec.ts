// The whole invoice (issue #12), built offline with the keyboard (dates filled in): items from the catalogue, a line
// allowance, a document allowance and a freight charge, two VAT rates and an exempt line with its reason,
// VAT-inclusive prices, in EUR for a NOK organisation at a confirmed rate, on 2/10 net 30. Issued offline
// under a leased number, synced online: the screen, IndexedDB and the server hold the same totals to the
// cent; its PDF downloaded, and the invoice sent by mail (queued offline) with its files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectAccessible } from './axe';
import { test, expect, signIn } from './remit';
import { goHome, completeSettings, createCustomer, createItem, dig, focusedName, idbRecords, seedSettings, TWO_TEN_NET_30, waitUntilSynced } from './invoicing';
import type { Page } from '@playwright/test';

const CUSTOMER = 'Nordlys Shipping ASA';

/** Focuses `selector` and types `text` over what it holds, with the keyboard. */
async function typeInto(page: Page, selector: string, text: string) {
  await page.locator(selector).focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/** Picks the catalogue item whose name starts with `search` for the focused line (Alt+I). */
async function pickItem(page: Page, line: number, search: string) {
  await page.keyboard.press('Alt+I');
  await expect.poll(() => focusedName(page)).toBe(`lines[${line}].description`);
  await page.keyboard.type(search);
  await expect(page.getByRole('listbox', { name: 'Items' }).getByRole('option')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect.poll(() => focusedName(page)).toBe(`lines[${line}].quantity`);
}

test('the whole invoice, built offline with the keyboard, issued and synced with the same totals', async ({
  page,
  remit,
}, testInfo) => {
  remit.addOwner();
  await signIn(page, remit.url);
  await completeSettings(page);
  await seedSettings(page, remit.url, { payment_terms: [TWO_TEN_NET_30], accounting_currency: 'NOK' });
  await expect.poll(async () => (await idbRecords(page, 'number_lease')).length, { timeout: 30_000 }).toBe(1);
  await page.getByTestId('nav-items').click();
  // Priced in euros: the editor offers an EUR invoice only items priced in EUR.
  await createItem(page, 'Hull inspection', '950', '25', 'HUR', 'EUR');
  await createItem(page, 'Chart update', '480', '15', 'C62', 'EUR');
  await goHome(page);
  await createCustomer(page, CUSTOMER, 'ap@nordlys.example');
  await waitUntilSynced(page);

  await page.context().setOffline(true);
  await expect(page.getByTestId('sync-status')).toHaveText('offline');
  await goHome(page);
  await page.getByTestId('new-invoice').click();
  await page.locator('select[name="customer_id"]').focus();
  await page.keyboard.type('Nordlys');
  const issueDate = await page.locator('input[name="issue_date"]').inputValue();
  await typeInto(page, 'input[name="currency"]', 'EUR');
  await typeInto(page, 'input[name="accounting_rate"]', '11.725');
  // A date picker's keys depend on the browser's locale: the date is filled in.
  await page.locator('input[name="accounting_rate_date"]').fill(issueDate);
  await page.locator('select[name="terms"]').focus();
  await page.keyboard.type('2/10');
  await expect(page.locator('input[name="due_date"]')).not.toHaveValue(issueDate);
  await page.getByRole('switch', { name: 'Prices include VAT' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('switch', { name: 'Prices include VAT' })).toBeChecked();

  // Line 1: two hours of hull inspection at 950 with VAT, 10 % off the line.
  await page.locator('input[name="lines[0].description"]').focus();
  await pickItem(page, 0, 'insp');
  await page.keyboard.type('2');
  await page.getByTestId('line-details-0-toggle').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('input[name="lines[0].unit_code"]')).toHaveValue('HUR');
  await page.getByTestId('lines[0].add-adjustment').focus();
  await page.keyboard.press('Enter');
  await typeInto(page, 'input[name="lines[0].adjustment-0-value"]', '10');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Loyalty');

  // Line 2: freight to Svalbard, exempt, with its reason.
  await page.locator('input[name="lines[0].quantity"]').focus();
  await page.keyboard.press('Alt+N');
  await expect.poll(() => focusedName(page)).toBe('lines[1].description');
  await page.keyboard.type('Freight to Svalbard');
  for (const value of ['1', '500', 'E', '0']) {
    await page.keyboard.press('Enter');
    await page.keyboard.type(value);
  }
  await page.getByTestId('line-details-1-toggle').focus();
  await page.keyboard.press('Enter');
  await typeInto(page, 'input[name="lines[1].exemption.text"]', 'Exempt: transport to Svalbard (VAT Act § 6-22)');

  // Line 3: a chart update at the reduced rate.
  await page.locator('input[name="lines[1].quantity"]').focus();
  await page.keyboard.press('Alt+N');
  await pickItem(page, 2, 'chart');
  await page.keyboard.type('1');

  // On the whole invoice: 3 % off the 25 % lines, 125.00 freight with VAT.
  for (const [i, kind, value, unit, reason, code] of [
    [0, 'Allowance', '3', '%', 'Volume discount', '95'],
    [1, 'Charge', '125', 'Amount', 'Freight', 'FC'],
  ] as const) {
    await page.getByTestId('add-adjustment').focus();
    await page.keyboard.press('Enter');
    await page.locator(`select[name="adjustment-${i}-kind"]`).focus();
    await page.keyboard.type(kind);
    await typeInto(page, `input[name="adjustment-${i}-value"]`, value);
    await page.keyboard.press('Tab');
    await page.keyboard.type(unit);
    await page.keyboard.press('Tab');
    await page.keyboard.type(reason);
    await page.keyboard.press('Tab');
    await page.keyboard.type(code);
    await page.keyboard.press('Tab');
    await page.keyboard.type('S');
    await page.keyboard.press('Tab');
    await page.keyboard.type('25');
  }

  // Core's totals, VAT carved out of the prices shown: 25 %: 1900 less 190 less 51.30 plus 125 is
  // 1783.70, VAT 356.74; 15 %: 480, VAT 62.61; exempt 500. Every cent reproduces with net prices.
  await expect(page.getByTestId('total-due')).toHaveText('2763.70');
  await expect(page.getByTestId('total-tax')).toHaveText('419.35');
  await expect(page.getByTestId('rounding-warning')).toHaveCount(0);
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  await expect(page.getByTestId('cell-error')).toHaveCount(0);
  await expect(page.getByTestId('schedule-due')).toBeVisible();
  await expect(page.getByTestId('schedule-instalment')).toContainText('2763.70');
  await expectAccessible(page, 'the whole invoice in the editor');
  await testInfo.attach('whole invoice', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });

  // Saved offline: IndexedDB holds what the screen shows.
  await page.keyboard.press('Control+S');
  await expect(page.getByTestId('new-invoice')).toBeVisible();
  const [draft] = (await idbRecords(page, 'invoice_drafts')) as unknown[];
  expect(dig(draft, 'amount_due')).toMatchObject({ amount: '2763.70' });
  expect(dig(draft, 'tax_total')).toMatchObject({ amount: '419.35' });
  // C62 (one) is the unit a line has unless it says otherwise, and is left out of the stored JSON.
  const lines = dig(draft, 'lines') as any[];
  expect(lines.map((l) => [l.tax_category, l.unit_code ?? 'C62', l.exemption?.text ?? ''])).toEqual([
    ['S', 'HUR', ''],
    ['E', 'C62', 'Exempt: transport to Svalbard (VAT Act § 6-22)'],
    ['S', 'C62', ''],
  ]);
  expect(lines[0].allowances).toEqual([{ percent: '10', reason: 'Loyalty' }]);
  expect(dig(draft, 'charges')).toEqual([
    { adjustment: { amount: '125', reason_code: 'FC', reason: 'Freight' }, tax_category: 'S', tax_rate: '25' },
  ]);

  // Issued offline under the device's leased number.
  await page.getByTestId('draft-row').first().click();
  await page.locator('input[name="lines[0].quantity"]').focus();
  await page.keyboard.press('Control+Shift+Enter');
  await expect(page.getByTestId('invoice-number')).toHaveText(/-L1-000001$/);
  await expect(page.getByTestId('total-due')).toHaveText('2763.70');
  await expect(page.getByTestId('total-tax')).toHaveText('419.35');

  // Online: the server records the same totals, and the rate's VAT in NOK.
  await page.context().setOffline(false);
  await waitUntilSynced(page);
  const response = await page.request.get(`${remit.url}/api/invoices`);
  expect(response.ok()).toBe(true);
  const invoices: any[] = await response.json();
  expect(invoices).toHaveLength(1);
  const snapshot = invoices[0].snapshot;
  expect(snapshot.totals.amount_due.amount).toBe('2763.70');
  expect(snapshot.totals.tax_total.amount).toBe('419.35');
  expect(snapshot.document.currency).toBe('EUR');
  const stored = (await idbRecords(page, 'invoice')) as any[];
  expect(stored.find((i) => i.id === invoices[0].id)?.digest).toBe(invoices[0].digest);

  // Its PDF, from the app: the same number and amounts, in the customer's language (English).
  await goHome(page);
  const row = page.getByTestId('invoice-row').filter({ hasText: snapshot.number });
  await expect(row.getByTestId('awaiting-sync')).toBeHidden({ timeout: 30_000 });
  await row.getByTestId('invoice-row-number').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-pdf').click()]);
  expect(download.suggestedFilename()).toBe(`${snapshot.number}.pdf`);
  const text = execFileSync('pdftotext', ['-layout', await download.path(), '-']).toString();
  for (const value of [snapshot.number, '2,763.70', '419.35', 'Exempt: transport to Svalbard', 'Loyalty']) {
    expect(text).toContain(value);
  }

  // Sent by mail, offline first: queued in the outbox, sent once synced, with the PDF (its CII inside)
  // and the UBL attached.
  await page.context().setOffline(true);
  const to = `ap-${Date.now()}@nordlys.example`;
  await page.locator('input[name="mail_to"]').fill(to);
  await page.locator('textarea[name="mail_message"]').fill('Thank you for your order.');
  await page.getByTestId('send-mail').click();
  await expect(page.getByTestId('pending-count')).toHaveText('1');
  expect(remit.mail.messages(to)).toHaveLength(0);
  await page.context().setOffline(false);
  await waitUntilSynced(page);
  await expect.poll(() => remit.mail.messages(to).length, { timeout: 30_000 }).toBe(1);
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('mail-status')).toHaveText('Sent', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expectAccessible(page, 'an issued invoice with its mail');

  const files = mkdtempSync(join(tmpdir(), 'remit-e2e-attachments-'));
  try {
    execFileSync('python3', ['-c', SAVE_ATTACHMENTS, remit.mail.messages(to)[0], files]);
    const pdf = join(files, `${snapshot.number}.pdf`);
    expect(execFileSync('pdftotext', ['-layout', pdf, '-']).toString()).toContain('2,763.70');
    execFileSync('pdfdetach', ['-saveall', '-o', files, pdf]);
    expect(readFileSync(join(files, 'factur-x.xml'), 'utf8')).toContain(snapshot.number);
    const ubl = readFileSync(join(files, `${snapshot.number}.xml`), 'utf8');
    expect(ubl).toContain('<cbc:PayableAmount currencyID="EUR">2763.70</cbc:PayableAmount>');
  } finally {
    rmSync(files, { recursive: true, force: true });
  }
});

/** Saves each attachment of the message file argv[1] into the folder argv[2], under its own name. */
const SAVE_ATTACHMENTS = `
import email, os, sys
from email import policy
with open(sys.argv[1], 'rb') as f:
    message = email.message_from_binary_file(f, policy=policy.default)
for part in message.iter_attachments():
    content = part.get_content()
    with open(os.path.join(sys.argv[2], part.get_filename()), 'wb') as out:
        out.write(content if isinstance(content, bytes) else content.encode())
`;
