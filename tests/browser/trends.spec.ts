// Trends in a real browser on the real stack: cases opened, acknowledged, resolved, scored and
// reviewed through the API show up as pictures (uPlot canvases) whose text summaries carry the
// same numbers follow-up's GetTrends answers; the paged person's pages are counted by time of day.
import { randomUUID } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { PHONE, URL_, api, expectAccessible, p1Case, pageFor, shot, signedIn } from './stack';

test('trends draw cases, times, breaches, satisfaction, themes and pages, each with a text summary', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'mia');
  const tag = randomUUID().slice(0, 6);
  const theme = `theme-${tag}`;

  // Three cases: two of one category, one of another; the first acknowledged, resolved, scored, reviewed.
  const ids: string[] = [];
  for (const category of ['deliverable_quality', 'deliverable_quality', 'missed_deadline']) {
    const opened = await api(context, 'intake', 'recovery.v1.Intake/OpenCase', { ...p1Case(`Trend ${tag}`), category });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    ids.push(opened.body.case.id);
  }
  const first = ids[0]!;
  const ok = async (backend: string, method: string, body: object) => {
    const r = await api(context, backend, method, { requestId: randomUUID(), ...body });
    expect(r.status, `${method}: ${JSON.stringify(r.body)}`).toBe(200);
  };
  await ok('intake', 'recovery.v1.Intake/AcknowledgeCase', { caseId: first, message: 'We are looking into the report now.' });
  await ok('intake', 'recovery.v1.Intake/ResolveCase', { caseId: first, resolution: 'Report re-run with the right snapshot.' });
  await ok('follow-up', 'recovery.v1.FollowUp/RecordSatisfaction', { caseId: first, score: 4 });
  // The review needs follow-up to have seen the resolution.
  await expect
    .poll(async () => {
      const r = await api(context, 'follow-up', 'recovery.v1.FollowUp/SubmitReview', {
        requestId: randomUUID(),
        caseId: first,
        expected: 'This quarter\'s figures.',
        happened: 'Last quarter\'s figures.',
        wentWell: 'Quick acknowledgement.',
        toImprove: 'Check the snapshot date.',
        nextSteps: 'Add a freshness check.',
        themes: [theme],
      });
      return r.status;
    }, { timeout: 20_000 })
    .toBe(200);
  const paged = await pageFor(ids[2]!);

  await page.goto(`${URL_()}/trends`);
  await expect(page.getByRole('heading', { level: 1, name: 'Trends' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Trends' })).toHaveAttribute('aria-current', 'page');
  const from = await page.getByTestId('trends-from').getAttribute('datetime');
  expect(from).toBeTruthy();

  // What follow-up says about the same period: the summaries must say the same.
  const to = new Date(Date.now() + 8 * 86400_000).toISOString();
  const byCategory = async () =>
    (await api(context, 'follow-up', 'recovery.v1.FollowUp/GetTrends', { from, to, groupBy: 'TREND_GROUP_BY_CATEGORY' })).body;
  await expect
    .poll(async () => {
      const t = await byCategory();
      return (t.groups ?? []).find((g: any) => g.key === 'deliverable_quality')?.resolvedCases ?? 0;
    }, { timeout: 20_000 })
    .toBeGreaterThan(0);
  const trends = await byCategory();
  const cat = (k: string) => (trends.groups ?? []).find((g: any) => g.key === k)?.cases ?? 0;
  expect(cat('deliverable_quality')).toBeGreaterThanOrEqual(2);

  const summary = (id: string) => page.getByTestId(`chart-${id}-summary`);
  for (const id of ['categories', 'times', 'breaches', 'satisfaction', 'themes', 'pages'])
    await expect(page.getByTestId(`chart-${id}`).locator('canvas'), `${id} is drawn`).toHaveCount(1);
  await expect(summary('categories')).toContainText(`${trends.totalCases} cases opened in 8 weeks`);
  await expect(summary('categories')).toContainText(`deliverable_quality ${cat('deliverable_quality')}`);
  await expect(summary('categories')).toContainText(`missed_deadline ${cat('missed_deadline')}`);
  await expect(summary('times')).toContainText(/acknowledged in .+ on average over \d+ case/);
  await expect(summary('times')).toContainText(/resolved in .+ on average over \d+ case/);
  await expect(summary('breaches')).toContainText(`of ${trends.totalCases} cases breached an SLA over the period`);
  await expect(summary('satisfaction')).toContainText(/Average satisfaction \d\.\d of 5 from \d+ score/);
  await expect(summary('themes')).toContainText(`${theme} 1`);

  // The paged person, by name, with their pages split by time of day.
  const dir = (await api(context, 'escalation', 'recovery.v1.Escalation/GetDirectory', {})).body;
  const name = dir.people.find((p: any) => p.id === paged.person_id).name;
  await expect(summary('pages')).toContainText(new RegExp(`${name.replace(/[()]/g, '\\$&')}: \\d+ pages?, \\d+ in business hours`));
  // The legend names the buckets; "The numbers" lists them as text too.
  await expect(page.getByTestId('chart-pages').getByRole('list', { name: /Key to/ })).toContainText('Evenings (17:00-22:00)');

  await shot(page, 'trends');
  await expectAccessible(page, 'Trends at 1440 px');

  const phone = await signedIn(browser, 'mia', PHONE, '/trends');
  await expect(phone.page.getByTestId('chart-categories').locator('canvas')).toHaveCount(1);
  await expect(phone.page.getByTestId('chart-pages').locator('canvas')).toHaveCount(1);
  await shot(phone.page, 'trends-phone');
  await expectAccessible(phone.page, 'Trends at 375 px');
  await phone.context.close();
  await context.close();
});
