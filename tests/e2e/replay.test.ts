import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { addNote } from '../../shared/ops/notes';
import { endRound, startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes } from '../../shared/read/snapshot';
import { ReplayEngine, entryFromJson, type ReplayEntryJson } from '../../shared/replay';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { screenshot, startBrowserSuite } from './harness';
// window.__arvoReplay's type (declared with the hook).
import type {} from '../../client/src/replay/testHook';

/**
 * Replay end to end (issue 5, "Tests"): a short scripted workshop — two participants of
 * different actors writing notes with small gaps, a timed round with a private draft posted at
 * its end — is opened in the replay view in real headless Chromium, by the facilitator and by
 * the draft's author. Scrubbing between the first two notes shows exactly the first one; the
 * keyboard steps to the next change; playing at 120× ends on the final board; the actor filter
 * hides other actors' notes; drafts show only in their author's own replay, marked as drafts.
 */
let ws: Created;
let anna: Joined;
let ben: Joined;
/** When each note reached the server (from the history the replay reads). */
const at: Record<string, number> = {};
let actorIds: Record<'Municipality' | 'School', string>;

const FIRST = 'Anna: the library bus';
const SECOND = 'Ben: students as mentors';
const DRAFT = 'Ben: a private draft in round 4a';
const LAST = 'Anna: evening opening hours';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const suite = startBrowserSuite({ env: { ROOM_IDLE_MS: '5000' }, setupTimeout: 60_000, setup: scriptWorkshop });

/** The scripted workshop, through stock providers; records when each note reached the server. */
async function scriptWorkshop(): Promise<void> {
  const { server } = suite;
  ws = await createWorkshop(server.url, ['Municipality', 'Association', 'School']);
  const preview = (await (await fetch(`${server.url}/api/workshops/${ws.id}/preview?k=${ws.participantJoinKey}`)).json()) as { actors: Array<{ id: string; name: string }> };
  const idOf = (name: string) => preview.actors.find((a) => a.name === name)!.id;
  actorIds = { Municipality: idOf('Municipality'), School: idOf('School') };
  anna = await join(server.url, ws.id, ws.participantJoinKey, 'Anna', actorIds.Municipality);
  ben = await join(server.url, ws.id, ws.participantJoinKey, 'Ben', actorIds.School);

  // The workshop, through stock y-websocket providers; the facilitator reads every notes document
  // so that we know each change is committed before the next one.
  const room = connect(server.wsUrl, roomDocName(ws.id), ws.facilitatorToken);
  const annaNotes = connect(server.wsUrl, notesDocName(ws.id, anna.participantId), anna.token);
  const benNotes = connect(server.wsUrl, notesDocName(ws.id, ben.participantId), ben.token);
  const benDrafts = connect(server.wsUrl, draftsDocName(ws.id, ben.participantId), ben.token);
  const readAnna = connect(server.wsUrl, notesDocName(ws.id, anna.participantId), ws.facilitatorToken);
  const readBen = connect(server.wsUrl, notesDocName(ws.id, ben.participantId), ws.facilitatorToken);
  await Promise.all([room, annaNotes, benNotes, benDrafts, readAnna, readBen].map((peer) => waitSynced(peer)));
  const has = (doc: typeof readAnna.doc, text: string) => () => readNotes(doc).notes.some((n) => n.text === text);

  await sleep(300);
  addNote(annaNotes.doc, { questionId: '3a', text: FIRST, x: 16, y: 16 }, Date.now(), LOCAL_ORIGIN);
  await waitFor(readAnna.doc, has(readAnna.doc, FIRST), 'the first note at the server');
  await sleep(400);
  addNote(benNotes.doc, { questionId: '3a', text: SECOND, x: 16, y: 16 }, Date.now(), LOCAL_ORIGIN);
  await waitFor(readBen.doc, has(readBen.doc, SECOND), 'the second note at the server');
  await sleep(400);
  startRound(room.doc, '4a', 600_000, Date.now(), LOCAL_ORIGIN);
  await sleep(300);
  addNote(benDrafts.doc, { questionId: '4a', text: DRAFT, x: 16, y: 16 }, Date.now(), LOCAL_ORIGIN);
  await sleep(500);
  endRound(room.doc, Date.now(), LOCAL_ORIGIN);
  // The round engine posts Ben's draft to his notes on the wall.
  await waitFor(readBen.doc, has(readBen.doc, DRAFT), 'the draft posted to the wall');
  await sleep(400);
  addNote(annaNotes.doc, { questionId: '3b', text: LAST, x: 16, y: 16 }, Date.now(), LOCAL_ORIGIN);
  await waitFor(readAnna.doc, has(readAnna.doc, LAST), 'the last note at the server');
  await sleep(100);
  destroyAll();

  // When each note arrived, from Ben's history (his own drafts included), as his replay reads it.
  const response = await fetch(`${server.url}/api/workshops/${ws.id}/history?limit=5000`, { headers: { authorization: `Bearer ${ben.token}` } });
  const page = (await response.json()) as { entries: ReplayEntryJson[] };
  const engine = ReplayEngine.from(page.entries.map(entryFromJson));
  for (const event of engine.events) {
    if (event.kind === 'note-added' && event.text) at[`${event.docKind}:${event.text}`] ??= event.ts;
    if (event.kind === 'round-end') at['round-end'] ??= event.ts;
  }
  engine.destroy();
  for (const key of [`notes:${FIRST}`, `notes:${SECOND}`, `drafts:${DRAFT}`, `notes:${DRAFT}`, 'round-end']) expect(at[key], key).toBeTypeOf('number');
}

