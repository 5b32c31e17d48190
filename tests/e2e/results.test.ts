import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { readRoom } from '../../shared/read/snapshot';
import { roomRoots } from '../../shared/schema/layout';
import { join } from '../helpers/api';
import { waitFor } from '../helpers/clients';
import { openView } from './facilitation';
import { screenshot, startBrowserSuite } from './harness';
import { seedWorkshop, type Seeded } from './roomSeed';

/**
 * Issue 9, "Everyone sees the results" and "Questions are the facilitator's", in real Chromium
 * against a real server: participants and observers get read-only Analysis, Value map, Actions
 * and Memo tabs (no edit controls, a keyboard attempt changes nothing in the room document); the
 * facilitator shares the memo, a participant sees the notice and downloads the memo; on a blank
 * template the facilitator adds, edits, reorders and deletes questions and a participant's phone
 * follows live; a question a round has asked cannot be deleted.
 */

let seeded: Seeded;
const suite = startBrowserSuite({ clients: 'file', setupTimeout: 90_000, setup: async ({ server }) => void (seeded = await seedWorkshop(server.url, server.wsUrl)) });

const open = (token: string, view: string): Promise<Page> => suite.open(seeded, token, view, { live: true });

const tabs = (page: Page) => page.locator('nav.views button').allTextContents();

