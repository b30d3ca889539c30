// Steps a billing officer takes, shared by the specs.
import { expect, type Page } from '@playwright/test';
import { OWNER } from './remit';

export interface Line {
  description: string;
  quantity: string;
  unitPrice: string;
  taxRate: string;
}

export async function createCustomer(page: Page, name: string, email: string): Promise<void> {
  await page.getByTestId('new-customer').click();
  await page.locator('input[name="name"]').fill(name);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="payment_terms_days"]').fill('14');
  await page.getByTestId('save-customer').click();
  await expect(page.getByTestId('customer-row').filter({ hasText: name })).toBeVisible();
}

export async function fillDraft(page: Page, customer: string, lines: Line[]): Promise<void> {
  await page.locator('select[name="customer_id"]').selectOption({ label: customer });
  for (const [i, line] of lines.entries()) {
    const description = page.locator(`input[name="lines[${i}].description"]`);
    if ((await description.count()) === 0) await page.getByTestId('add-line').click();
    await description.fill(line.description);
    await page.locator(`input[name="lines[${i}].quantity"]`).fill(line.quantity);
    await page.locator(`input[name="lines[${i}].unit_price"]`).fill(line.unitPrice);
    await page.locator(`input[name="lines[${i}].tax_rate"]`).fill(line.taxRate);
  }
}

export async function shownTotals(page: Page) {
  const text = async (id: string) => (await page.getByTestId(id).textContent())?.trim();
  return { net: await text('total-net'), tax: await text('total-tax'), due: await text('total-due') };
}

/** Every record of an IndexedDB store of the app, read the way any other script on the origin could. */
export async function idbRecords(page: Page, store: string): Promise<unknown[]> {
  return page.evaluate(
    (store) =>
      new Promise<unknown[]>((ok, fail) => {
        const open = indexedDB.open('remit');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction(store, 'readonly').objectStore(store).getAll();
          req.onerror = () => fail(req.error);
          req.onsuccess = () => {
            db.close();
            ok(req.result);
          };
        };
      }),
    store,
  );
}

/** Finds, anywhere in a stored record, the first object under `key` (records may hold JSON text). */
export function dig(value: unknown, key: string): any {
  if (typeof value === 'string' && (value.startsWith('{') || value.startsWith('['))) {
    try {
      return dig(JSON.parse(value), key);
    } catch {
      return undefined;
    }
  }
  if (value && typeof value === 'object') {
    if (key in (value as Record<string, unknown>)) return (value as Record<string, unknown>)[key];
    for (const child of Object.values(value as Record<string, unknown>)) {
      const found = dig(child, key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

export async function waitUntilSynced(page: Page): Promise<void> {
  await expect(page.getByTestId('pending-count')).toHaveText('0', { timeout: 30_000 });
}

/** First run: sets up the organisation (Europe/Oslo, NOK) and its owner. */
export async function setUp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('input[name="organisation_name"]').fill(OWNER.organisation);
  await page.locator('input[name="time_zone"]').fill('Europe/Oslo');
  await page.locator('input[name="currency"]').fill('NOK');
  await page.locator('input[name="name"]').fill(OWNER.name);
  await page.locator('input[name="email"]').fill(OWNER.email);
  await page.locator('input[name="password"]').fill(OWNER.password);
  await page.getByTestId('set-up').click();
  await expect(page.getByTestId('new-invoice')).toBeVisible();
}

/** Completes the seller in the settings, so invoices can be issued, and waits until it is on the server. */
export async function completeSettings(page: Page): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.locator('input[name="seller.tax_id"]').fill('NO999999999MVA');
  await page.locator('textarea[name="seller.address.lines"]').fill('Strandgata 5');
  await page.locator('input[name="seller.address.postcode"]').fill('9008');
  await page.locator('input[name="seller.address.city"]').fill('Tromsø');
  await page.locator('input[name="seller.address.country"]').fill('NO');
  await page.getByTestId('save-settings').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await expect(page.getByTestId('seller-incomplete')).toBeHidden();
  await waitUntilSynced(page);
}

/** Issues a new invoice for `customer` with `lines`; returns the issue date's year. */
export async function issueDraft(page: Page, customer: string, lines: Line[]): Promise<string> {
  await page.locator('a.brand').click();
  await page.getByTestId('new-invoice').click();
  await fillDraft(page, customer, lines);
  const year = (await page.locator('input[name="issue_date"]').inputValue()).slice(0, 4);
  await page.getByTestId('issue-invoice').click();
  return year;
}
