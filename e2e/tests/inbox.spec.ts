// The billing workspace's inbox (issue #14): a customer's dispute of one invoice line, recorded through the
// sync API as a billing user would record a call, shows in the inbox; offline, the billing officer replies
// and resolves it by a credit note of that line; back online both reach the server once, in order: the
// reply is the user's, the thread is resolved with the credit note, and the dispute it opened is upheld.
// Both screens pass axe-core and are kept as screenshots.
import { expectAccessible } from './axe';
import { test, expect } from './remit';
import {
  idbRecords,
  inboxWithOneThread,
  type Line,
  setUpWithInvoice,
  uuidV7,
  waitUntilSynced,
} from './invoicing';
import type { APIRequestContext, Page, TestInfo } from '@playwright/test';

const CUSTOMER = 'Havbris Fiskeoppdrett AS';
const LINES: Line[] = [
  { description: 'Net inspection', quantity: '2', unitPrice: '1200', taxRate: '25' },
  { description: 'Diving hours', quantity: '4', unitPrice: '650', taxRate: '25' },
];

/** Keeps a full-page screenshot in the test's output folder (an artifact) and attaches it to the report. */
async function keep(testInfo: TestInfo, name: string, page: Page): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Today in Oslo, the organisation's time zone, as `YYYY-MM-DD`. */
function osloToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date());
}

/** Every record the server holds for the signed-in owner, by entity: a full pull through `client`. */
async function pullAll(request: APIRequestContext, url: string, client: string) {
  const records: { entity: string; value: any }[] = [];
  let cookie: number | null = null;
  for (;;) {
    const reply = await request.post(`${url}/api/sync/pull?limit=500`, {
      headers: { 'X-Remit-Request': '1' },
      data: { client_id: client, cookie },
    });
    expect(reply.ok()).toBe(true);
    const page = await reply.json();
    for (const op of page.patch) if (op.op === 'put') records.push(op.record);
    cookie = page.cookie;
    if (!page.more) return records;
  }
}