/** A browser holding this token (as after joining), on the replay view with the history loaded. */
async function openReplay(token: string, name: string): Promise<Page> {
  const { page } = await suite.person();
  const { server } = suite;
  await page.goto(`${server.url}/`);
  await page.evaluate(([id, value]) => localStorage.setItem(`arvo:token:${id}`, value!), [ws.id, JSON.stringify({ token, name })]);
  await page.goto(`${server.url}/w/${ws.id}?view=replay`);
  await page.waitForFunction(() => window.__arvoReplay?.loaded === true && (window.__arvoWall?.flipcharts.length ?? 0) > 0, null, { timeout: 15_000 });
  return page;
}

const wallNotes = (page: Page) => page.evaluate(() => window.__arvoWall!.notes.map((n) => ({ text: n.text, actorId: n.actorId, draft: n.draft })));
const wallTexts = async (page: Page) => (await wallNotes(page)).map((n) => n.text).sort();

/** Waits until the wall draws exactly these notes (any order). */
async function expectWall(page: Page, texts: string[], what: string) {
  const want = [...texts].sort();
  await page
    .waitForFunction((w) => JSON.stringify((window.__arvoWall?.notes ?? []).map((n) => n.text).sort()) === JSON.stringify(w), want, { timeout: 5_000, polling: 25 })
    .catch(async () => {
      throw new Error(`${what}: the wall shows ${JSON.stringify(await wallTexts(page))}, expected ${JSON.stringify(want)}`);
    });
}

/** Puts the scrubber at a workshop time (as a user dragging it there). */
async function scrubTo(page: Page, ts: number) {
  const value = await page.evaluate((t) => Math.round(window.__arvoReplay!.valueOf(t)), ts);
  await page.getByTestId('replay-scrubber').fill(String(value));
  await page.waitForFunction((t) => Math.abs(window.__arvoReplay!.moment - t) < 2, ts, { timeout: 5_000 });
}

