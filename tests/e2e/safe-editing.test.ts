import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { NOTE_TEXT_MAX } from '../../shared/schema/note';
import { openView, writeOnPhone } from './facilitation';
import { screenshot, startBrowserSuite, toScreen, waitForNote, waitForWall, wallState, writeByDoubleClick, type Person } from './harness';

/**
 * Issue 9, "safe editing", in real Chromium against a real server: a delete offers "Undo" and the
 * undo brings back exactly the note (for everyone); "New note" outside a round asks which question;
 * on a per-actor question the column you point at is the actor the note is about; a paste longer
 * than a note holds is refused with a message, not cut; on a phone with the keyboard open the
 * Post and Save buttons stay on screen.
 */

const ACTORS = ['Municipality', 'Association', 'School'];
const TIMEOUT = 90_000;

const suite = startBrowserSuite();

async function workshop() {
  const w = await suite.workshop({ actors: ACTORS });
  return { created: w.created, link: w.link, actor: w.actorId, room: w.room };
}

/**
 * The toast's Undo is the per-user undo (client/src/sync/undo.ts). Its history merges the edits
 * made within its capture window (400 ms) into one step, but a deletion always starts a step of
 * its own: these tests delete right after writing, and Undo brings back the note as written.
 */
const toast = (page: Page) => page.getByTestId('undo-toast');

/** Clicks the middle of one of my notes on the wall (selects it). */
async function clickNote(page: Page, noteId: string): Promise<void> {
  const note = (await wallState(page)).notes.find((n) => n.id === noteId)!;
  const point = await toScreen(page, note.x + note.width / 2, note.y + note.height / 2);
  await page.mouse.click(point.x, point.y);
}

async function waitGone(page: Page, noteId: string): Promise<void> {
  await page.waitForFunction((id) => !window.__arvoWall?.notes.some((n) => n.id === id), noteId, { timeout: 5_000, polling: 25 });
}

/** Puts text on the page's clipboard (the context has clipboard permissions). */
async function copy(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
}

async function grantClipboard(person: Person): Promise<void> {
  await person.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
}

