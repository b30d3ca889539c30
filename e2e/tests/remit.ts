// A real `remit serve` per test: its own data folder, its own port, started and stopped at will so a test
// can take the server away (the service worker must then serve the app) and bring it back on the same
// origin (IndexedDB and the service worker belong to the origin).
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** A port nothing listens on (the system's choice, released at once). */
async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => ok(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The SMTP relay the server sends through: Debian's aiosmtpd (server/tests/smtp_server.py), keeping each
 * message as `<dir>/<recipient>/<n>.eml`.
 */
export class MailRelay {
  readonly dir = mkdtempSync(join(tmpdir(), 'remit-e2e-mail-'));
  private child?: ChildProcess;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    // Debian's python3, which has Debian's aiosmtpd (scripts/test installs it).
    const python = process.env.REMIT_TEST_PYTHON ?? '/usr/bin/python3';
    const child = spawn(python, [resolve('../server/tests/smtp_server.py'), String(port), this.dir], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((ok, fail) => {
      let seen = '';
      const timer = setTimeout(() => fail(new Error(`the SMTP relay did not start:\n${seen}`)), 20_000);
      const read = (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('ready')) {
          clearTimeout(timer);
          ok();
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.on('exit', (code) => fail(new Error(`the SMTP relay exited with ${code}:\n${seen}`)));
    });
    this.url = `smtp://127.0.0.1:${port}`;
  }

  /** The messages `recipient` received, oldest first, each as the file the relay kept. */
  messages(recipient: string): string[] {
    const box = join(this.dir, recipient.toLowerCase());
    if (!existsSync(box)) return [];
    return readdirSync(box)
      .filter((f) => f.endsWith('.eml'))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
      .map((f) => join(box, f));
  }

  stop(): void {
    this.child?.stdin?.end();
    this.child?.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class RemitServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'remit-e2e-'));
  readonly mail = new MailRelay();
  private child?: ChildProcess;
  private port = 0;
  url = '';

  async start(): Promise<void> {
    if (!this.mail.url) await this.mail.start();
    const child = spawn(
      BIN,
      [
        'serve', '--port', String(this.port), '--data', this.dataDir, '--dist', DIST,
        '--smtp-url', this.mail.url, '--mail-from', 'Remit <mail@remit.example>',
      ],
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
    this.mail.stop();
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
