// Cover requests on the On-call screen, in the browser: the person on call asks a teammate to
// take an hour of their shift, the teammate accepts on their own screen, and the schedule
// then names the teammate for that hour (through the API's WhoIsOnCall as well).
import { randomUUID } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { DESKTOP, PHONE, URL_, api, expectAccessible, shot, signedIn } from './stack';

const SCHEDULE = 'client-services-oncall';

test('a teammate accepts a cover request and takes the shift', async ({ browser }) => {
  // An hour well clear of the other tests' overrides: tomorrow, same hour.
  const start = new Date();
  start.setUTCMinutes(0, 0, 0);
  start.setUTCHours(start.getUTCHours() + 26);
  const end = new Date(start.getTime() + 3600_000);
  const mid = new Date(start.getTime() + 1800_000).toISOString();
  const why = `dentist ${randomUUID().slice(0, 6)}`;

  const mia = await signedIn(browser, 'mia');
  const who = await api(mia.context, 'escalation', 'recovery.v1.Escalation/WhoIsOnCall', { scheduleId: SCHEDULE, at: mid });
  const holder: string = who.body.personIds[0];
  const teammate = holder === 'sam' ? 'priya' : 'sam';
  await mia.context.close();

  const asker = await signedIn(browser, holder, DESKTOP, '/oncall');
  const local = (d: Date) =>
    asker.page.evaluate((iso) => {
      const x = new Date(iso);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${x.getFullYear()}-${p(x.getMonth() + 1)}-${p(x.getDate())}T${p(x.getHours())}:${p(x.getMinutes())}`;
    }, d.toISOString());
  await asker.page.getByLabel('Schedule to cover').selectOption(SCHEDULE);
  await asker.page.getByLabel('Teammate', { exact: true }).selectOption(teammate);
  await asker.page.getByLabel(/^Cover from/).fill(await local(start));
  await asker.page.getByLabel(/^Cover to/).fill(await local(end));
  await asker.page.getByLabel('Why (optional)').fill(why);
  await asker.page.getByRole('button', { name: 'Ask for cover' }).click();
  await expect(asker.page.getByTestId('cover-message')).toContainText('Asked');
  const mine = asker.page.getByTestId('cover-mine').locator('li', { hasText: why }).first();
  await expect(mine.getByTestId('cover-status')).toContainText('pending');
  await shot(asker.page, 'oncall-cover-asked');

  // The teammate sees it on a phone, without a reload of anything, and accepts.
  const mate = await signedIn(browser, teammate, PHONE, '/oncall');
  const asked = mate.page.getByTestId('cover-to-me').locator('li', { hasText: why }).first();
  await expect(asked).toBeVisible();
  await expectAccessible(mate.page, 'on-call with a cover request (phone)');
  await asked.getByRole('button', { name: 'Accept' }).click();
  await expect(mate.page.getByTestId('cover-message')).toContainText('accepted');

  // The asker's open screen follows (a cover event), and the schedule names the teammate.
  await expect(mine.getByTestId('cover-status')).toContainText('accepted');
  const after = await api(asker.context, 'escalation', 'recovery.v1.Escalation/WhoIsOnCall', { scheduleId: SCHEDULE, at: mid });
  expect(after.body.personIds).toEqual([teammate]);
  await asker.context.close();
  await mate.context.close();
  expect(URL_()).toContain('https://');
});
