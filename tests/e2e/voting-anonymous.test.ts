import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { openView, wallNotes } from './facilitation';
import { startBrowserSuite } from './harness';
import { seedWorkshop, type Seeded } from './roomSeed';

/**
 * Issue 9, dot-voting and anonymous mode, in real Chromium against a real server: the facilitator
 * opens voting with 3 votes each; a participant votes on a challenge theme and an action in the
 * Actions view, sees the votes left go down, and cannot go past 3 (+ disabled at 0); the
 * facilitator sees the tally. With anonymous mode on, no participant's name is on the
 * facilitator's wall or in the memo's Markdown download.
 */

let seeded: Seeded;
const suite = startBrowserSuite({ clients: 'file', setupTimeout: 90_000, setup: async ({ server }) => void (seeded = await seedWorkshop(server.url, server.wsUrl)) });
const NAMES = ['Aino', 'Ben', 'Carla', 'Daniel', 'Eeva', 'Farid', 'Greta', 'Heikki'];

const open = (token: string, view: string): Promise<Page> => suite.open(seeded, token, view, { live: true });

describe('dot-voting and anonymous mode', () => {
  test('a participant spends exactly 3 votes; the facilitator sees the tally', async () => {
    const facilitator = await open(seeded.created.facilitatorToken, 'wall');
    await facilitator.getByTestId('votes-per-person').fill('3');
    await facilitator.getByTestId('open-voting').click();
    await facilitator.getByTestId('close-voting').waitFor();
    await openView(facilitator, 'Actions');

    const participant = await open(seeded.people[0]!.token, 'wall');
    await openView(participant, 'Actions');
    const left = participant.getByTestId('votes-left');
    await expect.poll(() => left.textContent(), { timeout: 10_000 }).toBe('You have 3 votes left');

    const theme = participant.locator('.theme-block').first();
    const themeId = (await theme.getAttribute('data-theme-id'))!;
    const plusTheme = participant.getByRole('button', { name: 'Add a vote: Overlapping calendars' });
    await plusTheme.focus();
    await participant.keyboard.press('Enter');
    await expect.poll(() => left.textContent()).toBe('You have 2 votes left');
    await plusTheme.click();
    await expect.poll(() => left.textContent()).toBe('You have 1 votes left');

    const action = participant.getByRole('button', { name: 'Add a vote: One shared events calendar for every actor' });
    await action.click();
    await expect.poll(() => left.textContent()).toBe('You have 0 votes left');
    expect(await plusTheme.isDisabled()).toBe(true);
    expect(await action.isDisabled()).toBe(true);
    // Participants do not see totals while voting is open.
    expect(await participant.getByTestId('vote-total').count()).toBe(0);

    // The facilitator sees the tally: 2 on the theme, 1 on the action.
    const themeTotal = facilitator.getByTestId(`vote-theme:${themeId}`).getByTestId('vote-total');
    await expect.poll(() => themeTotal.textContent(), { timeout: 10_000 }).toMatch(/ 2$/);

    // Taking a vote back frees one.
    await participant.getByRole('button', { name: 'Remove a vote: Overlapping calendars' }).click();
    await expect.poll(() => left.textContent()).toBe('You have 1 votes left');
    await expect.poll(() => themeTotal.textContent(), { timeout: 10_000 }).toMatch(/ 1$/);

    // The Analysis view has the same buttons on each challenge theme.
    await openView(participant, 'Analysis');
    await participant.getByRole('button', { name: 'Add a vote: Overlapping calendars' }).click();
    await expect.poll(() => themeTotal.textContent(), { timeout: 10_000 }).toMatch(/ 2$/);
    expect(await participant.getByRole('button', { name: 'Add a vote: Overlapping calendars' }).isDisabled()).toBe(true);
  }, 90_000);

  test('anonymous mode hides every participant name on the wall and in the memo download', async () => {
    const facilitator = await open(seeded.created.facilitatorToken, 'wall');
    // Names show before: the wall labels notes with their authors.
    await expect.poll(async () => (await wallNotes(facilitator)).some((n) => NAMES.includes(n.author)), { timeout: 15_000 }).toBe(true);

    await facilitator.getByTestId('anonymous-mode').check();
    await expect.poll(async () => (await wallNotes(facilitator)).filter((n) => n.author !== '').length, { timeout: 10_000 }).toBe(0);
    expect((await wallNotes(facilitator)).length).toBeGreaterThan(0);

    await openView(facilitator, 'Memo');
    await facilitator.getByTestId('memo-preview').waitFor();
    const [download] = await Promise.all([facilitator.waitForEvent('download', { timeout: 10_000 }), facilitator.getByTestId('memo-md').click()]);
    const markdown = fs.readFileSync((await download.path())!, 'utf8');
    expect(markdown).toContain('Overlapping calendars');
    for (const name of NAMES) expect(markdown, `memo names ${name}`).not.toMatch(new RegExp(`\\b${name}\\b(?! (Virtanen|Niemi|Laine))`));
  }, 90_000);
});