describe('replay view', () => {
  test('the facilitator scrubs, steps, plays to the end and filters by actor', async () => {
    const page = await openReplay(ws.facilitatorToken, '');
    // It opens at the end: the final board.
    await expectWall(page, [FIRST, SECOND, DRAFT, LAST], 'at the end');
    expect(await page.getByTestId('replay-time').textContent()).toMatch(/^\d\d:\d\d:\d\d$/);

    // Markers for the round (start and end) and the post to the wall, with a legend.
    expect(await page.locator('[data-marker-kind="round-start"]').count()).toBe(1);
    expect(await page.locator('[data-marker-kind="round-end"]').count()).toBe(1);
    expect(await page.locator('[data-marker-kind="post"]').count()).toBeGreaterThanOrEqual(1);
    // The markers are buttons Tab reaches in time order, labelled with kind, time and question;
    // Enter on one jumps there.
    const kinds = await page.locator('[data-marker-kind]').evaluateAll((els) => els.map((el) => ({ ts: Number(el.getAttribute('data-ts')), tab: (el as HTMLElement).tabIndex, label: el.getAttribute('aria-label') ?? '' })));
    expect(kinds.map((m) => m.ts)).toEqual([...kinds.map((m) => m.ts)].sort((a, b) => a - b));
    expect(kinds.every((m) => m.tab === 0)).toBe(true);
    const roundEnd = page.locator('[data-marker-kind="round-end"]');
    expect(await roundEnd.getAttribute('aria-label')).toMatch(/^Round ends · \d\d:\d\d:\d\d · Round .+ ended$/);
    await roundEnd.focus();
    await roundEnd.press('Enter');
    const roundEndTs = Number(await roundEnd.getAttribute('data-ts'));
    await page.waitForFunction((t) => Math.abs(window.__arvoReplay!.moment - t) < 2, roundEndTs, { timeout: 5_000 });

    // Between the first and the second note: exactly the first.
    const first = at[`notes:${FIRST}`]!;
    const second = at[`notes:${SECOND}`]!;
    await scrubTo(page, Math.round((first + second) / 2));
    await expectWall(page, [FIRST], 'between the first and second note');
    const shown = await page.getByTestId('replay-time').textContent();
    // The time of day, in the browser's time zone.
    expect(shown).toBe(await page.evaluate((ts) => new Date(ts).toTimeString().slice(0, 8), Math.round((first + second) / 2)));

    // → steps to the next change: the second note.
    await page.getByTestId('replay-scrubber').press('ArrowRight');
    await page.waitForFunction((t) => window.__arvoReplay!.moment === t, second, { timeout: 5_000 });
    await expectWall(page, [FIRST, SECOND], 'one step later');

    // During the round, Ben's draft is his alone: the facilitator never sees it.
    await scrubTo(page, Math.round((at[`drafts:${DRAFT}`]! + at['round-end']!) / 2));
    await expectWall(page, [FIRST, SECOND], 'during the round (facilitator)');
    expect((await wallNotes(page)).some((n) => n.draft)).toBe(false);

    // Home, then play at 120× to the end: the final board.
    await page.getByTestId('replay-scrubber').press('Home');
    await expectWall(page, [], 'at the start');
    await page.getByTestId('replay-speed').selectOption('120');
    await page.getByTestId('replay-play').click();
    await page.waitForFunction(() => window.__arvoReplay!.moment === window.__arvoReplay!.end && document.querySelector('[data-testid="replay-play"]')?.getAttribute('data-playing') === 'false', null, { timeout: 10_000 });
    await expectWall(page, [FIRST, SECOND, DRAFT, LAST], 'after playing to the end');

    // Hovering a note tells who wrote it and when, and its history.
    const note = (await page.evaluate(() => window.__arvoWall!.notes.find((n) => n.text.startsWith('Anna: the library'))))!;
    const point = await page.evaluate(([x, y]) => window.__arvoWall!.toScreen(x!, y!), [note.x + note.width / 2, note.y + note.height / 2]);
    await page.mouse.move(point.x, point.y);
    await expect.poll(() => page.getByTestId('replay-note-author').textContent(), { timeout: 5_000 }).toContain('Anna');
    await page.mouse.move(5, 400);

    // The actor filter: only that actor's notes are drawn.
    await page.getByTestId('replay-filter-actor').selectOption(actorIds.Municipality);
    await expectWall(page, [FIRST, LAST], 'Municipality only');
    expect(new Set((await wallNotes(page)).map((n) => n.actorId))).toEqual(new Set([actorIds.Municipality]));
    await page.getByTestId('replay-filter-actor').selectOption(actorIds.School);
    await expectWall(page, [SECOND, DRAFT], 'School only');
    await page.getByTestId('replay-filter-actor').selectOption('');
    await expectWall(page, [FIRST, SECOND, DRAFT, LAST], 'no filter');

    // Compare: the end of the round against the end — the last note was added since.
    await page.getByTestId('replay-side-compare').click();
    await expect.poll(() => page.getByTestId('replay-compare-added').textContent(), { timeout: 5_000 }).toContain(LAST);
    await screenshot(page, 'replay-facilitator');
  });

  test("the draft's author sees it in their own replay, marked as a draft", async () => {
    const page = await openReplay(ben.token, 'Ben');
    await scrubTo(page, Math.round((at[`drafts:${DRAFT}`]! + at['round-end']!) / 2));
    await expectWall(page, [FIRST, SECOND, DRAFT], 'during the round (Ben)');
    const notes = await wallNotes(page);
    expect(notes.find((n) => n.text === DRAFT)?.draft).toBe(true);
    expect(notes.filter((n) => n.text !== DRAFT).every((n) => !n.draft)).toBe(true);
    // After the round it is on the wall like any note.
    await scrubTo(page, at[`notes:${DRAFT}`]!);
    await page.waitForFunction((d) => window.__arvoWall!.notes.some((n) => n.text === d && !n.draft), DRAFT, { timeout: 5_000 });
  });
});
