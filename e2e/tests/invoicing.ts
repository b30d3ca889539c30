// Steps a billing officer takes, shared by the specs.
import { randomUUID } from 'node:crypto';
import { expect, type Locator, type Page } from '@playwright/test';
import { OWNER } from './remit';

/** Goes to the home screen by the header's brand link. A click that lands while the app is busy with a
 * route change is missed by the router now and then on a loaded machine (seen once in CI): it clicks again
 * until the address is the home screen's. */
export async function goHome(page: Page): Promise<void> {
  await expect(async () => {
    await page.locator('a.brand').click();
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 2_000 }).toBe('/');
  }).toPass({ timeout: 30_000 });
}

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

/** A catalogue item, made on the items screen (priced in the organisation's currency unless given). */
export async function createItem(page: Page, name: string, price: string, rate: string, unit: string, currency?: string) {
  await page.getByTestId('new-item').click();
  await page.locator('input[name="name"]').fill(name);
  await page.locator('input[name="unit_price"]').fill(price);
  if (currency) await page.locator('input[name="currency"]').fill(currency);
  await page.locator('input[name="tax_rate"]').fill(rate);
  await page.locator('input[name="unit"]').fill(unit);
  await page.getByTestId('save-item').click();
  await expect(page.getByTestId('item-row').filter({ hasText: name })).toBeVisible();
}

/** The focused element's `name`. */
export async function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('name') ?? null);
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
  await goHome(page);
  await page.getByTestId('new-invoice').click();
  await fillDraft(page, customer, lines);
  const year = (await page.locator('input[name="issue_date"]').inputValue()).slice(0, 4);
  await page.getByTestId('issue-invoice').click();
  return year;
}

/** Named terms: 2 % off within 10 days, net 30. */
export const TWO_TEN_NET_30 = {
  name: '2/10 net 30',
  plan: {
    instalments: [{ percent: '100', terms: { kind: 'net', days: 30 } }],
    discount: { percent: '2', days: 10, vat: 'reduces_vat' },
  },
};

/**
 * Changes the organisation's settings through the sync API the app itself pushes to (a `settings.save`
 * from a second client of the same owner), then lets the app pull them.
 */
export async function seedSettings(page: Page, url: string, changes: Record<string, unknown>): Promise<void> {
  // The save names the version it edits: until the app has pulled the server's latest settings (a
  // lease taken after the seller was completed changes them too), the server refuses it as stale, and
  // it is made again from what the app holds by then.
  await expect(async () => {
    const [settings] = (await idbRecords(page, 'settings')) as unknown[];
    const current = findSettings(settings);
    expect(current).toBeDefined();
    const reply = await page.request.post(`${url}/api/sync/push`, {
      headers: { 'X-Remit-Request': '1' },
      data: {
        protocol_version: 2,
        client_id: uuidV7(),
        mutations: [{ id: 1, name: 'settings.save', args: { ...current, ...changes } }],
      },
    });
    expect(reply.ok()).toBe(true);
    expect((await reply.json()).results[0]).toMatchObject({ status: 'applied' });
  }).toPass({ timeout: 30_000 });
  await page.reload();
  await waitUntilSynced(page);
  for (const [key, value] of Object.entries(changes)) {
    await expect.poll(async () => dig(await idbRecords(page, 'settings'), key), { timeout: 30_000 }).toEqual(value);
  }
}

/** The settings object in a stored record (the record may wrap it, or hold it as JSON text). */
function findSettings(record: unknown): Record<string, unknown> | undefined {
  let value: unknown = record;
  if (typeof value === 'string') value = JSON.parse(value);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('seller' in object && 'organisation_id' in object) return object;
    for (const child of Object.values(object)) {
      const found = findSettings(child);
      if (found) return found;
    }
  }
  return undefined;
}

/** A UUIDv7-shaped id for the second client: time first, as the server expects of client ids. */
export function uuidV7(): string {
  const time = Date.now().toString(16).padStart(12, '0');
  const rest = randomUUID().replace(/-/g, '').slice(12);
  const hex = `${time}7${rest.slice(1, 4)}${'89ab'[Math.floor(Math.random() * 4)]}${rest.slice(5, 20)}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}


/** Opens the inbox and reloads it (each start pulls) until it lists one thread; that thread's row. */
export async function inboxWithOneThread(page: Page, url: string): Promise<Locator> {
  await page.goto(`${url}/inbox`);
  const row = page.getByTestId('thread-row');
  await expect(async () => {
    await page.reload();
    await expect(row).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  return row;
}

/**
 * First run with a complete seller, `customer` (at `email`) and their first invoice of `lines` issued and
 * synced; the issue date's year.
 */
export async function setUpWithInvoice(
  page: Page,
  url: string,
  customer: string,
  email: string,
  lines: Line[],
): Promise<string> {
  await setUp(page, url);
  await completeSettings(page);
  await goHome(page);
  await createCustomer(page, customer, email);
  const year = await issueDraft(page, customer, lines);
  await expect(page.getByTestId('invoice-number')).toHaveText(`INV-${year}-000001`, { timeout: 30_000 });
  await waitUntilSynced(page);
  return year;
}
