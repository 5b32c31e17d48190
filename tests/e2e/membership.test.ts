import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createWorkshop, join } from '../helpers/api';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';
import { createThroughStartPage, joinThroughLink, launchBrowser, newPerson, type Person } from './harness';

/**
 * Membership end to end (issue 8): in real Chromium, the facilitator removes a participant from
 * the invite panel and that participant's board says so and stops; rotating the join links makes
 * the old link fail on the join page; the recovery link opened in a fresh browser profile gives
 * the facilitator's board with the invite links.
 */
const ACTORS = ['Municipality', 'Association'] as const;
/** Each test drives two or three browser profiles through whole pages: more than the default 30 s on a loaded machine. */
const TEST_MS = 90_000;

let server: TestServer;
let browser: Browser;
const people: Person[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (server) removeDir(server.dataDir);
});
afterEach(async () => {
  const errors = people.flatMap((p) => p.errors);
  await Promise.all(people.splice(0).map((p) => p.context.close()));
  expect(errors, 'uncaught exceptions in the pages').toEqual([]);
});
const track = (person: Person) => (people.push(person), person);

async function facilitatorWithWorkshop(title: string) {
  const facilitator = track(await newPerson(browser));
  const created = await createThroughStartPage(facilitator.page, server.url, title, ACTORS);
  return { facilitator, ...created };
}

describe('membership in real browsers', () => {
  test('the facilitator removes a participant: their board says they were removed and stops; others stay live', async () => {
    const { facilitator, participantLink } = await facilitatorWithWorkshop('Removal');
    const anna = track(await joinThroughLink(browser, participantLink, 'Anna', 'Municipality'));
    const ben = track(await joinThroughLink(browser, participantLink, 'Ben', 'Association'));

    // The invite panel is still open from creation: its people list shows both, with Remove.
    const panel = facilitator.page.locator('dialog.share[open]');
    const annaRow = panel.locator('li[data-participant-id]', { hasText: 'Anna' });
    await annaRow.waitFor();
    // Keyboard: focus the Remove button and confirm with Enter.
    await annaRow.locator('[data-testid="member-remove"]').focus();
    await facilitator.page.keyboard.press('Enter');
    const confirm = annaRow.locator('[data-testid="member-remove-confirm"]');
    await expect.poll(() => confirm.evaluate((el) => el === document.activeElement)).toBe(true);
    await facilitator.page.keyboard.press('Enter');

    await anna.page.locator('[data-testid="removed-notice"]').waitFor({ timeout: 5_000 });
    expect(await anna.page.locator('[data-testid="removed-notice"] h1').textContent()).toBe('You were removed from this workshop');
    await annaRow.locator('[data-testid="member-removed"]').waitFor();

    // It stops: no reconnect brings the board back (a reload asks the server again and hears the same).
    await anna.page.reload();
    await anna.page.locator('[data-testid="removed-notice"]').waitFor({ timeout: 5_000 });
    expect(await ben.page.locator('[data-testid="connection-status"]').getAttribute('data-status')).toBe('live');
  }, TEST_MS);

  test('rotating the join links in the UI makes the old link fail on the join page; the new one works', async () => {
    const { facilitator, participantLink } = await facilitatorWithWorkshop('Rotation');
    const panel = facilitator.page.locator('dialog.share[open]');
    await panel.locator('[data-testid="rotate-links"]').click();
    await panel.locator('[data-testid="rotate-links-confirm"]').click();
    const linkField = panel.locator('#share-participant-input');
    await expect.poll(() => linkField.inputValue()).not.toBe(participantLink);
    const newLink = await linkField.inputValue();

    const late = track(await newPerson(browser));
    await late.page.goto(participantLink);
    const problem = late.page.locator('.problem[role="alert"]');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/not valid/);

    track(await joinThroughLink(browser, newLink, 'Late', 'Municipality'));
  }, TEST_MS);

  test('the recovery link in a fresh browser profile gives the facilitator board and the invite links', async () => {
    const { facilitator, participantLink, workshopId } = await facilitatorWithWorkshop('Recovery');
    const recoveryField = facilitator.page.locator('dialog.share[open] #share-recovery-link-input');
    await recoveryField.waitFor();
    const recoveryLink = await recoveryField.inputValue();
    expect(recoveryLink).toMatch(new RegExp(`/w/${workshopId}/recover#r=`));

    const laptop = track(await newPerson(browser));
    await laptop.page.goto(recoveryLink);
    await laptop.page.waitForURL(new RegExp(`/w/${workshopId}$`), { timeout: 10_000 });
    await laptop.page.locator('[data-testid="connection-status"][data-status="live"]').waitFor({ timeout: 10_000 });
    // The facilitator's tools are there, and the invite panel shows the same join link.
    await laptop.page.getByRole('button', { name: 'Invite' }).click();
    const field = laptop.page.locator('dialog.share[open] #share-participant-input');
    await field.waitFor();
    expect(await field.inputValue()).toBe(participantLink);
    expect(await laptop.page.locator('dialog.share[open] #share-recovery-link-input').inputValue()).toBe(recoveryLink);

    // A wrong secret is refused in words.
    const stranger = track(await newPerson(browser));
    await stranger.page.goto(`${server.url}/w/${workshopId}/recover#r=wrong`);
    await stranger.page.locator('[role="alert"]', { hasText: 'not valid' }).waitFor();
  }, TEST_MS);

  test('the join page says in words when the workshop is full', async () => {
    const small = await startTestServer({ MAX_PARTICIPANTS: '1' });
    try {
      const created = await createWorkshop(small.url, ['Municipality']);
      const preview = (await (await fetch(`${small.url}/api/workshops/${created.id}/preview?k=${encodeURIComponent(created.participantJoinKey)}`)).json()) as {
        actors: Array<{ id: string }>;
      };
      await join(small.url, created.id, created.participantJoinKey, 'First', preview.actors[0]!.id);
      const late = track(await newPerson(browser));
      await late.page.goto(`${small.url}/w/${created.id}/join?k=${encodeURIComponent(created.participantJoinKey)}`);
      await late.page.locator('#join-name').fill('Second');
      await late.page.locator('label.actor-option', { hasText: 'Municipality' }).click();
      await late.page.locator('form button[type="submit"]').click();
      await late.page.locator('.problem-inline[role="alert"]', { hasText: 'This workshop is full' }).waitFor();
    } finally {
      await small.close();
      removeDir(small.dataDir);
    }
  }, TEST_MS);
});
