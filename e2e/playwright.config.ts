import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a browser Playwright would download. The background-networking flags keep
// Chromium from dialling out on a machine whose only network is loopback.
export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  // Every test starts its own `remit serve` with its own data folder and port, so spec files run side by
  // side: one worker per core of the 2-core machine CI runs on.
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: process.env.REMIT_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
});
