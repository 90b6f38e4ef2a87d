// Follow-up (/follow-up) in a real browser on the real stack: a new case's SLA clocks with the
// time left, the reminders its plan's items start, snoozing one, a breach when a target runs out
// (a P4 acknowledge target shortened for the test, put back after), and a satisfaction score
// recorded on a resolved case.
import { randomUUID } from 'node:crypto';

import { expect, test, type BrowserContext } from '@playwright/test';

import { PHONE, api, expectAccessible, p1Case, shot, signedIn } from './stack';

async function ok(context: BrowserContext, backend: string, method: string, body: unknown) {
  const r = await api(context, backend, method, body);
  expect(r.status, `${method}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

async function planned(context: BrowserContext, caseId: string) {
  await expect
    .poll(async () => (await api(context, 'action-plan', 'recovery.v1.ActionPlan/GetPlan', { caseId })).status, { timeout: 20_000 })
    .toBe(200);
}

test('SLA clocks, reminders (snoozed from the screen) and a satisfaction score', async ({ browser }) => {
  test.slow(); // two axe runs over a screen that lists every open case and reminder of the stack
  const { context, page } = await signedIn(browser, 'mia');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Follow-up' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Follow-up' })).toBeVisible();
  await expect(page.getByTestId('live-status')).toContainText('Live');

  // A case opened while the screen is open: its clocks and reminders arrive without a reload.
  const summary = `Follow-up check ${randomUUID().slice(0, 6)}`;
  const opened = await ok(context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(summary));
  const caseId: string = opened.case.id;
  const sla = page.getByTestId(`sla-${caseId}`);
  await expect(sla).toContainText(summary);
  await expect(sla.getByTestId('sla-acknowledge')).toHaveAttribute('data-state', 'running');
  await expect(sla.getByTestId('sla-acknowledge')).toContainText(/1[45] min \d\d s left · due \d\d:\d\d UTC/);
  await expect(sla.getByTestId('sla-resolve')).toContainText(/[34] h \d\d min left/);

  await planned(context, caseId);
  const reminderId = `${caseId}/item/acknowledge`;
  const reminder = page.getByTestId(`reminder-${reminderId}`);
  await expect(reminder).toContainText('Action item due soon');
  await expect(reminder).toContainText(summary);
  await expect(reminder.getByRole('link', { name: summary })).toHaveAttribute('href', `/cases/${caseId}`);
  await expect(reminder).toContainText('UTC');
  await shot(page, 'follow-up');
  await expectAccessible(page, 'follow-up, 1440 px');

  // Snooze it for a day from the screen; follow-up moves its next firing.
  const before = Date.now();
  await reminder.getByRole('button', { name: /^Snooze/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Snooze the reminder' });
  await dialog.getByLabel('Remind again in').selectOption('24');
  await expectAccessible(page, 'snooze dialog');
  await dialog.getByRole('button', { name: 'Snooze', exact: true }).click();
  await expect(page.getByTestId('fu-message')).toContainText('Reminder snoozed');
  const listed = (await ok(context, 'follow-up', 'recovery.v1.FollowUp/ListReminders', { caseId })).reminders;
  const moved = listed.find((r: any) => r.reminderId === reminderId);
  expect(new Date(moved.nextDue).getTime()).toBeGreaterThan(before + 23.9 * 3600_000);
  // The row moves with it (the screen shows the next 24 hours by default); it is not due now.
  await expect(page.getByLabel('Show')).toHaveValue('day');
  await expect(reminder).toContainText(/in (23 h 5\d min|1 d 0 h)/);
  await page.getByLabel('Show').selectOption('now');
  await expect(reminder).toHaveCount(0);
  await page.getByLabel('Show').selectOption('all');
  await expect(reminder).toBeVisible();

  // Resolved: its clocks are met, it leaves the timers and awaits the client's score.
  await ok(context, 'intake', 'recovery.v1.Intake/AcknowledgeCase', { requestId: randomUUID(), caseId, message: 'We are on it.' });
  await ok(context, 'intake', 'recovery.v1.Intake/ResolveCase', { requestId: randomUUID(), caseId, resolution: 'Report corrected.' });
  await expect(sla).toHaveCount(0);
  const awaiting = page.getByTestId(`awaiting-${caseId}`);
  await expect(awaiting).toContainText(summary);
  await awaiting.getByRole('button', { name: /^Record a score/ }).click();
  const scoreDialog = page.getByRole('dialog', { name: "Record the client's score" });
  await scoreDialog.getByLabel('Score (1 very unhappy … 5 very happy)').selectOption('2');
  await scoreDialog.getByLabel("The client's words (optional)").fill('Fixed, but it took two calls.');
  await scoreDialog.getByRole('button', { name: 'Record the score' }).click();
  await expect(page.getByTestId('fu-message')).toContainText('Score 2 / 5 recorded');
  await expect(page.getByTestId('fu-message')).toContainText('low');
  const score = page.getByTestId(`score-${caseId}`);
  await expect(score).toContainText('2 / 5');
  await expect(score).toContainText('Low');
  await expect(score).toContainText('Fixed, but it took two calls.');
  await expect(awaiting).toHaveCount(0);
  // Audit has it as the person's act.
  await expect
    .poll(async () => {
      const t = await api(context, 'audit', 'recovery.v1.Audit/GetTimeline', { caseId });
      return (t.body.entries ?? []).find((e: any) => e.type === 'SatisfactionRecorded')?.actor ?? '';
    }, { timeout: 20_000 })
    .toBe('person:mia');
  await shot(page, 'follow-up-scored');
  await context.close();
});

test('a breached SLA shows as breached and in the breaches', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'mia', undefined, '/follow-up');
  // P4's acknowledge target down to 2 s for one case (new targets apply to cases opened after).
  const p4 = await ok(context, 'follow-up', 'recovery.v1.Configuration/GetResource', { kind: 'sla_policy', id: 'P4' });
  const changed = await ok(context, 'follow-up', 'recovery.v1.Configuration/UpdateResource', {
    resource: { kind: 'sla_policy', id: 'P4', spec: { ...p4.spec, acknowledge: '2s' }, etag: p4.etag },
    reason: 'browser test: a breach within seconds',
  });
  try {
    await expect(page.getByTestId('sla')).toContainText('SLA timers');
    const summary = `Breach check ${randomUUID().slice(0, 6)}`;
    const opened = await ok(context, 'intake', 'recovery.v1.Intake/OpenCase', { ...p1Case(summary), severity: 'SEVERITY_P4' });
    const caseId: string = opened.case.id;
    const sla = page.getByTestId(`sla-${caseId}`);
    await expect(sla.getByTestId('sla-acknowledge')).toHaveAttribute('data-state', 'breached', { timeout: 20_000 });
    await expect(sla.getByTestId('sla-acknowledge')).toContainText('Breached');
    await expect(sla.getByTestId('sla-acknowledge')).toContainText('was due');
    // The resolve target is in business hours on the client's calendar: the due shown is follow-up's own.
    const fu = await ok(context, 'follow-up', 'recovery.v1.FollowUp/BatchGetCaseFollowUps', { caseIds: [caseId] });
    expect(fu.caseFollowUps[0].resolve.state).toBe('SLA_CLOCK_STATE_RUNNING');
    const due = new Date(fu.caseFollowUps[0].resolve.due);
    expect(due.getTime()).toBeGreaterThan(Date.now() + 40 * 3600_000); // 40 business hours are more than 40 hours
    await expect(sla.getByTestId('sla-resolve')).toHaveAttribute('data-state', 'running');
    await expect(sla.getByTestId('sla-resolve').locator('time')).toHaveAttribute('datetime', due.toISOString());
    const breach = page.getByTestId(`breach-${caseId}`);
    await expect(breach).toContainText('Acknowledge');
    await expect(breach).toContainText('was due');
    await shot(page, 'follow-up-breach');
    await expectAccessible(page, 'follow-up with a breach');
  } finally {
    // Put P4 back only now: the case's clock is armed when follow-up takes its CaseOpened in.
    const now = await ok(context, 'follow-up', 'recovery.v1.Configuration/GetResource', { kind: 'sla_policy', id: 'P4' });
    await ok(context, 'follow-up', 'recovery.v1.Configuration/UpdateResource', {
      resource: { kind: 'sla_policy', id: 'P4', spec: p4.spec, etag: now.etag ?? changed.resource.etag },
      reason: 'browser test: P4 targets back as they were',
    });
  }
  await context.close();
});

test('on a phone, and a viewer sees no write buttons', async ({ browser }) => {
  const lee = await signedIn(browser, 'lee');
  const opened = await ok(lee.context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(`Phone follow-up ${randomUUID().slice(0, 6)}`));
  const caseId: string = opened.case.id;
  await planned(lee.context, caseId);
  await lee.context.close();

  const phone = await signedIn(browser, 'mia', PHONE, '/follow-up');
  await expect(phone.page.getByTestId(`sla-${caseId}`)).toBeVisible();
  await expect(phone.page.getByTestId(`reminder-${caseId}/item/acknowledge`)).toBeVisible();
  await shot(phone.page, 'follow-up-phone');
  await expectAccessible(phone.page, 'follow-up, 375 px');
  await phone.context.close();

  const vic = await signedIn(browser, 'vic', undefined, '/follow-up');
  const row = vic.page.getByTestId(`reminder-${caseId}/item/acknowledge`);
  await expect(row).toBeVisible();
  await expect(vic.page.getByRole('button', { name: /^Snooze/ })).toHaveCount(0);
  await expect(vic.page.getByRole('button', { name: /^Record a score/ })).toHaveCount(0);
  await vic.context.close();
});
