import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';
import { phoneNotes, waitForPosted, writeOnPhone } from './facilitation';
import { launchBrowser, newPerson, screenshot, type Person } from './harness';
import { openBoard } from './roomSeed';

/**
 * The end of a round in real Chromium (issue 9): "time's up" on the facilitator's board, a
 * participant's phone and the room screen; the facilitator's per-actor counts while people
 * write; and a draft written offline as the round ends, posted late when the phone is back
 * online — on the wall marked late, and its author told.
 *
 * Rounds shorter than the UI's one minute are started through the room document by a stock
 * provider holding the facilitator's token (shared/ops/rounds.ts, as the facilitator's client does).
 */
let server: TestServer;
let browser: Browser;
let created: Created;
let facilitator: Peer;
let anna: Joined;
const people: Person[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
}, 60_000);
afterAll(async () => {
  destroyAll();
  await browser?.close();
  await server?.close();
  if (server) removeDir(server.dataDir);
});
beforeEach(async () => {
  created = await createWorkshop(server.url, ['Municipality', 'Library']);
  facilitator = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await waitSynced(facilitator);
  anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', readRoom(facilitator.doc).actors[0]!.id);
}, 30_000);
afterEach(async () => {
  const errors = people.flatMap((p) => p.errors);
  await Promise.all(people.splice(0).map((p) => p.context.close()));
  expect(errors, 'uncaught exceptions in the pages').toEqual([]);
});

const keys = () => ({ participantKey: created.participantJoinKey, observerKey: created.observerJoinKey });
async function open(token: string, view: string, size: { width: number; height: number; mobile?: boolean }): Promise<Page> {
  const person = await newPerson(browser, size);
  people.push(person);
  await openBoard(person.page, server.url, created.id, token, view, token === created.facilitatorToken ? keys() : undefined);
  return person.page;
}
async function serverNow(): Promise<number> {
  return ((await (await fetch(`${server.url}/api/time`)).json()) as { now: number }).now;
}
const timesUp = (page: Page) => page.getByTestId('times-up');

describe('the end of a round', () => {
  test("time's up shows on the facilitator's board, a participant's phone and the room screen; the facilitator sees per-actor counts", async () => {
    const board = await open(created.facilitatorToken, 'wall', { width: 1400, height: 900 });
    const phone = await open(anna.token, 'phone', { width: 390, height: 800, mobile: true });
    const screen = await open(created.facilitatorToken, 'screen', { width: 1600, height: 900 });
    startRound(facilitator.doc, '1b', 30 * 60_000, await serverNow(), LOCAL_ORIGIN);

    // Anna writes two drafts; the facilitator sees the numbers, never the words.
    await writeOnPhone(phone, '1b', 'A first private thought');
    await writeOnPhone(phone, '1b', 'A second private thought');
    // The facilitator's controls (open by default on a wide screen).
    if (!(await board.getByTestId('facilitator-controls').isVisible())) await board.getByRole('button', { name: 'Controls', exact: true }).click();
    await board.getByTestId('facilitator-controls').waitFor({ timeout: 10_000 });
    const municipality = readRoom(facilitator.doc).actors[0]!.id;
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
    const board = await open(created.facilitatorToken, 'wall', { width: 1400, height: 900 });
    const phone = await open(anna.token, 'phone', { width: 390, height: 800, mobile: true });
    await phone.locator('form.compose').waitFor({ timeout: 10_000 });
    startRound(facilitator.doc, '1b', 8_000, await serverNow(), LOCAL_ORIGIN);
    await phone.getByTestId('round-bar').waitFor({ timeout: 10_000 });

    // Offline with seconds left, Anna writes.
    const context = people[1]!.context;
    await context.setOffline(true);
    const text = 'Written in the last seconds';
    await writeOnPhone(phone, '1b', text);
    expect(await phoneNotes(phone)).toEqual([expect.objectContaining({ text, draft: true })]);

    // The round runs out on the server while she is offline.
    await waitFor(facilitator.doc, () => ((facilitator.doc.getMap('session').get('postedQuestions') as string[] | undefined) ?? []).includes('1b'), 'the round ended and posted', 20_000);
    await timesUp(board).waitFor({ timeout: 10_000 });

    // Back online: the draft reaches the server and goes on the wall, marked late.
    await context.setOffline(false);
    const toast = phone.locator('[data-testid="late-toast"] [role="status"]');
    await toast.waitFor({ timeout: 30_000 });
    expect(await toast.textContent()).toContain('added late');
    await expect.poll(async () => (await phoneNotes(phone)).map((n) => ({ text: n.text, draft: n.draft })), { timeout: 10_000 }).toEqual([{ text, draft: false }]);
    await phone.getByTestId('late-tag').waitFor({ timeout: 5_000 });
    const posted = await waitForPosted(board, { text, questionId: '1b', actorId: readRoom(facilitator.doc).actors[0]!.id, aboutActorId: null }, false, 15_000);
    expect(posted.late).toBe(true);
    await screenshot(phone, 'late-phone');
    await screenshot(board, 'late-wall');
  }, 120_000);
});