test('a dispute answered and credited offline reaches the server once, the dispute upheld', async ({
  page,
  remit,
}, testInfo) => {
  const year = await setUpWithInvoice(page, remit.url, CUSTOMER, 'regnskap@havbris.example', LINES);
  const invoiceNumber = `INV-${year}-000001`;

  // The customer phoned: the diving hours (line 2) are wrong. Recorded through the sync API, as a second
  // client of the same billing user.
  const [settings] = (await idbRecords(page, 'settings')) as any[];
  const customer = ((await idbRecords(page, 'customers')) as any[]).find((c) => c.name === CUSTOMER);
  const invoice = ((await idbRecords(page, 'invoice')) as any[]).find((i) => i.customer_id === customer.id);
  expect(invoice).toBeDefined();
  const client = uuidV7();
  const threadId = uuidV7();
  const opened = await page.request.post(`${remit.url}/api/sync/push`, {
    headers: { 'X-Remit-Request': '1' },
    data: {
      protocol_version: 2,
      client_id: client,
      mutations: [
        {
          id: 1,
          name: 'thread.open',
          args: {
            id: threadId,
            organisation_id: settings.organisation_id,
            customer_id: customer.id,
            invoice_id: invoice.id,
            kind: 'dispute',
            reason: 'wrong_amount',
            lines: [2],
            message_id: uuidV7(),
            message: 'We were billed four diving hours; the divers were here for two.',
            opened_on: osloToday(),
            written_at_ms: Date.now(),
          },
        },
      ],
    },
  });
  expect(opened.ok()).toBe(true);
  expect((await opened.json()).results[0]).toMatchObject({ status: 'applied' });

  // The inbox shows it once pulled: a dispute of the invoice, waiting for an answer.
  const row = await inboxWithOneThread(page, remit.url);
  await expect(row).toContainText(CUSTOMER);
  await expect(row).toContainText(invoiceNumber);
  await expect(row).toContainText('Dispute');
  await expect(row).toContainText('Wrong amount');
  await expect(row.getByTestId('thread-state')).toHaveText('Waiting for an answer');
  await expect(page.getByTestId('inbox-waiting')).toHaveText('1');
  await page.getByTestId('inbox-state').selectOption('resolved');
  await expect(page.getByTestId('no-threads')).toBeVisible();
  await page.getByTestId('inbox-state').selectOption('');
  await expect(row).toHaveCount(1);
  await expectAccessible(page, 'the inbox');
  await keep(testInfo, 'inbox', page);

  // Offline: the thread, what was asked, a reply and the resolution by a credit note of line 2.
  await page.context().setOffline(true);
  await expect(page.getByTestId('sync-status')).toHaveText('offline');
  await row.getByTestId('thread-customer').click();
  await expect(page).toHaveURL(new RegExp(`/inbox/${threadId}$`));
  await expect(page.getByTestId('thread-kind')).toHaveText('Dispute');
  await expect(page.getByTestId('thread-invoice')).toHaveText(invoiceNumber);
  await expect(page.getByTestId('thread-line')).toHaveText(['Line 2: Diving hours']);
  await expect(page.getByTestId('thread-message')).toHaveCount(1);
  await expect(page.getByTestId('message-author')).toHaveText(['Customer']);

  await page.getByTestId('send-reply').click();
  await expect(page.getByTestId('field-error')).toContainText('The message is required');
  await page.getByTestId('reply-body').fill('You are right: we credit the two hours.');
  await page.getByTestId('send-reply').click();
  await expect(page.getByTestId('thread-message')).toHaveCount(2);
  await expect(page.getByTestId('message-author')).toHaveText(['Customer', 'Berit Billing']);
  await expect(page.getByTestId('message-pending')).toHaveCount(1);
  await expect(page.getByTestId('pending-count')).toHaveText('1');

  // A dispute is never just "answered"; a rejection says why.
  await expect(page.getByTestId('outcome-answered')).toHaveCount(0);
  await page.getByTestId('outcome-rejected').check();
  await page.getByTestId('resolve').click();
  await expect(page.getByTestId('field-error')).toContainText('The note is required');
  // The line the customer picked is chosen; two of its four hours are credited.
  await page.getByTestId('outcome-credited').check();
  await expect(page.getByTestId('credit-chosen-lines')).toBeChecked();
  await expect(page.getByTestId('credit-line-0')).not.toBeChecked();
  await expect(page.getByTestId('credit-line-1')).toBeChecked();
  await page.getByTestId('credit-quantity-1').fill('2');
  await expectAccessible(page, 'a thread with its reply and resolve forms');
  await keep(testInfo, 'thread', page);
  await page.getByTestId('resolve').click();
  await expect(page.getByTestId('resolution-pending')).toBeVisible();
  await expect(page.getByTestId('resolution-outcome')).toHaveText('Credit note');
  await expect(page.getByTestId('resolve-form')).toHaveCount(0);
  await expect(page.getByTestId('pending-count')).toHaveText('3');

  // Online: reply, credit note and resolution are pushed in that order, once.
  await page.context().setOffline(false);
  await waitUntilSynced(page);
  const creditNumber = `CN-${year}-000001`;
  await expect(page.getByTestId('resolution-credit-note')).toHaveText(creditNumber, { timeout: 30_000 });
  await expect(page.getByTestId('thread-state')).toHaveText('Resolved');
  await expect(page.getByTestId('message-pending')).toHaveCount(0);
  await expect(page.getByTestId('thread-message')).toHaveCount(2);
  await expect(page.getByTestId('inbox-waiting')).toHaveCount(0);

  const records = await pullAll(page.request, remit.url, client);
  const of = (entity: string) => records.filter((r) => r.entity === entity).map((r) => r.value);
  const messages = of('thread_message').filter((m) => m.thread_id === threadId);
  expect(messages).toHaveLength(2);
  expect(messages.filter((m) => m.author.by === 'user')).toEqual([
    expect.objectContaining({
      author: expect.objectContaining({ by: 'user', name: 'Berit Billing' }),
      body: 'You are right: we credit the two hours.',
    }),
  ]);
  const [thread] = of('thread').filter((t) => t.id === threadId);
  const [credit] = of('credit_note').filter((c) => c.invoice_id === invoice.id);
  expect(credit).toBeDefined();
  expect(thread).toMatchObject({
    state: 'resolved',
    messages: 2,
    resolution: { outcome: 'credited', credit_note_id: credit.id, credit_note_number: creditNumber },
  });
  const [dispute] = of('dispute').filter((d) => d.id === thread.dispute_id);
  expect(dispute).toMatchObject({ resolution: { outcome: 'upheld' } });

  // The customer screen leads to the customer's threads; resolved ones are a filter away.
  await page.goto(`${remit.url}/customers/${customer.id}`);
  await page.getByTestId('customer-threads').click();
  await expect(page).toHaveURL(new RegExp(`/inbox\\?customer=${customer.id}$`));
  await expect(page.getByTestId('no-threads')).toBeVisible();
  await expect(page.getByTestId('inbox-customer')).toHaveValue(customer.id);
  await page.getByTestId('inbox-state').selectOption('resolved');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('thread-state')).toHaveText('Resolved');
});
