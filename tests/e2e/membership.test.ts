import { describe, expect, test } from 'vitest';
import { apiWorkshop, createThroughStartPage, startBrowserSuite } from './harness';

/**
 * Membership end to end (issue 8): in real Chromium, the facilitator removes a participant from
 * the invite panel and that participant's board says so and stops; rotating the join links makes
 * the old link fail on the join page; the recovery link opened in a fresh browser profile gives
 * the facilitator's board with the invite links.
 */
const ACTORS = ['Municipality', 'Association'] as const;
/** Each test drives two or three browser profiles through whole pages: more than the default 30 s on a loaded machine. */
const TEST_MS = 90_000;

const suite = startBrowserSuite();

/** A workshop made through the API; the facilitator's board with the invite panel opened from its button. */
async function facilitatorWithInvite(title: string) {
  const workshop = await suite.workshop({ title, actors: ACTORS });
  const page = await suite.open(workshop, workshop.created.facilitatorToken, 'wall', { live: true });
  await page.getByRole('button', { name: 'Invite' }).click();
  const panel = page.locator('dialog.share[open]');
  await panel.locator('#share-participant-input').waitFor();
  return { page, panel, workshop };
}

describe('membership in real browsers', () => {
  test('the facilitator removes a participant: their board says they were removed and stops; others stay live', async () => {
    const { page, panel, workshop } = await facilitatorWithInvite('Removal');
    const anna = await suite.join(workshop.link, 'Anna', 'Municipality');
    // Ben is there to stay live: joined through the API, his board opened with his token.
    const ben = await suite.open(workshop, (await workshop.join('Ben', 'Association')).token, 'wall', { live: true });

    // The invite panel's people list shows both, with Remove.
    const annaRow = panel.locator('li[data-participant-id]', { hasText: 'Anna' });
    await annaRow.waitFor();
    // Keyboard: focus the Remove button and confirm with Enter.
    await annaRow.locator('[data-testid="member-remove"]').focus();
    await page.keyboard.press('Enter');
    const confirm = annaRow.locator('[data-testid="member-remove-confirm"]');
    await expect.poll(() => confirm.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');

    await anna.page.locator('[data-testid="removed-notice"]').waitFor({ timeout: 5_000 });
    expect(await anna.page.locator('[data-testid="removed-notice"] h1').textContent()).toBe('You were removed from this workshop');
    await annaRow.locator('[data-testid="member-removed"]').waitFor();

    // It stops: no reconnect brings the board back (a reload asks the server again and hears the same).
    await anna.page.reload();
    await anna.page.locator('[data-testid="removed-notice"]').waitFor({ timeout: 5_000 });
    expect(await ben.locator('[data-testid="connection-status"]').getAttribute('data-status')).toBe('live');
  }, TEST_MS);

  test('rotating the join links in the UI makes the old link fail on the join page; the new one works', async () => {
    const { panel, workshop } = await facilitatorWithInvite('Rotation');
    const participantLink = workshop.link;
    expect(await panel.locator('#share-participant-input').inputValue()).toBe(participantLink);
    await panel.locator('[data-testid="rotate-links"]').click();
    await panel.locator('[data-testid="rotate-links-confirm"]').click();
    const linkField = panel.locator('#share-participant-input');
    await expect.poll(() => linkField.inputValue()).not.toBe(participantLink);
    const newLink = await linkField.inputValue();

    const late = await suite.person();
    await late.page.goto(participantLink);
    const problem = late.page.locator('.problem[role="alert"]');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/not valid/);

    await suite.join(newLink, 'Late', 'Municipality');
  }, TEST_MS);

  test('the recovery link in a fresh browser profile gives the facilitator board and the invite links', async () => {
    // Through the start page: the recovery link is the creating browser's.
    const facilitator = await suite.person();
    const { participantLink, workshopId } = await createThroughStartPage(facilitator.page, suite.server.url, 'Recovery', ACTORS);
    const recoveryField = facilitator.page.locator('dialog.share[open] #share-recovery-link-input');
    await recoveryField.waitFor();
    const recoveryLink = await recoveryField.inputValue();
    expect(recoveryLink).toMatch(new RegExp(`/w/${workshopId}/recover#r=`));

    const laptop = await suite.person();
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
    const stranger = await suite.person();
    await stranger.page.goto(`${suite.server.url}/w/${workshopId}/recover#r=wrong`);
    await stranger.page.locator('[role="alert"]', { hasText: 'not valid' }).waitFor();
  }, TEST_MS);

  test('the join page says in words when the workshop is full', async () => {
    const small = await suite.extraServer({ MAX_PARTICIPANTS: '1' });
    const full = await apiWorkshop(small, { actors: ['Municipality'] });
    await full.join('First', 'Municipality');
    const late = await suite.person();
    await late.page.goto(full.link);
    await late.page.locator('#join-name').fill('Second');
    await late.page.locator('label.actor-option', { hasText: 'Municipality' }).click();
    await late.page.locator('form button[type="submit"]').click();
    await late.page.locator('.problem-inline[role="alert"]', { hasText: 'This workshop is full' }).waitFor();
  }, TEST_MS);
});
