// Settings in a real browser on the real stack: a person's name changed as YAML shows the
// service's dry run (the diff and the safety warnings) before Save, saves with the etag, is
// refused clearly when someone else changed it meanwhile, and appears in Audit's configuration
// changes with the signed-in person as the actor. A viewer gets no write.
import { randomUUID } from 'node:crypto';

import { expect, test } from '@playwright/test';

import { PHONE, URL_, api, expectAccessible, shot, signedIn } from './stack';

const person = (context: any) => api(context, 'escalation', 'recovery.v1.Configuration/GetResource', { kind: 'person', id: 'sam' });

test('a person\'s name changed on Settings: dry-run diff, save, stale etag, and in Audit as mia', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'mia');
  const before = (await person(context)).body;
  const oldName: string = before.spec.name;
  const tag = randomUUID().slice(0, 6);
  const newName = `Sam Okafor (support engineer ${tag})`;
  try {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expect(page.getByLabel('What')).toHaveValue('escalation:person');
    await page.getByTestId('resource-sam').click();
    const spec = page.getByLabel(/^Spec \(YAML\)/);
    await expect(spec).toHaveValue(new RegExp(`name: ${oldName.replace(/[()]/g, '\\$&')}`));
    const save = page.getByRole('button', { name: 'Save' });
    await expect(save).toBeDisabled(); // nothing checked yet

    const text = await spec.inputValue();
    await spec.fill(text.replace(/^name: .*$/m, `name: ${newName}`));
    await page.getByLabel(/^Reason for the change/).fill(`browser test ${tag}`);
    await page.getByRole('button', { name: 'Check changes' }).click();
    const dry = page.getByTestId('dry-run');
    await expect(dry.getByTestId('dry-run-diff')).toContainText(`removed: - name: ${oldName}`);
    await expect(dry.getByTestId('dry-run-diff')).toContainText(`added: + name: ${newName}`);
    await expect(dry.getByTestId('dry-run-warnings')).toBeVisible();
    // The dry run saved nothing.
    expect((await person(context)).body.version).toBe(before.version);
    await shot(page, 'settings-dry-run');
    await expectAccessible(page, 'Settings with a dry run at 1440 px');

    await expect(save).toBeEnabled();
    await save.click();
    const version = String(Number(before.version) + 1);
    await expect(page.getByTestId('settings-saved')).toContainText(`Saved: person sam is at version ${version}.`);
    await expect(page.getByTestId('resource-version')).toHaveText(version);
    const after = (await person(context)).body;
    expect(after.spec.name).toBe(newName);
    expect(after.updatedBy).toBe('person:mia');
    expect(after.reason).toBe(`browser test ${tag}`);

    // Someone else changes sam while the page still holds that version: the save is refused.
    const edited = (await spec.inputValue()).replace(/^name: .*$/m, `name: ${newName} (mine)`);
    await spec.fill(edited);
    const theirs = `${newName} (theirs)`;
    const other = await api(context, 'escalation', 'recovery.v1.Configuration/UpdateResource', {
      resource: { kind: 'person', id: 'sam', spec: { ...after.spec, name: theirs }, etag: after.etag },
      reason: 'a concurrent change',
    });
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    await page.getByRole('button', { name: 'Check changes' }).click();
    const stale = page.getByTestId('stale-etag');
    await expect(stale).toContainText('was changed by someone else since you opened it');
    await expect(stale).toContainText(`is at version ${Number(version) + 1}`);
    await expect(spec).toHaveValue(edited); // the text is kept
    await shot(page, 'settings-stale');
    await stale.getByRole('button', { name: 'Load the latest version' }).click();
    await expect(spec).toHaveValue(new RegExp(`name: ${theirs.replace(/[()]/g, '\\$&')}`));
    await expect(stale).toHaveCount(0);

    // Audit's configuration changes of this resource: newest first, mia as the actor.
    await page.getByRole('link', { name: 'Changes of this resource in Audit' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
    await expect(page.getByLabel('Kind (e.g. person, schedule, policy)')).toHaveValue('person');
    await expect(page.getByLabel('Resource id (needs a kind)')).toHaveValue('sam');
    const changes = page.getByTestId('config-change');
    await expect(changes.first()).toContainText(`version ${Number(version) + 1}`);
    const mine = changes.filter({ hasText: `browser test ${tag}` });
    await expect(mine).toHaveCount(1);
    await expect(mine.getByTestId('config-change-actor')).toContainText('person:mia');
    await mine.getByText('Differences').click();
    await expect(mine).toContainText(`+ name: ${newName}`);
    await expect(mine).toContainText(`- name: ${oldName}`);

    const phone = await signedIn(browser, 'mia', PHONE, '/settings?kind=escalation%3Aperson&id=sam');
    await expect(phone.page.getByLabel(/^Spec \(YAML\)/)).toBeVisible();
    await shot(phone.page, 'settings-phone');
    await expectAccessible(phone.page, 'Settings at 375 px');
    await phone.context.close();
  } finally {
    // Sam's name as it was, for the other tests.
    const now = (await person(context)).body;
    await api(context, 'escalation', 'recovery.v1.Configuration/UpdateResource', {
      resource: { kind: 'person', id: 'sam', spec: { ...now.spec, name: oldName }, etag: now.etag },
      reason: 'browser test: name restored',
    });
    await context.close();
  }
});

test('a viewer reads the configuration but gets no write, and the API refuses one', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'vic');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Trends' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
  await page.goto(`${URL_()}/settings?kind=escalation%3Aperson&id=sam`);
  const spec = page.getByLabel(/^Spec \(YAML\), read only/);
  await expect(spec).toHaveValue(/name: /);
  await expect(spec).toHaveAttribute('readonly', '');
  await expect(page.getByTestId('settings-read-only')).toBeVisible();
  await page.getByLabel('JSON').check();
  await expect(page.getByLabel(/^Spec \(JSON\), read only/)).toHaveValue(/"name": "/);
  await expect(page.getByRole('button', { name: 'Check changes' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await shot(page, 'settings-viewer');
  await expectAccessible(page, 'Settings as a viewer');

  const r = (await person(context)).body;
  const refused = await api(context, 'escalation', 'recovery.v1.Configuration/UpdateResource', {
    resource: { kind: 'person', id: 'sam', spec: { ...r.spec, name: 'not allowed' }, etag: r.etag },
    validateOnly: true,
  });
  expect(refused.status).toBe(403);
  expect(refused.body.code).toBe('permission_denied');
  await context.close();
});