describe('safe editing in real browsers', () => {
  test('delete on the wall offers Undo; Undo (from the keyboard) restores the same note for everyone', { timeout: TIMEOUT }, async () => {
    const { link, actor } = await workshop();
    const [anna, ben] = await Promise.all([suite.join(link, 'Anna', 'Municipality'), suite.join(link, 'Ben', 'School')]);
    await Promise.all([waitForWall(anna.page), waitForWall(ben.page)]);
    const municipality = actor('Municipality');
    const written = await writeByDoubleClick(anna.page, `${municipality}/1b`, 'Youth workers in every district');
    const seen = await waitForNote(ben.page, { text: written.note.text, mine: false });

    await clickNote(anna.page, written.note.id);
    await anna.page.keyboard.press('Delete');
    await toast(anna.page).waitFor({ timeout: 5_000 });
    expect(await toast(anna.page).textContent()).toContain('Note deleted');
    await Promise.all([waitGone(anna.page, written.note.id), waitGone(ben.page, written.note.id)]);
    // The toast takes the focus: Enter is Undo.
    expect(await anna.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Undo');
    await anna.page.keyboard.press('Enter');

    const back = await waitForNote(anna.page, { text: written.note.text, mine: true }, 15_000);
    expect(back).toEqual(written.note);
    const backForBen = await waitForNote(ben.page, { text: written.note.text, mine: false }, 15_000);
    expect(backForBen).toEqual(seen);
    expect(await toast(anna.page).count()).toBe(0);
  });

  test('delete in the list view and in the phone view offers Undo that brings the note back', { timeout: TIMEOUT }, async () => {
    const { link, actor } = await workshop();
    const [anna, pia] = await Promise.all([suite.join(link, 'Anna', 'Municipality'), suite.join(link, 'Pia', 'Association', { width: 390, height: 844, mobile: true })]);
    await waitForWall(anna.page);
    const written = await writeByDoubleClick(anna.page, `${actor('Municipality')}/1b`, 'Sports halls in the evenings');

    // List view.
    await openView(anna.page, 'List');
    const item = anna.page.locator(`li.note[data-note-id="${written.note.id}"]`);
    await item.locator('button.danger').click();
    await item.waitFor({ state: 'detached', timeout: 5_000 });
    await toast(anna.page).locator('button.undo').click();
    await item.waitFor({ timeout: 5_000 });
    expect(await item.locator('.note-text').textContent()).toBe(written.note.text);
    await openView(anna.page, 'Wall');
    await waitForWall(anna.page);
    expect(await waitForNote(anna.page, { text: written.note.text, mine: true })).toEqual(written.note);

    // Phone view.
    const { page } = pia;
    await page.locator('#phone-question').selectOption('3a');
    await writeOnPhone(page, '3a', 'Volunteers who know the families');
    const mine = page.locator('.mine li.note', { hasText: 'Volunteers who know the families' });
    await mine.waitFor();
    const noteId = await mine.getAttribute('data-note-id');
    const onWall = await waitForNote(anna.page, { text: 'Volunteers who know the families', mine: false });
    await mine.locator('button.danger').click();
    await mine.waitFor({ state: 'detached', timeout: 5_000 });
    await waitGone(anna.page, onWall.id);
    await toast(page).locator('button.undo').click();
    await expect
      .poll(() => page.locator(`.mine li.note[data-note-id="${noteId}"] .note-text`).textContent({ timeout: 1_000 }).catch(() => null), { timeout: 15_000 })
      .toBe('Volunteers who know the families');
    expect(await waitForNote(anna.page, { text: 'Volunteers who know the families', mine: false })).toEqual(onWall);
  });

  test('New note outside a round asks which question, and the note lands there', { timeout: TIMEOUT }, async () => {
    const { link, actor } = await workshop();
    const anna = await suite.join(link, 'Anna', 'Municipality');
    await waitForWall(anna.page);
    const { page } = anna;
    const municipality = actor('Municipality');
    const picker = page.getByTestId('question-picker');

    await page.getByTestId('new-note').click();
    await picker.waitFor({ timeout: 5_000 });
    expect(await picker.locator('h2').textContent()).toBe('Which question is this note for?');
    expect(await page.getByTestId('note-editor').count()).toBe(0);
    await picker.locator(`button[data-area-key="${municipality}/3a"]`).click();
    const editor = page.getByTestId('note-editor');
    await editor.fill('Clubs that welcome newcomers');
    await editor.press('Enter');
    const note = await waitForNote(page, { text: 'Clubs that welcome newcomers', mine: true });
    expect(note).toMatchObject({ questionId: '3a', aboutActorId: null, actorId: municipality });

    // From the keyboard: N asks, Esc cancels and writes nothing; N again offers the last question first.
    await page.getByTestId('wall').focus();
    await page.keyboard.press('n');
    await picker.waitFor();
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    expect(await page.getByTestId('note-editor').count()).toBe(0);
    expect((await wallState(page)).notes).toHaveLength(1);
    await page.keyboard.press('n');
    await picker.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-area-key'))).toBe(`${municipality}/3a`);
    await page.keyboard.press('Enter');
    await editor.fill('A second strength');
    await editor.press('Enter');
    expect(await waitForNote(page, { text: 'A second strength', mine: true })).toMatchObject({ questionId: '3a' });
  });

  test('on 1a a note created in the second actor column is about that actor (N key under the pointer, and double-click)', { timeout: TIMEOUT }, async () => {
    const { link, actor, room } = await workshop();
    const anna = await suite.join(link, 'Anna', 'Municipality');
    await waitForWall(anna.page);
    const { page } = anna;
    const [municipality, association, school] = [actor('Municipality'), actor('Association'), actor('School')];
    startRound(room.doc, '1a', 10 * 60_000, Date.now(), LOCAL_ORIGIN);
    await page.locator('[data-testid="round-clock"]').first().waitFor({ timeout: 5_000 });

    const areas = (await wallState(page)).areas.filter((a) => a.actorId === municipality && a.questionId === '1a');
    expect(areas.map((a) => a.aboutActorId)).toEqual([association, school]);
    const second = areas[1]!;
    const point = await toScreen(page, second.body.x + second.body.width / 2, second.body.y + 40);
    await page.mouse.move(point.x, point.y);
    await page.getByTestId('wall').focus();
    await page.keyboard.press('n');
    const editor = page.getByTestId('note-editor');
    await editor.fill('Shared premises');
    await editor.press('Enter');
    expect(await waitForNote(page, { text: 'Shared premises', mine: true })).toMatchObject({ questionId: '1a', aboutActorId: school, draft: true });

    // Pointing at the first column now takes that one.
    const first = areas[0]!;
    const firstPoint = await toScreen(page, first.body.x + first.body.width / 2, first.body.y + 40);
    await page.mouse.move(firstPoint.x, firstPoint.y);
    await page.getByTestId('new-note').focus();
    await page.keyboard.press('Enter');
    await editor.fill('Joint events');
    await editor.press('Enter');
    expect(await waitForNote(page, { text: 'Joint events', mine: true })).toMatchObject({ questionId: '1a', aboutActorId: association });

    const clicked = await writeByDoubleClick(page, `${municipality}/1a/${school}`, 'Sports fields for pupils');
    expect(clicked.note).toMatchObject({ questionId: '1a', aboutActorId: school });
  });

  test('a 600-character paste is refused with a message and nothing is cut; a paste that fits goes in', { timeout: TIMEOUT }, async () => {
    const { link, actor } = await workshop();
    const [anna, pia] = await Promise.all([suite.join(link, 'Anna', 'Municipality'), suite.join(link, 'Pia', 'Association', { width: 390, height: 844, mobile: true })]);
    await Promise.all([grantClipboard(anna), grantClipboard(pia)]);
    await waitForWall(anna.page);
    const long = 'Long answer. '.repeat(50).slice(0, 600);
    expect(long).toHaveLength(600);

    // The wall's in-place editor.
    const { page } = anna;
    const area = (await wallState(page)).areas.find((a) => a.key === `${actor('Municipality')}/1b`)!;
    const point = await toScreen(page, area.body.x + area.body.width - 60, area.body.y + area.body.height / 2);
    await page.mouse.dblclick(point.x, point.y);
    const editor = page.getByTestId('note-editor');
    await editor.fill('Start: ');
    await copy(page, long);
    await editor.press('ControlOrMeta+V');
    const refused = page.getByTestId('paste-refused');
    await refused.waitFor({ timeout: 5_000 });
    expect(await refused.textContent()).toContain(`${600 + 'Start: '.length - NOTE_TEXT_MAX} characters too long`);
    expect(await editor.inputValue()).toBe('Start: ');
    await copy(page, 'a short quote');
    await editor.press('ControlOrMeta+V');
    expect(await editor.inputValue()).toBe('Start: a short quote');
    await refused.waitFor({ state: 'detached' });
    await editor.press('Enter');
    await waitForNote(page, { text: 'Start: a short quote', mine: true });
    await screenshot(page, 'safe-editing-wall');

    // The phone's answer box.
    await pia.page.locator('#phone-text').click();
    await copy(pia.page, long);
    await pia.page.locator('#phone-text').press('ControlOrMeta+V');
    await pia.page.getByTestId('paste-refused').waitFor({ timeout: 5_000 });
    expect(await pia.page.locator('#phone-text').inputValue()).toBe('');
  });

  test('a phone with the keyboard open keeps Post and Save on screen; the undo toast is reachable', { timeout: TIMEOUT }, async () => {
    const { link } = await workshop();
    const pia = await suite.join(link, 'Pia', 'Association', { width: 390, height: 844, mobile: true });
    const { page } = pia;
    await page.locator('#phone-question').selectOption('3a');
    await writeOnPhone(page, '3a', 'Volunteers who know the families');

    const inView = async (selector: string) => {
      const box = await page.locator(selector).boundingBox();
      const height = page.viewportSize()!.height;
      expect(box, selector).not.toBeNull();
      expect(box!.y, `${selector} top`).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height, `${selector} bottom`).toBeLessThanOrEqual(height);
    };

    // The keyboard: the visible viewport shrinks to 450 px while the answer box has the focus.
    await page.locator('#phone-text').focus();
    await page.locator('#phone-text').fill('Evening activities for teenagers');
    await page.setViewportSize({ width: 390, height: 450 });
    await page.evaluate(() => document.getElementById('phone-text')!.scrollIntoView({ block: 'center' }));
    await inView('form.compose button[type="submit"]');
    await screenshot(page, 'phone-keyboard');

    // Editing a note in "my notes": its Save is on screen too.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#phone-text').fill('');
    const mine = page.locator('.mine li.note').first();
    await mine.locator('button', { hasText: 'Edit' }).click();
    await mine.locator('textarea').waitFor();
    await page.setViewportSize({ width: 390, height: 450 });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.scrollIntoView({ block: 'center' }));
    await inView('.mine .note-editor button[type="submit"]');
    await mine.locator('button', { hasText: 'Cancel' }).click();

    // Delete: the toast says so and Undo is on screen and focused.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('.mine li.note').first().locator('button.danger').click();
    await toast(page).waitFor();
    await inView('[data-testid="undo-toast"] button.undo');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('undo'))).toBe(true);
    await screenshot(page, 'phone-undo');
  });
});
