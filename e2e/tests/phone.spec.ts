// The home screen on a phone (390 px wide): with three invoices, no table is wider than its card and the
// page never scrolls sideways.
import { test, expect } from './remit';
import { goHome, completeSettings, createCustomer, issueDraft, setUp, type Line } from './invoicing';

const CUSTOMER = 'Nordlys Shipping ASA';
const LINES: Line[] = [{ description: 'Hull inspection', quantity: '3', unitPrice: '950', taxRate: '25' }];

test('at 390 px the home screen with three invoices has no horizontal overflow', async ({ page, remit }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await setUp(page, remit.url);
  await completeSettings(page);
  await goHome(page);
  await createCustomer(page, CUSTOMER, 'ap@nordlys.example');
  for (let i = 1; i <= 3; i++) {
    await issueDraft(page, CUSTOMER, LINES);
    await expect(page.getByTestId('invoice-number')).toHaveText(/INV-\d{4}-00000\d/, { timeout: 30_000 });
  }
  await goHome(page);
  await expect(page.getByTestId('invoice-row')).toHaveCount(3);

  const overflow = await page.evaluate(() => {
    const wide = (el: Element) => el.scrollWidth > el.clientWidth;
    const cards = [...document.querySelectorAll('.card')].filter(wide).map((el) => el.querySelector('h2')?.textContent);
    return { page: wide(document.documentElement), cards };
  });
  expect(overflow).toEqual({ page: false, cards: [] });
  await page.screenshot({ path: testInfo.outputPath('home-390px.png'), fullPage: true });
  await testInfo.attach('home at 390 px', { path: testInfo.outputPath('home-390px.png'), contentType: 'image/png' });
});
