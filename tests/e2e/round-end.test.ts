import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, test } from 'vitest';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { readRoom } from '../../shared/read/snapshot';
import type { Joined } from '../helpers/api';
import { waitFor } from '../helpers/clients';
import { phoneNotes, waitForPosted, writeOnPhone } from './facilitation';
import { openBoard, screenshot, startBrowserSuite, type ApiWorkshop, type Person } from './harness';

/**
 * The end of a round in real Chromium (issue 9): "time's up" on the facilitator's board, a
 * participant's phone and the room screen; the facilitator's per-actor counts while people
 * write; and a draft written offline as the round ends, posted late when the phone is back
 * online — on the wall marked late, and its author told.
 *
 * Rounds shorter than the UI's one minute are started through the room document by a stock
 * provider holding the facilitator's token (shared/ops/rounds.ts, as the facilitator's client does).
 */
const suite = startBrowserSuite();
let workshop: ApiWorkshop;
let anna: Joined;

beforeEach(async () => {
  workshop = await suite.workshop({ actors: ['Municipality', 'Library'] });
  anna = await workshop.join('Anna', 'Municipality');
}, 30_000);

/** The board of `token` on `view`; returns its page (and the person, for going offline). */
async function openPerson(token: string, view: string, size: { width: number; height: number; mobile?: boolean }): Promise<Person> {
  const person = await suite.person(size);
  const keys = token === workshop.created.facilitatorToken ? workshop.keys : undefined;
  await openBoard(person.page, suite.server.url, workshop.id, token, view, keys);
  return person;
}
async function open(token: string, view: string, size: { width: number; height: number; mobile?: boolean }): Promise<Page> {
  return (await openPerson(token, view, size)).page;
}
async function serverNow(): Promise<number> {
  return ((await (await fetch(`${suite.server.url}/api/time`)).json()) as { now: number }).now;
}
const timesUp = (page: Page) => page.getByTestId('times-up');

describe('the end of a round', () => {
  test("time's up shows on the facilitator's board, a participant's phone and the room screen; the facilitator sees per-actor counts", async () => {
    const board = await open(workshop.created.facilitatorToken, 'wall', { width: 1400, height: 900 });
    const phone = await open(anna.token, 'phone', { width: 390, height: 800, mobile: true });
    const screen = await open(workshop.created.facilitatorToken, 'screen', { width: 1600, height: 900 });
    startRound(workshop.room.doc, '1b', 30 * 60_000, await serverNow(), LOCAL_ORIGIN);

    // Anna writes two drafts; the facilitator sees the numbers, never the words.
    await writeOnPhone(phone, '1b', 'A first private thought');
    await writeOnPhone(phone, '1b', 'A second private thought');
    // The facilitator's controls (open by default on a wide screen).
    if (!(await board.getByTestId('facilitator-controls').isVisible())) await board.getByRole('button', { name: 'Controls', exact: true }).click();
    await board.getByTestId('facilitator-controls').waitFor({ timeout: 10_000 });
    const municipality = readRoom(workshop.room.doc).actors[0]!.id;
    const row = board.locator(`[data-testid="round-stats"] tr[data-actor="${municipality}"]`);
    await expect.poll(() => row.locator('[data-testid="stats-drafts"]').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await row.locator('[data-testid="stats-writers"]').textContent()).toBe('1');
    expect(await board.getByTestId('round-stats').textContent()).not.toContain('private thought');
    await screenshot(board, 'round-end-counts');

    // The facilitator ends the round: every device says so.
    await board.getByTestId('end-round').click();
    for (const page of [board, phone, screen]) await timesUp(page).waitFor({ timeout: 10_000 });
    expect(await timesUp(phone).textContent()).toContain("Time's up");
    await screenshot(board, 'round-end-board');
    await screenshot(phone, 'round-end-phone');
    await screenshot(screen, 'round-end-screen');
    // It goes away by itself after a few seconds.
    await timesUp(phone).waitFor({ state: 'detached', timeout: 15_000 });
  }, 120_000);

  test('a draft written offline as the round ends is posted late when the phone is back: marked on the wall, its author told', async () => {
    const board = await open(workshop.created.facilitatorToken, 'wall', { width: 1400, height: 900 });
    const annaPhone = await openPerson(anna.token, 'phone', { width: 390, height: 800, mobile: true });
    const phone = annaPhone.page;
    await phone.locator('form.compose').waitFor({ timeout: 10_000 });
    startRound(workshop.room.doc, '1b', 8_000, await serverNow(), LOCAL_ORIGIN);
    await phone.getByTestId('round-bar').waitFor({ timeout: 10_000 });

    // Offline with seconds left, Anna writes.
    const { context } = annaPhone;
    await context.setOffline(true);
    const text = 'Written in the last seconds';
    await writeOnPhone(phone, '1b', text);
    expect(await phoneNotes(phone)).toEqual([expect.objectContaining({ text, draft: true })]);

    // The round runs out on the server while she is offline.
    await waitFor(workshop.room.doc, () => ((workshop.room.doc.getMap('session').get('postedQuestions') as string[] | undefined) ?? []).includes('1b'), 'the round ended and posted', 20_000);
    await timesUp(board).waitFor({ timeout: 10_000 });

    // Back online: the draft reaches the server and goes on the wall, marked late.
    await context.setOffline(false);
    const toast = phone.locator('[data-testid="late-toast"] [role="status"]');
    await toast.waitFor({ timeout: 30_000 });
    expect(await toast.textContent()).toContain('added late');
    await expect.poll(async () => (await phoneNotes(phone)).map((n) => ({ text: n.text, draft: n.draft })), { timeout: 10_000 }).toEqual([{ text, draft: false }]);
    await phone.getByTestId('late-tag').waitFor({ timeout: 5_000 });
    const posted = await waitForPosted(board, { text, questionId: '1b', actorId: readRoom(workshop.room.doc).actors[0]!.id, aboutActorId: null }, false, 15_000);
    expect(posted.late).toBe(true);
    await screenshot(phone, 'late-phone');
    await screenshot(board, 'late-wall');
  }, 120_000);
});