describe('everyone sees the results (read-only)', () => {
  test('a participant and an observer get Analysis, Value map, Actions and Memo, with nothing to edit', async () => {
    const before = Y_roomState();
    const participant = await open(seeded.people[0]!.token, 'wall');
    expect(await tabs(participant)).toEqual(expect.arrayContaining(['Analysis', 'Value map', 'Actions', 'Memo']));
    expect(await participant.getByTestId('questions-open').count()).toBe(0);

    await openView(participant, 'Analysis');
    await participant.locator('.analysis-view').waitFor();
    await participant.getByText('Overlapping calendars').first().waitFor({ timeout: 10_000 });
    // No theme creation, no move menus, nothing draggable, no text fields.
    expect(await participant.locator('.analysis-view input, .analysis-view select, .analysis-view textarea, .analysis-view [draggable="true"]').count()).toBe(0);
    // The keyboard does nothing either: every focusable thing in the themes gets Enter, Space, Delete and arrows.
    const focusable = participant.locator('#analysis-panel-themes :is(button, a[href], [tabindex="0"], select, input)');
    const count = Math.min(await focusable.count(), 15);
    for (let i = 0; i < count; i++) {
      await focusable.nth(i).focus();
      for (const key of ['Enter', 'Space', 'Delete', 'ArrowDown', 'ArrowRight']) await participant.keyboard.press(key);
    }
    expect(participant.url()).toMatch(/view=analysis/);
    await screenshot(participant, 'results-participant-analysis');
    await participant.locator('#analysis-tab-matrix').click();
    await participant.getByText('One shared calendar and a coordinator').first().waitFor();
    expect(await participant.locator('.analysis-view input, .analysis-view select, .analysis-view textarea, .analysis-view [contenteditable="true"]').count()).toBe(0);

    await openView(participant, 'Actions');
    await participant.getByText('One shared events calendar for every actor').first().waitFor();
    expect(await participant.locator('main input, main select, main textarea').count()).toBe(0);

    await openView(participant, 'Value map');
    await participant.waitForURL(/view=map/);

    await openView(participant, 'Memo');
    await participant.getByTestId('memo-not-shared').waitFor();
    expect(await participant.getByTestId('memo-share-button').count()).toBe(0);

    // Nothing the participant did reached the room document.
    expect(Y_roomState()).toEqual(before);

    const observer = await join(suite.server.url, seeded.workshopId, seeded.created.observerJoinKey, 'Olli Observer');
    const observerPage = await open(observer.token, 'analysis');
    expect(await tabs(observerPage)).toEqual(expect.arrayContaining(['Analysis', 'Value map', 'Actions', 'Memo']));
    await observerPage.getByText('Overlapping calendars').first().waitFor({ timeout: 10_000 });
    expect(await observerPage.locator('.analysis-view input, .analysis-view select, .analysis-view [draggable="true"]').count()).toBe(0);
  }, 120_000);

  test('the facilitator shares the memo; a participant sees the notice and downloads it', async () => {
    const facilitator = await open(seeded.created.facilitatorToken, 'memo');
    const participant = await open(seeded.people[1]!.token, 'wall');
    expect(await participant.getByTestId('memo-banner').count()).toBe(0);

    await facilitator.getByTestId('memo-share-button').click();
    await facilitator.getByTestId('memo-shared').waitFor();
    expect(await facilitator.locator('#memo-link').inputValue()).toMatch(new RegExp(`/w/${seeded.workshopId}`));

    const banner = participant.getByTestId('memo-banner');
    await banner.waitFor({ timeout: 5_000 });
    await banner.getByRole('link').click();
    await participant.waitForURL(/view=memo|\/memo/);
    await participant.getByTestId('memo-preview').waitFor();
    expect(await participant.getByTestId('memo-not-shared').count()).toBe(0);
    expect(await participant.getByTestId('memo-banner').count()).toBe(0);
    const [download] = await Promise.all([participant.waitForEvent('download', { timeout: 10_000 }), participant.getByTestId('memo-md').click()]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const markdown = fs.readFileSync((await download.path())!, 'utf8');
    expect(markdown).toContain('Test workshop');
    expect(markdown).toContain('Overlapping calendars');
    expect(markdown).toContain('One shared events calendar for every actor');
  }, 90_000);
});

/** The room document's analysis and session as the facilitator's stock client reads them. */
function Y_roomState() {
  const doc = seeded.facilitator.doc;
  const roots = roomRoots(doc);
  return { themeNotes: roots.themeNotes.toJSON(), themes: roots.themes.size, matrix: roots.matrix.size, actions: roots.actions.size, flows: roots.flows.size };
}

describe('questions are the facilitator’s', () => {
  test('on a blank template the facilitator adds, edits, reorders and deletes questions; participants follow live', async () => {
    const blank = await suite.workshop({ title: 'Blank workshop', template: 'blank', actors: ['Library', 'School'] });
    const { room } = blank;
    const member = await blank.join('Pia', 'Library');
    const facilitator = await suite.open(blank, blank.created.facilitatorToken, 'wall', { live: true });
    const participant = await suite.open(blank, member.token, 'phone', { live: true });
    const phoneQuestions = async () => (await participant.locator('#phone-question option').allTextContents()).map((s) => s.replace(/^\d+\.\s*/, '').trim());
    const expectPhone = async (expected: string[]) => {
      await participant.waitForFunction((n) => document.querySelectorAll('#phone-question option').length === n, expected.length, { timeout: 5_000 });
      await expect.poll(phoneQuestions, { timeout: 5_000 }).toEqual(expected);
    };
    // The blank template is not a dead end: one question to start from.
    await expectPhone(['Write your first question here']);

    await facilitator.getByTestId('questions-open').click();
    const panel = facilitator.getByTestId('questions-panel');
    await panel.waitFor();
    // Add a question in both languages.
    await facilitator.getByTestId('new-question-text-fi').fill('Mitä haasteita näette?');
    await facilitator.getByTestId('new-question-text-en').fill('What challenges do you see?');
    await facilitator.getByTestId('new-question-kind').selectOption('challenge');
    await facilitator.getByTestId('new-question-submit').click();
    await expectPhone(['Write your first question here', 'What challenges do you see?']);
    const stored = readRoom(room.doc).questions;
    await waitFor(room.doc, () => readRoom(room.doc).questions.length === 2, 'the added question');
    const added = readRoom(room.doc).questions[1]!;
    expect(added).toMatchObject({ kind: 'challenge', text: { fi: 'Mitä haasteita näette?', en: 'What challenges do you see?' } });
    expect(stored.length).toBeGreaterThanOrEqual(1);

    // Edit the first question's text (keyboard: the form's fields and Enter on Save).
    const firstRow = panel.getByTestId('question-row').first();
    await firstRow.getByTestId('question-edit').click();
    await facilitator.getByTestId('edit-q1-text-en').fill('What works well together?');
    await facilitator.getByTestId('edit-q1-text-fi').fill('Mikä toimii hyvin yhdessä?');
    await facilitator.getByTestId('edit-q1-kind').selectOption('strength');
    await facilitator.getByTestId('edit-q1-submit').focus();
    await facilitator.keyboard.press('Enter');
    await expectPhone(['What works well together?', 'What challenges do you see?']);
    await screenshot(facilitator, 'results-question-editor');

    // Reorder: the second moves up.
    await panel.locator(`[data-question-id="${added.id}"]`).getByTestId('question-up').click();
    await expectPhone(['What challenges do you see?', 'What works well together?']);

    // Delete the one nobody has used.
    await panel.locator('[data-question-id="q1"]').getByTestId('question-delete').click();
    await expectPhone(['What challenges do you see?']);
    expect(readRoom(room.doc).questions.map((q) => q.id)).toEqual([added.id]);

    // A question a round has asked cannot be deleted: the button is disabled and says why.
    startRound(room.doc, added.id, 600_000, Date.now(), LOCAL_ORIGIN);
    const usedRow = panel.locator(`[data-question-id="${added.id}"]`);
    await usedRow.getByText('A round has asked this question').waitFor({ timeout: 5_000 });
    expect(await usedRow.getByTestId('question-delete').isDisabled()).toBe(true);
    // Its text can still be fixed, its kind cannot change.
    await usedRow.getByTestId('question-edit').click();
    expect(await facilitator.getByTestId(`edit-${added.id}-kind`).isDisabled()).toBe(true);
    await facilitator.keyboard.press('Escape');
    expect(readRoom(room.doc).questions.map((q) => q.id)).toEqual([added.id]);
  }, 120_000);
});
