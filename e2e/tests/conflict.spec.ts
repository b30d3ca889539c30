import { expectAccessible } from './axe';
import { test, expect, signIn } from './remit';
import { createCustomer, fillDraft, shownTotals, waitUntilSynced, type Line } from './invoicing';
import type { Locator } from '@playwright/test';

const CUSTOMER = 'Nordlys Shipping ASA';
const LINES: Line[] = [
  { description: 'Hull inspection', quantity: '2', unitPrice: '150', taxRate: '25' },
  { description: 'Travel', quantity: '1', unitPrice: '80.50', taxRate: '25' },
];
// Device A: 3 × 150 = 450.00 + 80.50 = 530.50; 25 % = 132.625 → 132.63.
const THEIRS = { net: '530.50', tax: '132.63', due: '663.13' };
// Device B: 300.00 + 92.45 + 310.00 = 702.45; 25 % = 175.6125 → 175.61.
const MINE = { net: '702.45', tax: '175.61', due: '878.06' };
// A's line 1, B's line 2 and B's new line: 450.00 + 92.45 + 310.00 = 852.45; 25 % = 213.1125 → 213.11.
const MERGED = { net: '852.45', tax: '213.11', due: '1065.56' };

async function totalsIn(panel: Locator) {
  const text = async (id: string) => (await panel.getByTestId(id).textContent())?.trim();
  return { net: await text('total-net'), tax: await text('total-tax'), due: await text('total-due') };
}

test('a draft edited on two devices offline is merged line by line, and the merge reaches the server and the other device', async ({
  page: a,
  browser,
  remit,
}) => {
  remit.addOwner();
  await signIn(a, remit.url);
  await createCustomer(a, CUSTOMER, 'ap@nordlys.example');
  await a.getByTestId('new-invoice').click();
  await fillDraft(a, CUSTOMER, LINES);
  await a.getByTestId('save-draft').click();
  await expect(a.getByTestId('draft-row')).toHaveCount(1);
  await waitUntilSynced(a);

  // Device B: the same billing officer in another browser profile, with the draft pulled and open.
  const contextB = await browser.newContext();
  const b = await contextB.newPage();
  await signIn(b, remit.url);
  await b.getByTestId('draft-row').filter({ hasText: CUSTOMER }).click();
  await expect(b.locator('input[name="lines[1].description"]')).toHaveValue('Travel');
  await a.getByTestId('draft-row').click();
  await expect(a.locator('input[name="lines[0].description"]')).toHaveValue('Hull inspection');

  await a.context().setOffline(true);
  await contextB.setOffline(true);
  await expect(a.getByTestId('sync-status')).toHaveText('offline');
  await expect(b.getByTestId('sync-status')).toHaveText('offline');

  // A changes line 1; B changes line 2 and adds a third line.
  await a.locator('input[name="lines[0].quantity"]').fill('3');
  await a.getByTestId('save-draft').click();
  await expect(a.getByTestId('pending-count')).toHaveText('1');
  await b.locator('input[name="lines[1].unit_price"]').fill('92.45');
  await b.getByTestId('add-line').click();
  await b.locator('input[name="lines[2].description"]').fill('Survey report');
  await b.locator('input[name="lines[2].unit_price"]').fill('310');
  await b.locator('input[name="lines[2].tax_rate"]').fill('25');
  await b.getByTestId('save-draft').click();
  await expect(b.getByTestId('pending-count')).toHaveText('1');

  // A syncs first and wins; B's save then conflicts and B keeps its copy.
  await a.context().setOffline(false);
  await waitUntilSynced(a);
  await contextB.setOffline(false);
  await expect(b.getByTestId('conflicts')).toBeVisible();
  await expect(b.getByTestId('draft-row')).toContainText('Changed elsewhere');
  await b.getByTestId('open-conflict').click();
  const id = new URL(b.url()).pathname.split('/').pop();

  // Both versions side by side, each with its own totals; theirs arrives with the pull after the push.
  const mine = b.getByTestId('conflict-mine');
  const theirs = b.getByTestId('conflict-theirs');
  await expect(theirs.getByTestId('line')).toHaveCount(2);
  await expect(mine.getByTestId('line')).toHaveCount(3);
  await expect(theirs.getByTestId('line').first()).toContainText('450.00');
  await expect(mine.getByTestId('line').nth(1)).toContainText('92.45');
  expect(await totalsIn(theirs)).toEqual(THEIRS);
  expect(await totalsIn(mine)).toEqual(MINE);
  await expectAccessible(b, 'conflict, both versions side by side');

  await b.getByTestId('choose-merge').check();
  await b.getByTestId('header-theirs').check();
  await b.getByTestId('pick-theirs-0').check();
  await b.getByTestId('pick-mine-1').check();
  await b.getByTestId('pick-mine-2').check();
  const result = b.getByTestId('conflict-result');
  await expect(result.getByTestId('line')).toHaveText([/Hull inspection.*450\.00/, /Travel.*92\.45/, /Survey report.*310\.00/]);
  const shown = await totalsIn(result);
  expect(shown).toEqual(MERGED);
  await expectAccessible(b, 'conflict, merging line by line');

  await b.getByTestId('save-resolution').click();
  await expect(b.getByTestId('conflicts')).toBeHidden();
  await expect(b.getByTestId('draft-row')).toContainText(MERGED.due);
  await waitUntilSynced(b);

  // The server holds the merge, based on A's version, and computes the same totals to the cent.
  const response = await b.request.get(`${remit.url}/api/invoice-drafts/${id}`);
  expect(response.ok()).toBe(true);
  const server = await response.json();
  expect(server.draft.lines.map((l: any) => [l.description, l.quantity, l.unit_price])).toEqual([
    ['Hull inspection', '3', '150'],
    ['Travel', '1', '92.45'],
    ['Survey report', '1', '310'],
  ]);
  expect(server.version).toBe(3);
  expect({
    net: server.totals.line_net_total.amount,
    tax: server.totals.tax_total.amount,
    due: server.totals.amount_due.amount,
  }).toEqual(shown);

  // A pulls the merge in its background sync and shows it with the same totals.
  await expect(a.getByTestId('draft-row')).toContainText(MERGED.due, { timeout: 30_000 });
  await a.getByTestId('draft-row').click();
  await expect(a.locator('input[name="lines[2].description"]')).toHaveValue('Survey report');
  await expect(a.locator('input[name="lines[1].unit_price"]')).toHaveValue('92.45');
  expect(await shownTotals(a)).toEqual(MERGED);
  await contextB.close();
});
