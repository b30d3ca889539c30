// The catalogue and the keyboard-first editor: two items made on the items screen, then an invoice built
// with the keyboard alone — items picked by typing, lines added with Enter, a line duplicated and moved,
// the `?` overlay opened and closed — saved, with core's totals on screen and in IndexedDB.
import { expectAccessible } from './axe';
import { test, expect, signIn } from './remit';
import { goHome, createCustomer, createItem, dig, focusedName, idbRecords } from './invoicing';

const CUSTOMER = 'Nordlys Shipping ASA';

test('items from the catalogue, an invoice built with the keyboard alone', async ({ page, remit }, testInfo) => {
  remit.addOwner();
  await signIn(page, remit.url);
  await createCustomer(page, CUSTOMER, 'ap@nordlys.example');

  // The catalogue: a field core refuses is named beside the field, in words.
  await page.getByTestId('nav-items').click();
  await expect(page.getByTestId('no-items')).toBeVisible();
  await page.getByTestId('new-item').click();
  await page.locator('input[name="name"]').fill('Hull inspection');
  await page.locator('input[name="unit_price"]').fill('-950');
  await page.locator('input[name="tax_rate"]').fill('25');
  await page.getByTestId('save-item').click();
  await expect(page.getByTestId('field-error')).toHaveText('The unit price must not be negative');
  await page.locator('input[name="unit_price"]').fill('950');
  await page.locator('input[name="unit"]').fill('HUR');
  await page.getByTestId('save-item').click();
  await expect(page.getByTestId('item-row')).toHaveCount(1);
  await createItem(page, 'Crème hull cleaner', '80', '15', 'C62');
  await createItem(page, 'Old rope', '10', '25', 'C62');

  // Archived: hidden from the list (and from the picker) unless asked for, kept on the device.
  await page.getByTestId('item-row').filter({ hasText: 'Old rope' }).getByTestId('item-name').click();
  await page.getByTestId('archive-item').click();
  await expect(page.getByTestId('item-row')).toHaveCount(2);
  await page.locator('input[name="with_archived"]').check();
  await expect(page.getByTestId('item-row').filter({ hasText: 'Archived' })).toHaveText(/Old rope/);
  await page.locator('input[name="with_archived"]').uncheck();

  // Search as you type: any word's start, without case or accents.
  await page.locator('input[name="item_search"]').fill('CREME');
  await expect(page.getByTestId('item-row')).toHaveCount(1);
  await page.locator('input[name="item_search"]').fill('hull');
  await expect(page.getByTestId('item-row')).toHaveCount(2);
  await expectAccessible(page, 'items');
  await testInfo.attach('items screen', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
  expect((await idbRecords(page, 'item')).length).toBe(3);

  // The editor, from here on with the keyboard alone.
  await goHome(page);
  await page.getByTestId('new-invoice').click();
  await page.locator('select[name="customer_id"]').focus();
  await page.keyboard.type('Nordlys');
  await expect(page.locator('input[name="due_date"]')).not.toHaveValue('');

  // Alt+I lists the items for the first line; typing narrows the list, Enter takes the item.
  await page.keyboard.press('Alt+I');
  await expect.poll(() => focusedName(page)).toBe('lines[0].description');
  await page.keyboard.type('insp');
  const options = page.getByRole('listbox', { name: 'Items' }).getByRole('option');
  await expect(options).toHaveCount(1);
  await expect(page.getByRole('combobox', { name: 'Description' }).first()).toHaveAttribute('aria-expanded', 'true');
  await expectAccessible(page, 'editor with the item list open');
  await page.keyboard.press('Enter');
  await expect.poll(() => focusedName(page)).toBe('lines[0].quantity');
  await expect(page.locator('input[name="lines[0].unit_price"]')).toHaveValue('950');
  await page.keyboard.type('3');
  // Enter walks the cells; on the last cell of the last line it adds a line.
  for (let i = 0; i < 4; i += 1) await page.keyboard.press('Enter');
  await expect.poll(() => focusedName(page)).toBe('lines[1].description');

  // ↓ opens the list and moves through it; Escape closes it without taking anything.
  await page.keyboard.type('hull');
  await expect(options).toHaveCount(2);
  await page.keyboard.press('Escape');
  await expect(options).toHaveCount(0);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page.locator('input[name="lines[1].description"]')).toHaveValue('Crème hull cleaner');
  await expect(page.locator('select[name="lines[1].tax_category"]')).toHaveValue('S');
  await expect(page.locator('input[name="lines[1].tax_rate"]')).toHaveValue('15');
  await expect.poll(() => focusedName(page)).toBe('lines[1].quantity');
  await page.keyboard.type('2');

  // Duplicate the line (Alt+Shift+↓), make the copy 5, move it up (Alt+↑).
  await page.keyboard.press('Alt+Shift+ArrowDown');
  await expect.poll(() => focusedName(page)).toBe('lines[2].quantity');
  await page.keyboard.type('5');
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => focusedName(page)).toBe('lines[1].quantity');
  await expect(page.locator('input[name="lines[1].quantity"]')).toHaveValue('5');
  await expect(page.locator('input[name="lines[2].quantity"]')).toHaveValue('2');

  // A new empty line (Alt+N) and its deletion (Alt+Delete).
  await page.keyboard.press('Alt+N');
  await expect.poll(() => focusedName(page)).toBe('lines[2].description');
  await expect(page.locator('input[name$="].description"]')).toHaveCount(4);
  await page.keyboard.press('Alt+Delete');
  await expect(page.locator('input[name$="].description"]')).toHaveCount(3);
  await expect.poll(() => focusedName(page)).toBe('lines[2].description');

  // An error core finds shows beside its cell, in words; the draft is not saved.
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.press('Shift+Enter');
  await expect.poll(() => focusedName(page)).toBe('lines[1].unit_price');
  await page.keyboard.type('-80');
  await page.keyboard.press('Control+S');
  await expect(page.getByTestId('cell-error')).toHaveText('Line 2: unit price must not be negative');
  await expect(page.locator('input[name="lines[1].unit_price"]')).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('80');
  await expect(page.getByTestId('cell-error')).toHaveCount(0);

  // The ? overlay, from a cell where ? does not type: the table of shortcuts, Escape closes it.
  await page.keyboard.press('Enter');
  await expect.poll(() => focusedName(page)).toBe('lines[1].tax_category');
  await page.keyboard.press('?');
  const overlay = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(overlay).toBeVisible();
  await expect(overlay).toHaveAttribute('aria-modal', 'true');
  await expect(overlay.getByRole('row').filter({ hasText: 'Duplicate the current line' })).toContainText('Alt + Shift + ↓');
  expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('dialog'))).toBe(true);
  await expectAccessible(page, 'shortcuts overlay');
  await testInfo.attach('shortcuts overlay', { body: await page.screenshot(), contentType: 'image/png' });
  await page.keyboard.press('Escape');
  await expect(overlay).toBeHidden();
  await expect.poll(() => focusedName(page)).toBe('lines[1].tax_category');

  // Core's totals: 3 × 950 at 25 %, 5 × 80 and 2 × 80 at 15 %.
  await expect(page.getByTestId('total-net')).toHaveText('3410.00');
  await expect(page.getByTestId('total-tax')).toHaveText('796.50');
  await expect(page.getByTestId('total-due')).toHaveText('4206.50');
  await expectAccessible(page, 'draft editor');

  // Ctrl+S saves; the stored draft holds the same lines and totals.
  await page.keyboard.press('Control+S');
  await expect(page.getByTestId('new-invoice')).toBeVisible();
  const drafts = await idbRecords(page, 'invoice_drafts');
  expect(drafts).toHaveLength(1);
  const lines = dig(drafts[0], 'lines') as { description: string; quantity: string }[];
  expect(lines.map((l) => [l.description, l.quantity])).toEqual([
    ['Hull inspection', '3'],
    ['Crème hull cleaner', '5'],
    ['Crème hull cleaner', '2'],
  ]);
  expect(dig(drafts[0], 'amount_due')).toMatchObject({ amount: '4206.50' });
});
