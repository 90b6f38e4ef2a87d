// Audit in a real browser on the real stack: the chain verified intact, an export downloaded
// as a JSON-lines file made in the browser (a blob: link under the console's CSP), and the
// configuration changes of a resource; an auditor sees Audit but no Settings.
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { PHONE, URL_, api, expectAccessible, p1Case, shot, signedIn } from './stack';

test('the chain verifies intact, and an export downloads as JSON lines in chain order', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'mia');
  const opened = await api(context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(`Audit export ${randomUUID().slice(0, 6)}`));
  expect(opened.status).toBe(200);
  const caseId: string = opened.body.case.id;
  await expect
    .poll(async () => (await api(context, 'audit', 'recovery.v1.Audit/GetTimeline', { caseId })).status, { timeout: 20_000 })
    .toBe(200);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  const chain = page.getByTestId('audit-chain');
  await expect(chain).toContainText(/Chain intact: \d+ records checked/);
  const verified = (await api(context, 'audit', 'recovery.v1.Audit/VerifyChain', {})).body;
  expect(verified.ok).toBe(true);
  await expect(page.getByTestId('audit-stats')).toBeVisible();
  await expect(page.getByTestId('chart-sources').locator('canvas')).toHaveCount(1);
  await page.getByRole('button', { name: 'Verify again' }).click();
  await expect(chain).toContainText('Chain intact');

  // One case's events: a blob: download link, as the CSP allows navigation to it.
  await page.getByLabel(/^Case id/).fill(caseId);
  await page.getByRole('button', { name: 'Prepare export' }).click();
  const link = page.getByTestId('export-download');
  await expect(link).toHaveAttribute('href', /^blob:/);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^audit-events-.*\.jsonl$/);
  const lines = fs.readFileSync(await download.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const timeline = (await api(context, 'audit', 'recovery.v1.Audit/GetTimeline', { caseId })).body.entries;
  const recorded = new Set(timeline.map((e: any) => Number(e.seq)));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.every((l) => recorded.has(l.seq))).toBe(true);
  expect(lines[0].event.case_opened).toBeTruthy();
  expect(lines.every((l) => l.event.case_id === caseId)).toBe(true);
  const seqs = lines.map((l) => l.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(lines.map((l) => l.case_seq)).toEqual(lines.map((_, i) => i + 1));

  // Everything this person may list: cases, configuration, schedules, people.
  await page.getByLabel(/^Case id/).fill('');
  await page.getByRole('button', { name: 'Prepare export' }).click();
  await expect(page.getByTestId('export-ready')).toContainText(/events are recorded in all/);
  const [all] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-download').click()]);
  const every = fs.readFileSync(await all.path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(every.some((l) => l.event.case_id === caseId)).toBe(true);
  expect(every.some((l) => String(l.event.case_id).startsWith('config:'))).toBe(true);
  const allSeqs = every.map((l) => l.seq);
  expect(new Set(allSeqs).size).toBe(allSeqs.length);
  expect(allSeqs).toEqual([...allSeqs].sort((a, b) => a - b));

  // Configuration changes by resource.
  await page.getByLabel('Service', { exact: true }).selectOption('escalation');
  await page.getByLabel('Kind (e.g. person, schedule, policy)').fill('policy');
  await page.getByLabel('Resource id (needs a kind)').fill('oncall-then-lead');
  await page.getByRole('button', { name: 'Show changes' }).click();
  const changes = page.getByTestId('config-change');
  await expect(changes.first()).toContainText("escalation policy 'oncall-then-lead'");
  const created = changes.last(); // newest first: the last is its creation
  await expect(created).toContainText('Created');
  await created.getByText('Differences').click();
  await expect(created).toContainText('+ tiers:');

  await shot(page, 'audit');
  await expectAccessible(page, 'Audit at 1440 px');
  await context.close();
});

test('an auditor sees Audit and not Settings, at 375 px', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'audrey', PHONE, '/audit');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Audit' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await expect(page.getByTestId('audit-chain')).toContainText('Chain intact');
  await expect(page.getByTestId('config-changes')).toBeVisible();
  await shot(page, 'audit-phone');
  await expectAccessible(page, 'Audit at 375 px');
  await page.goto(`${URL_()}/settings`);
  await expect(page.getByText('Your role may not read the configuration.')).toBeVisible();
  await context.close();
});
