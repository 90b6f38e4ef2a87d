// Shared by the console's browser tests: the local stack they run on (CONSOLE_STACK_DATA names
// its data directory), signing in at the identity provider's own login page, the JSON API
// with the page's session, screenshots and axe-core.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';

import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export const DATA = process.env.CONSOLE_STACK_DATA ?? '';
const ARTIFACTS = process.env.BROWSER_ARTIFACTS ?? 'artifacts';
const read = (f: string) => fs.readFileSync(path.join(DATA, f), 'utf8').trim();
export const URL_ = () => read('stack/console.url');

export const PHONE = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1440, height: 900 } };

export async function shot(page: Page, name: string) {
  fs.mkdirSync(path.join(ARTIFACTS, 'screenshots'), { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'screenshots', `${name}.png`), fullPage: true });
}

// No serious or critical violation on the screen as it is now.
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length}x) ${v.nodes[0]?.target}`), what).toEqual([]);
}

// The provider's login form, as a person fills it in.
export async function fillLogin(page: Page, person: string) {
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByLabel('Account').fill(person);
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signedIn(browser: Browser, person: string, options = DESKTOP, at = '/now') {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(URL_() + at);
  await page.getByRole('button', { name: 'Sign in' }).or(page.getByRole('link', { name: 'Sign in' })).first().click();
  await fillLogin(page, person);
  await expect(page.getByTestId('signed-in-person')).toBeVisible();
  return { context, page };
}

// The JSON API with the page's own session (cookie) and its CSRF token.
export async function api(context: BrowserContext, backend: string, method: string, body: unknown, csrf = true) {
  const base = URL_();
  const session = await (await context.request.get(`${base}/auth/session`)).json();
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = session.csrfToken;
  const r = await context.request.post(`${base}/api/${backend}/${method}`, { data: body, headers });
  return { status: r.status(), body: await r.json() };
}

export function p1Case(summary: string) {
  return {
    requestId: randomUUID(),
    client: {
      id: `browser-${randomUUID().slice(0, 8)}`,
      name: 'Northwind (browser test)',
      timeZone: 'Europe/London',
      calendarId: 'acme-london',
    },
    contact: { name: 'Avery', email: 'avery@northwind.example' },
    channel: 'CHANNEL_PHONE',
    category: 'deliverable_quality',
    severity: 'SEVERITY_P1',
    summary,
    clientView: 'The quarterly report arrived with last quarter\'s figures.',
    firmView: 'The export job read a stale snapshot.',
    emotionalState: 'EMOTIONAL_STATE_FRUSTRATED',
  };
}

// The webhook page the stack's receiver got for a case (tools/webhook_receiver.py).
export async function pageFor(caseId: string): Promise<{ person_id: string; ack_url: string; escalation_id: string }> {
  let found: any;
  await expect
    .poll(() => {
      const file = path.join(DATA, 'webhook-pages.jsonl');
      if (!fs.existsSync(file)) return false;
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const p = JSON.parse(line).page ?? {};
        if (p.case_id === caseId && p.escalation_id && p.ack_url) found = p;
      }
      return Boolean(found);
    }, { message: `a webhook page for ${caseId}`, timeout: 20_000 })
    .toBe(true);
  return found;
}
