// The console in a real browser (Debian's chromium) on the real local stack: the identity
// provider's own login page, the services, the console's SSE. The stack is started by ctest
// (tests/console/CMakeLists.txt: console.StackStarts) and named by CONSOLE_STACK_DATA.
// Screenshots of every screen go to BROWSER_ARTIFACTS/screenshots (CI keeps them; the README
// shows the ones in docs/screenshots).
import { randomUUID } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { DESKTOP, PHONE, URL_, api, expectAccessible, fillLogin, p1Case, pageFor, shot, signedIn } from './stack';

test('a page shows on Now live, and its link acknowledges from a phone as the paged person', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'mia');
  await expect(page.getByTestId('live-status')).toContainText('Live');
  // A barrier first: on a stack that has just started, the console's consumer may still be
  // joining its group. Once a first case's escalation has come through, the stream is live.
  const warmUp = await api(context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(`Warm-up ${randomUUID().slice(0, 6)}`));
  expect(warmUp.status).toBe(200);
  await expect(page.locator('[data-testid^="escalation-"]', { hasText: 'Warm-up' }).first()).toBeVisible({ timeout: 60_000 });
  const summary = `Quarterly report wrong ${randomUUID().slice(0, 6)}`;
  const opened = await api(context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(summary));
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  const caseId: string = opened.body.case.id;
  // No reload: the escalation arrives over the event stream.
  const row = page.locator('[data-testid^="escalation-"]', { hasText: summary });
  await expect(row).toBeVisible();
  // The client's own calendar says whether it is their business hours.
  await expect(row.getByTestId('client-hours')).toHaveText(/^(Open|After hours)/);
  await shot(page, 'now');
  await expectAccessible(page, 'Now');

  const paged = await pageFor(caseId);
  const phone = await browser.newContext(PHONE);
  const mobile = await phone.newPage();
  await mobile.goto(paged.ack_url);
  await fillLogin(mobile, paged.person_id);
  await expect(mobile.getByTestId('ack-valid')).toBeVisible();
  await expect(mobile.getByText(summary)).toBeVisible();
  await shot(mobile, 'ack-phone');
  await expectAccessible(mobile, 'acknowledge link');
  await mobile.getByTestId('ack-button').click();
  await expect(mobile.getByTestId('ack-done')).toBeVisible();

  // The open Now screen drops it without a reload; audit names the person who signed in.
  await expect(row).toHaveCount(0);
  await expect
    .poll(async () => {
      const t = await api(context, 'audit', 'recovery.v1.Audit/GetTimeline', { caseId });
      return (t.body.entries ?? []).find((e: any) => e.type === 'EscalationAcknowledged')?.actor ?? '';
    }, { timeout: 20_000 })
    .toBe(`person:${paged.person_id}`);
  await page.goto(`${URL_()}/cases/${caseId}`);
  await expect(page.getByTestId('timeline')).toContainText('EscalationAcknowledged');
  await expect(page.getByTestId('chain-status')).toContainText('Chain intact');
  await shot(page, 'case');
  await expectAccessible(page, 'case page');

  // The same link again: used, a clear page, no button.
  await mobile.goto(paged.ack_url);
  await expect(mobile.getByTestId('ack-used')).toBeVisible();
  await expect(mobile.getByTestId('ack-button')).toHaveCount(0);
  await shot(mobile, 'ack-used-phone');
  // A forged one: refused, no button.
  await mobile.goto(paged.ack_url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
  await expect(mobile.getByTestId('ack-refused')).toBeVisible();
  await expect(mobile.getByTestId('ack-button')).toHaveCount(0);
  await phone.close();
  await context.close();
});

