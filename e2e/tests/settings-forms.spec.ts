// The settings and customer forms capture what a printed invoice needs: the bank account (core checks
// the IBAN's digits and its error shows beside the field, in words), named payment terms such as
// "2/10 net 30", and the customer's billing address, VAT identifier and language. Each survives a reload.
import { expectAccessible } from './axe';
import { test, expect } from './remit';
import { goHome, createCustomer, setUp } from './invoicing';

test('bank account, payment terms and billing address are saved and shown again', async ({ page, remit }, testInfo) => {
  await setUp(page, remit.url);
  await page.getByTestId('nav-settings').click();

  const iban = page.locator('input[name="bank_account.iban"]');
  await iban.fill('NO93 8601 1117 948');
  await page.locator('input[name="bank_account.bic"]').fill('DNBANOKK');
  await page.locator('input[name="bank_account.name"]').fill('Fjord Consulting AS');
  await page.locator('select[name="payment_means_code"]').selectOption({ label: 'SEPA credit transfer (58)' });
  await page.locator('input[name="accounting_currency"]').fill('NOK');
  await page.getByTestId('save-settings').click();
  const besideIban = page.locator('label.field', { has: iban }).getByTestId('field-error');
  await expect(besideIban).toHaveText(/^The bank account IBAN cannot be read: an IBAN such as/);
  await expect(page.getByTestId('settings-saved')).toBeHidden();

  await iban.fill('NO93 8601 1117 947');
  await page.getByTestId('add-terms').click();
  const terms = page.getByTestId('terms-option').last();
  await terms.locator('input[name="terms.name"]').fill('2/10 net 30');
  await terms.locator('select[name="terms.kind"]').selectOption('net');
  await terms.locator('input[name="terms.days"]').fill('30');
  await terms.locator('input[name="terms.discount.percent"]').fill('2');
  await terms.locator('input[name="terms.discount.days"]').fill('10');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(page.getByTestId('field-error')).toHaveCount(0);
  await expectAccessible(page, 'settings with bank account and terms');
  await page.screenshot({ path: testInfo.outputPath('settings.png'), fullPage: true });

  await page.reload();
  await expect(iban).toHaveValue('NO93 8601 1117 947');
  await expect(page.locator('input[name="bank_account.bic"]')).toHaveValue('DNBANOKK');
  await expect(page.locator('select[name="payment_means_code"]')).toHaveValue('58');
  await expect(page.locator('input[name="accounting_currency"]')).toHaveValue('NOK');
  await expect(page.getByTestId('terms-option')).toHaveCount(1);
  await expect(terms.locator('input[name="terms.name"]')).toHaveValue('2/10 net 30');
  await expect(terms.locator('input[name="terms.days"]')).toHaveValue('30');
  await expect(terms.locator('input[name="terms.discount.percent"]')).toHaveValue('2');
  await expect(terms.locator('input[name="terms.discount.days"]')).toHaveValue('10');

  await goHome(page);
  await createCustomer(page, 'Nordlys Shipping ASA', 'ap@nordlys.example');
  await page.getByTestId('customer-row').filter({ hasText: 'Nordlys Shipping ASA' }).click();
  const country = page.locator('input[name="address.country"]');
  await page.locator('textarea[name="address.lines"]').fill('Kaiveien 1\nPostboks 12');
  await page.locator('input[name="address.postcode"]').fill('20095');
  await page.locator('input[name="address.city"]').fill('Hamburg');
  await country.fill('D9');
  await page.locator('input[name="tax_id"]').fill('DE123456789');
  await page.locator('select[name="language"]').selectOption('de');
  await page.getByTestId('save-customer').click();
  await expect(page.locator('label.field', { has: country }).getByTestId('field-error')).toHaveText(
    'The address country cannot be read: an ISO 3166-1 alpha-2 code such as NO',
  );
  await country.fill('de');
  await page.getByTestId('save-customer').click();
  await expect(page.getByTestId('new-invoice')).toBeVisible();

  await page.reload();
  await page.getByTestId('customer-row').filter({ hasText: 'Nordlys Shipping ASA' }).click();
  await expect(page.locator('textarea[name="address.lines"]')).toHaveValue('Kaiveien 1\nPostboks 12');
  await expect(page.locator('input[name="address.postcode"]')).toHaveValue('20095');
  await expect(page.locator('input[name="address.city"]')).toHaveValue('Hamburg');
  await expect(country).toHaveValue('DE');
  await expect(page.locator('input[name="tax_id"]')).toHaveValue('DE123456789');
  await expect(page.locator('select[name="language"]')).toHaveValue('de');
  await expectAccessible(page, 'customer with billing address');
});
