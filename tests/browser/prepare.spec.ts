// Prepare the conversation (/cases/:caseId/prepare) in a real browser on the real stack: the
// brief shows the case's two views, its emotional history, its commitments kept and open, the
// playbook's steps with the plan's progress, the open questions and the wording rules; printed
// (print emulation) it has no shell or controls and is one A4 page; after the meeting the
// quality review is refused while the case is open and taken once it is resolved.
import { randomUUID } from 'node:crypto';

import { expect, test, type BrowserContext } from '@playwright/test';

import { PHONE, URL_, api, expectAccessible, p1Case, shot, signedIn } from './stack';

async function ok(context: BrowserContext, backend: string, method: string, body: unknown) {
  const r = await api(context, backend, method, body);
  expect(r.status, `${method}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

// A case with a plan, a contact that recorded the client's mood, one commitment kept and one open.
async function preparedCase(context: BrowserContext, summary: string) {
  const opened = await ok(context, 'intake', 'recovery.v1.Intake/OpenCase', p1Case(summary));
  const caseId: string = opened.case.id;
  await expect
    .poll(async () => (await api(context, 'action-plan', 'recovery.v1.ActionPlan/GetPlan', { caseId })).status, {
      message: 'the plan is drafted',
      timeout: 20_000,
    })
    .toBe(200);
  await ok(context, 'intake', 'recovery.v1.Intake/RecordContact', {
    requestId: randomUUID(),
    caseId,
    channel: 'CHANNEL_EMAIL',
    summary: 'The board meets on Friday and needs the right figures',
    emotionalState: 'EMOTIONAL_STATE_ANGRY',
  });
  const due = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
  const kept = await ok(context, 'action-plan', 'recovery.v1.ActionPlan/AddCommitment', {
    requestId: randomUUID(),
    caseId,
    commitment: { text: 'Call Avery back today with the cause', owner: 'lee', due: due(2) },
  });
  await ok(context, 'action-plan', 'recovery.v1.ActionPlan/UpdateCommitment', {
    requestId: randomUUID(),
    caseId,
    commitmentId: kept.commitment.id,
    update: { status: 'COMMITMENT_STATUS_KEPT' },
  });
  const open = await ok(context, 'action-plan', 'recovery.v1.ActionPlan/AddCommitment', {
    requestId: randomUUID(),
    caseId,
    commitment: { text: 'Send the corrected report', owner: 'lee', due: due(26) },
  });
  return { caseId, clientId: opened.case.client.id as string, keptId: kept.commitment.id as string, openId: open.commitment.id as string };
}

test('the brief shows the case, prints on one A4 page, and the review is taken once the case is resolved', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'mia');
  const summary = `Board figures wrong ${randomUUID().slice(0, 6)}`;
  const { caseId, clientId, keptId, openId } = await preparedCase(context, summary);

  // From the case page, as a person gets there.
  await page.goto(`${URL_()}/cases/${caseId}`);
  await page.getByRole('link', { name: 'Prepare the conversation' }).click();
  await expect(page).toHaveURL(new RegExp(`/cases/${caseId}/prepare$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(summary);

  // The two views of the cause.
  await expect(page.getByTestId('brief-client-view')).toHaveText("The quarterly report arrived with last quarter's figures.");
  await expect(page.getByTestId('brief-firm-view')).toHaveText('The export job read a stale snapshot.');
  // The emotional history: at opening and from the e-mail contact, with who recorded it.
  const emotions = page.getByTestId('brief-emotions');
  await expect(emotions.getByRole('listitem')).toHaveCount(2);
  await expect(emotions.getByRole('listitem').nth(0)).toContainText('Frustrated');
  await expect(emotions.getByRole('listitem').nth(1)).toContainText('Angry');
  await expect(emotions.getByRole('listitem').nth(1)).toContainText('Email contact');
  await expect(emotions.getByRole('listitem').nth(1)).toContainText('The board meets on Friday');
  await expect(emotions).toContainText('recorded by');
  // What was promised and what was kept.
  await expect(page.getByTestId(`brief-commitment-${keptId}`)).toContainText('Kept');
  await expect(page.getByTestId(`brief-commitment-${keptId}`)).toContainText('Call Avery back today');
  await expect(page.getByTestId(`brief-commitment-${openId}`)).toContainText('Open');
  await expect(page.getByTestId(`brief-commitment-${openId}`)).toContainText('Europe/London');
  // The playbook's steps, each with the plan item's progress (the plan came from this playbook).
  const plan = (await api(context, 'action-plan', 'recovery.v1.ActionPlan/GetPlan', { caseId })).body.plan;
  const playbook = page.getByTestId('brief-playbook');
  await expect(playbook).toContainText('Deliverable quality below expectations');
  for (const item of plan.items) {
    await expect(page.getByTestId(`brief-step-${item.id}`)).toContainText(item.what);
    await expect(page.getByTestId(`brief-step-${item.id}`)).toContainText('Open');
  }
  // Open questions (fixed text) and the wording rules with their phrases and reasons.
  await expect(page.getByTestId('brief-questions')).toContainText('What would a good outcome look like for you?');
  const liability = page.getByTestId('wording-rule-liability_admission');
  await expect(liability).toContainText('our fault');
  await expect(liability).toContainText('legal admission of liability');
  await expect(page.getByTestId('wording-rule-blame_client')).toContainText('you should have');
  await expect(page.getByTestId('wording-rule-missing_next_step')).toContainText('flagged when none of these appears');
  await shot(page, 'prepare');
  await expectAccessible(page, 'prepare, 1440 px');

  // On paper: no header, navigation, buttons or review form; one A4 page.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden();
  await expect(page.getByRole('banner')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print the brief' })).toBeHidden();
  await expect(page.getByTestId('brief-review')).toBeHidden();
  await expect(page.getByTestId('brief-wording')).toBeVisible();
  await shot(page, 'prepare-print');
  const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
  const pages = pdf.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? [];
  expect(pages.length, 'the printed brief fits one A4 page').toBe(1);
  await page.emulateMedia({ media: 'screen' });

  // After the meeting: the five questions. The case is still open, so follow-up says no, clearly.
  const answers: Record<string, string> = {
    'What was expected to happen?': 'The quarterly report with this quarter’s figures.',
    'What actually happened?': 'It went out with last quarter’s figures from a stale snapshot.',
    'What went well, and why?': 'We called within the hour and listened first.',
    'What can be improved, and how?': 'Check the snapshot date before the export runs.',
    'What next?': 'Add the check to the export job and tell the client when it is live.',
  };
  for (const [label, text] of Object.entries(answers)) await page.getByLabel(label).fill(text);
  await page.getByLabel('Themes (comma-separated, optional)').fill('data quality, release checks');
  await page.getByLabel('Root cause (optional)').fill('stale snapshot');
  await page.getByLabel('Follow-on actions (one a line, optional)').fill('Snapshot date check\nRunbook update');
  await page.getByRole('button', { name: 'Submit the review' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'Follow-up did not take the review' });
  await expect(refusal).toContainText('not resolved or closed yet');
  await shot(page, 'prepare-review-refused');

  // Resolve it through the API (intake needs it acknowledged first) and wait until follow-up
  // has taken the resolution in (its trends count the case as resolved).
  await ok(context, 'intake', 'recovery.v1.Intake/AcknowledgeCase', { requestId: randomUUID(), caseId, message: 'We are on it.' });
  await ok(context, 'intake', 'recovery.v1.Intake/ResolveCase', { requestId: randomUUID(), caseId, resolution: 'Corrected report sent.' });
  await expect
    .poll(async () => {
      const t = await api(context, 'follow-up', 'recovery.v1.FollowUp/GetTrends', {
        from: new Date(Date.now() - 3600_000).toISOString(),
        to: new Date(Date.now() + 60_000).toISOString(),
        groupBy: 'TREND_GROUP_BY_CLIENT',
      });
      return (t.body.groups ?? []).find((g: any) => g.key === clientId)?.resolvedCases ?? 0;
    }, { message: 'follow-up knows the case is resolved', timeout: 20_000 })
    .toBe(1);
  // The same form, pressed again: now it is taken (the answers are still there).
  await page.getByRole('button', { name: 'Submit the review' }).click();
  await expect(page.getByTestId('review-submitted')).toContainText('Review submitted by');
  await expect(page.getByTestId('review-submitted')).toContainText('stale snapshot');
  const review = (await api(context, 'follow-up', 'recovery.v1.FollowUp/GetReview', { caseId })).body;
  expect(review.expected).toBe(answers['What was expected to happen?']);
  expect(review.happened).toBe(answers['What actually happened?']);
  expect(review.wentWell).toBe(answers['What went well, and why?']);
  expect(review.toImprove).toBe(answers['What can be improved, and how?']);
  expect(review.nextSteps).toBe(answers['What next?']);
  expect(review.themes).toEqual(['data quality', 'release checks']);
  expect(review.rootCause).toBe('stale snapshot');
  expect(review.followOnActions).toEqual(['Snapshot date check', 'Runbook update']);
  expect(review.submittedBy).toBe('mia');
  await shot(page, 'prepare-reviewed');
  await expectAccessible(page, 'prepare after the review, 1440 px');
  await context.close();
});

test('the brief on a phone, and a viewer sees no review form', async ({ browser }) => {
  const lee = await signedIn(browser, 'lee');
  const summary = `Phone brief ${randomUUID().slice(0, 6)}`;
  const { caseId } = await preparedCase(lee.context, summary);
  await lee.context.close();

  const phone = await signedIn(browser, 'mia', PHONE, `/cases/${caseId}/prepare`);
  await expect(phone.page.getByRole('heading', { level: 1 })).toHaveText(summary);
  await expect(phone.page.getByTestId('brief-wording')).toContainText('our fault');
  await expect(phone.page.getByRole('button', { name: 'Submit the review' })).toBeVisible();
  await shot(phone.page, 'prepare-phone');
  await expectAccessible(phone.page, 'prepare, 375 px');
  await phone.context.close();

  const vic = await signedIn(browser, 'vic', undefined, `/cases/${caseId}/prepare`);
  await expect(vic.page.getByRole('heading', { level: 1 })).toHaveText(summary);
  await expect(vic.page.getByTestId('brief-playbook')).toContainText('Deliverable quality below expectations');
  await expect(vic.page.getByRole('button', { name: 'Submit the review' })).toHaveCount(0);
  await expect(vic.page.getByTestId('brief-review')).toContainText('may read the brief but not submit');
  await vic.context.close();
});