test('a viewer sees no Acknowledge button and the same write is refused by the API', async ({ browser }) => {
  const lee = await signedIn(browser, 'lee');
  const summary = `Viewer check ${randomUUID().slice(0, 6)}`;
  const opened = await api(lee.context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(summary));
  expect(opened.status).toBe(200);
  const paged = await pageFor(opened.body.case.id);

  const vic = await signedIn(browser, 'vic');
  const row = vic.page.locator('[data-testid^="escalation-"]', { hasText: summary });
  await expect(row).toBeVisible();
  await expect(row.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Resolve' })).toHaveCount(0);
  await shot(vic.page, 'now-viewer');
  const refused = await api(vic.context, 'escalation', 'recovery.v1.Escalation/AcknowledgePage', {
    requestId: randomUUID(),
    escalationId: paged.escalation_id,
  });
  expect(refused.status).toBe(403);
  expect(refused.body.code).toBe('permission_denied');
  // Without the CSRF token even Lee's write is refused, and nothing changes.
  const noCsrf = await api(lee.context, 'escalation', 'recovery.v1.Escalation/AcknowledgePage',
    { requestId: randomUUID(), escalationId: paged.escalation_id }, false);
  expect(noCsrf.status).toBe(403);
  expect(noCsrf.body.field).toBe('X-CSRF-Token');
  const still = await api(lee.context, 'escalation', 'recovery.v1.Escalation/GetEscalation', {
    escalationId: paged.escalation_id,
  });
  expect(still.body.status).not.toBe('ESCALATION_STATUS_ACKNOWLEDGED');
  // Lee resolves it from Now (with a reason in the dialog).
  const leeRow = lee.page.locator('[data-testid^="escalation-"]', { hasText: summary });
  await leeRow.getByRole('button', { name: 'Resolve' }).click();
  await lee.page.getByLabel('Reason').fill('handled by phone');
  await lee.page.getByRole('dialog').getByRole('button', { name: 'Resolve' }).click();
  await expect(leeRow).toHaveCount(0);
  // The link of a resolved escalation has ended: a clear page, no button.
  const phone = await browser.newContext(PHONE);
  const mobile = await phone.newPage();
  await mobile.goto(paged.ack_url);
  await fillLogin(mobile, paged.person_id);
  await expect(mobile.getByTestId('ack-ended')).toBeVisible();
  await expect(mobile.getByTestId('ack-button')).toHaveCount(0);
  await shot(mobile, 'ack-ended-phone');
  await phone.close();
  await vic.context.close();
  await lee.context.close();
});

test('the wording review marks a bad draft and passes a good one', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'lee');
  const opened = await api(context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(`Wording ${randomUUID().slice(0, 6)}`));
  const caseId = opened.body.case.id;
  await page.goto(`${URL_()}/cases/${caseId}/write`);
  const draft = page.getByLabel('Message to the client');
  await draft.fill('Unfortunately, as per our policy, we cannot do anything. Calm down.');
  await expect(page.getByTestId('finding-mark').first()).toBeVisible();
  await expect(page.getByTestId('findings')).not.toBeEmpty();
  await expect(page.getByRole('button', { name: /Send/ })).toBeDisabled();
  await shot(page, 'write-findings');
  await expectAccessible(page, 'write');
  await draft.fill(
    'Thank you for telling us. You are right that the report was wrong; we have corrected it, and ' +
      'I will call you as soon as the new figures are checked.',
  );
  await expect(page.getByTestId('finding-mark')).toHaveCount(0);
  await expect(page.getByTestId('review-status')).toContainText(/pass|no finding|nothing/i);
  await expect(page.getByRole('button', { name: /Send/ })).toBeEnabled();
  await page.getByRole('button', { name: /Send/ }).click();
  await expect(page.getByTestId('sent')).toBeVisible();
  await context.close();
});

test('an override added on the On-call screen changes who is on call', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'mia');
  await page.goto(`${URL_()}/oncall`);
  const schedule = page.getByTestId('schedule-client-services-oncall');
  await expect(schedule.getByTestId('schedule-oncall')).toBeVisible();
  const before = (await schedule.getByTestId('schedule-oncall').textContent()) ?? '';
  await shot(page, 'oncall');
  await expectAccessible(page, 'on-call');
  // Whoever is not on call now takes the next hours.
  const who = before.includes('Sam') ? 'priya' : 'sam';
  await page.getByLabel('Schedule', { exact: true }).selectOption('client-services-oncall');
  await page.getByLabel('Person on call').selectOption(who);
  // From a minute ago (the form's default starts at the next whole hour), in the browser's zone.
  const from = await page.evaluate(() => {
    const d = new Date(Date.now() - 60_000);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  });
  await page.getByLabel(/^From/).fill(from);
  await page.getByLabel('Reason (optional)').fill('browser test: swap');
  await page.getByRole('button', { name: /Add override/ }).click();
  await expect(page.getByTestId('oncall-message')).toBeVisible();
  await expect(schedule.getByTestId('schedule-oncall')).toContainText(who === 'sam' ? 'Sam' : 'Priya');
  const now = await api(context, 'escalation', 'recovery.v1.Escalation/WhoIsOnCall', { scheduleId: 'client-services-oncall' });
  expect(now.body.personIds).toEqual([who]);
  await expect(schedule.getByTestId('shift-override').first()).toBeVisible();
  await context.close();
});

test('every screen passes axe-core at 375 and 1440 px', async ({ browser }) => {
  test.slow(); // four screens at two widths and the sign-in page, each loaded and checked
  for (const [label, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const { context, page } = await signedIn(browser, 'mia', options);
    for (const route of ['/now', '/cases', '/oncall', '/write']) {
      await page.goto(URL_() + route);
      // Loaded: the heading, and no "Loading ..." left (the event stream never lets the network idle).
      await expect(page.locator('main h1')).toBeVisible();
      await expect(page.locator('.loading')).toHaveCount(0);
      await expectAccessible(page, `${route} (${label})`);
      await shot(page, `${route.slice(1)}-${label}`);
    }
    await context.close();
  }
  // The sign-in screen, signed out.
  const context = await browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(URL_() + '/now');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page, 'sign-in');
  await shot(page, 'sign-in');
  await context.close();
});
