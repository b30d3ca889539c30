// A real `remit serve` per test: its own data folder, its own port, started and stopped at will so a test
// can take the server away (the service worker must then serve the app) and bring it back on the same
// origin (IndexedDB and the service worker belong to the origin).
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(process.env.REMIT_BIN ?? '../target/debug/remit');
const DIST = resolve(process.env.REMIT_DIST ?? '../dist');

export const OWNER = {
  organisation: 'Fjord Consulting AS',
  name: 'Berit Billing',
  email: 'berit@fjord.example',
  password: 'correct horse battery',
};

export class RemitServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'remit-e2e-'));
  private child?: ChildProcess;
  private port = 0;
  url = '';

  async start(): Promise<void> {
    const child = spawn(
      BIN,
      ['serve', '--port', String(this.port), '--data', this.dataDir, '--dist', DIST],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.url = await new Promise<string>((ok, fail) => {
      let seen = '';
      const timer = setTimeout(() => fail(new Error(`remit serve did not start:\n${seen}`)), 20_000);
      const read = (chunk: Buffer) => {
        seen += chunk.toString();
        const m = seen.match(/running at (http:\/\/[0-9.]+:(\d+))/);
        if (m) {
          clearTimeout(timer);
          this.port = Number(m[2]);
          ok(m[1]);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.on('exit', (code) => fail(new Error(`remit serve exited with ${code}:\n${seen}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  /** Creates an owner with the CLI, as an administrator would before handing out the URL. */
  addOwner(): void {
    const r = spawnSync(
      BIN,
      [
        'user', 'add',
        '--db', `sqlite://${this.dataDir}/remit.db`,
        '--org', OWNER.organisation,
        '--name', OWNER.name,
        '--email', OWNER.email,
        '--password', OWNER.password,
        '--time-zone', 'Europe/Oslo',
        '--currency', 'NOK',
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`remit user add failed: ${r.stdout}${r.stderr}`);
  }

  dispose(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export const test = base.extend<{ remit: RemitServer }>({
  remit: async ({}, use) => {
    const server = new RemitServer();
    await server.start();
    await use(server);
    await server.stop();
    server.dispose();
  },
});

export { expect };

export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('input[name="email"]').fill(OWNER.email);
  await page.locator('input[name="password"]').fill(OWNER.password);
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('new-invoice')).toBeVisible();
}

export async function pendingCount(page: Page): Promise<number> {
  return Number((await page.getByTestId('pending-count').textContent())?.trim());
}
