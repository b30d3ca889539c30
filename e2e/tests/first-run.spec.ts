import { test, expect, OWNER } from './remit';

test('the first visitor sets up the organisation and its owner, and can sign in again', async ({ page, remit }) => {
  await page.goto(remit.url);
  await page.locator('input[name="organisation_name"]').fill(OWNER.organisation);
  await page.locator('input[name="time_zone"]').fill('Europe/Oslo');
  await page.locator('input[name="currency"]').fill('NOK');
  await page.locator('input[name="name"]').fill(OWNER.name);
  await page.locator('input[name="email"]').fill(OWNER.email);
  await page.locator('input[name="password"]').fill('short');
  await page.getByTestId('set-up').click();
  await expect(page.getByTestId('field-error').first()).toContainText('password');

  await page.locator('input[name="password"]').fill(OWNER.password);
  await page.getByTestId('set-up').click();
  await expect(page.getByTestId('new-invoice')).toBeVisible();

  await page.getByTestId('sign-out').click();
  await page.locator('input[name="email"]').fill(OWNER.email);
  await page.locator('input[name="password"]').fill('wrong password!');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('new-invoice')).toBeHidden();
  await page.locator('input[name="password"]').fill(OWNER.password);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('new-invoice')).toBeVisible();
});
