import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import * as Y from 'yjs';
import { generateWorkshop, importIntoStore, type GeneratedWorkshop } from '../../scripts/generate-workshop';
import { resolveSecret } from '../../server/auth/secret';
import { createTokenService } from '../../server/auth/tokens';
import { openSqliteStore } from '../../server/store/sqlite';
import { addAction, createTheme } from '../../shared/ops/analysis';
import { addNote } from '../../shared/ops/notes';
import { addParticipant } from '../../shared/ops/room';
import { endRound, startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readAnalysis } from '../../shared/read/analysis';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { connect, waitFor, waitSynced } from '../helpers/clients';
import { tempDir } from '../helpers/server';
import { screenshot, startBrowserSuite } from './harness';
import { parseCsv } from '../helpers/csv';

/**
 * The facilitator's review dashboard end to end (issue 5): a real server serving the built
 * client, stock y-websocket providers for the workshop itself (one timed round run through the
 * room document, two participants writing, a third writing nothing), and headless Chromium for the
 * facilitator who opens ?view=review: the actor bars, the silent participant, the round's row and
 * the timeline CSV download. Then the seeded 3-hour workshop of scripts/generate-workshop.ts
 * (30 participants, 8 rounds, ~1,900 notes on the wall) with two late joiners who wrote nothing,
 * an unlinked challenge theme and actions: its review reads right at that size. With
 * ARVO_DOCS_SCREENSHOTS=1 that screenshot is also copied to docs/screenshots/review.png.
 */

const suite = startBrowserSuite();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens ?view=review with the facilitator's token in localStorage (as client/src/sync/session.ts keeps it), in English. */
async function openReview(page: Page, baseUrl: string, workshopId: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.evaluate(
    ([key, value]) => {
      localStorage.setItem(key!, value!);
      localStorage.setItem('arvo:language', 'en');
    },
    [`arvo:token:${workshopId}`, JSON.stringify({ token, name: 'Facilitator' })],
  );
  await page.goto(`${baseUrl}/w/${workshopId}?view=review`);
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Adds to a generated workshop's room log what a review should flag: two participants who joined
 * late and wrote nothing, a challenge theme with no strength linked, and actions (two overdue).
 */
function addReviewMaterial(workshop: GeneratedWorkshop, now: number): { silent: string[] } {
  const room = new Y.Doc();
  const roomEntries = workshop.entries.filter((e) => e.doc === workshop.workshopId);
  for (const e of roomEntries) Y.applyUpdate(room, e.update);
  let seq = roomEntries.length;
  let ts = workshop.endTs + 1000;
  const captured: Uint8Array[] = [];
  room.on('update', (update: Uint8Array) => captured.push(update));
  const flush = (by: string | null) => {
    for (const update of captured.splice(0)) workshop.entries.push({ doc: workshop.workshopId, seq: ++seq, ts: ts++, participantId: by, update });
  };
  const actors = readRoom(room).actors;
  const late = [
    { id: 'LateJoiner000001', name: 'Tiina Salo', actorId: actors[2]!.id, role: 'participant' as const, joinedAt: workshop.endTs - 40 * 60_000 },
    { id: 'LateJoiner000002', name: 'Markus Aho', actorId: actors[4]!.id, role: 'participant' as const, joinedAt: workshop.endTs - 35 * 60_000 },
  ];
  for (const p of late) {
    addParticipant(room, p, serverOrigin('join'));
    workshop.participants.push(p);
  }
  flush(null);
  const unlinked = createTheme(room, { name: 'Tiedonkulku organisaatioiden välillä', kind: 'challenge' }, LOCAL_ORIGIN);
  const themes = readAnalysis(room).themes.filter((t) => t.kind === 'challenge' && t.id !== unlinked.id);
  const action = (themeId: string | null, what: string, actor: number | null, ownerName: string, checkDate: string, status: 'planned' | 'in-progress' | 'done') =>
    addAction(room, { themeId, what, ownerActorId: actor === null ? null : actors[actor]!.id, ownerName, checkDate, status }, now, LOCAL_ORIGIN);
  action(themes[0]!.id, 'Yhteinen tapahtumakalenteri kaikille toimijoille', 0, 'Johanna Lehtonen', isoDay(now - 9 * DAY), 'in-progress');
  action(themes[1]!.id, 'Opiskelijaprojektit yhdistysten kanssa syksyllä', 3, 'Sami Heikkinen', isoDay(now - 2 * DAY), 'planned');
  action(themes[2]!.id, 'Kuljetusten yhteiskäyttö kokeiluun', 1, 'Kalle Heikkinen', isoDay(now + 20 * DAY), 'planned');
  action(unlinked.id, 'Yhteyshenkilöt jokaiseen organisaatioon', 0, '', isoDay(now - 30 * DAY), 'done');
  action(null, 'Seuraava työpaja keväällä', null, '', '', 'planned');
  flush(workshop.facilitatorId);
  return { silent: late.map((p) => p.id) };
}

describe('review dashboard in a real browser', () => {
  test('after one round with two writers and one silent participant, the facilitator reads the counts, the round and the timeline CSV', async () => {
    // ——— the workshop, run through the documents with stock providers ———
    const created = await createWorkshop(suite.server.url, ['Municipality', 'Association', 'School']);
    const W = created.id;
    const facilitatorRoom = connect(suite.server.wsUrl, roomDocName(W), created.facilitatorToken);
    await waitSynced(facilitatorRoom);
    const actorId = (name: string) => readRoom(facilitatorRoom.doc).actors.find((a) => a.name === name)!.id;
    const [anna, ben, cleo] = await Promise.all([
      join(suite.server.url, W, created.participantJoinKey, 'Anna', actorId('Municipality')),
      join(suite.server.url, W, created.participantJoinKey, 'Ben', actorId('School')),
      join(suite.server.url, W, created.participantJoinKey, 'Cleo', actorId('Association')),
    ]);
    const annaDrafts = connect(suite.server.wsUrl, draftsDocName(W, anna.participantId), anna.token);
    const annaNotes = connect(suite.server.wsUrl, notesDocName(W, anna.participantId), anna.token);
    const benNotes = connect(suite.server.wsUrl, notesDocName(W, ben.participantId), ben.token);
    await Promise.all([waitSynced(annaDrafts), waitSynced(annaNotes), waitSynced(benNotes)]);

    // The short pauses below are gaps in TIME, not waits for events: the review classifies notes by
    // their timestamps (inside the round, after it), so those must differ by a clear margin.
    startRound(facilitatorRoom.doc, '1b', 10 * 60_000, Date.now(), LOCAL_ORIGIN);
    await sleep(300);
    // Anna writes a private draft (posted by the server at the end); Ben posts his at once.
    addNote(annaDrafts.doc, { questionId: '1b', text: 'Library, open evenings', x: 20, y: 20 }, Date.now(), LOCAL_ORIGIN);
    addNote(benNotes.doc, { questionId: '1b', text: '=Gym "after school"', x: 20, y: 20 }, Date.now(), LOCAL_ORIGIN);
    await sleep(1200);
    endRound(facilitatorRoom.doc, Date.now(), LOCAL_ORIGIN);
    await waitFor(annaNotes.doc, () => readNotes(annaNotes.doc).notes.some((n) => n.text === 'Library, open evenings'), "Anna's draft posted to the wall");
    await sleep(200);
    // A late addition after the round.
    addNote(annaNotes.doc, { questionId: '4a', text: 'Timetables do not match', x: 20, y: 20 }, Date.now(), LOCAL_ORIGIN);
    // Seen by another reader = committed to the log, so the review's history has it.
    const annaRead = connect(suite.server.wsUrl, notesDocName(W, anna.participantId), created.facilitatorToken);
    await waitFor(annaRead.doc, () => readNotes(annaRead.doc).notes.some((n) => n.text === 'Timetables do not match'), 'the late note at a reader');

    // ——— the facilitator opens the review ———
    const { page } = await suite.person();
    await openReview(page, suite.server.url, W, created.facilitatorToken);
    const review = page.getByTestId('review');
    await review.waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="review"][data-state="ready"]').waitFor({ timeout: 10_000 });

    // Notes per actor: bars labelled with the actor and count.
    const bars = page.getByTestId('review-actor-bars');
    await expect.poll(() => bars.locator(`li[data-actor-id="${actorId('Municipality')}"]`).getAttribute('data-count')).toBe('2');
    expect(await bars.locator(`li[data-actor-id="${actorId('School')}"]`).getAttribute('data-count')).toBe('1');
    expect(await bars.locator(`li[data-actor-id="${actorId('Association')}"]`).getAttribute('data-count')).toBe('0');
    const municipalityRow = (await bars.locator(`li[data-actor-id="${actorId('Municipality')}"]`).innerText()).replace(/\s+/g, ' ');
    expect(municipalityRow).toContain('Municipality');
    expect(municipalityRow).toContain('light blue');
    expect(municipalityRow).toContain('Municipality: 2 notes');

    // Who has not written: Cleo only.
    const silent = page.getByTestId('review-silent');
    expect(await silent.locator('li').count()).toBe(1);
    expect(await silent.locator(`li[data-participant-id="${cleo.participantId}"]`).innerText()).toContain('Cleo');

    // The round: question 1b, planned 10 min, a couple of seconds long, two notes written in it.
    const rounds = page.getByTestId('review-rounds');
    const row = rounds.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-question-id')).toBe('1b');
    expect(await row.getAttribute('data-status')).toBe('ended');
    const cells = await row.locator('td').allInnerTexts();
    expect(cells[1]).toContain('1b');
    expect(cells[3]).toContain('10 min');
    expect(cells[4]).toMatch(/^\d s$/);
    expect(cells[6]).toMatch(/^9 min \d+ s under$/);
    expect(cells[8]).toBe('2');
    // Anna's late note is listed as written after the rounds.
    expect(await page.getByTestId('review-outside').innerText()).toContain('Timetables do not match');

    await screenshot(page, 'review');

    // ——— the timeline CSV ———
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('review-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/-timeline\.csv$/);
    const text = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['Time', 'Participant', 'Actor', 'Document', 'Event']);
    expect(rows.slice(1).every((r) => r.length === 5 && !Number.isNaN(Date.parse(r[0]!)) && r[0] === new Date(Date.parse(r[0]!)).toISOString())).toBe(true);
    const find = (event: string) => rows.find((r) => r[4] === event);
    expect(find('Round started: 1b')?.slice(1, 4)).toEqual(['Facilitator', '', 'Room']);
    expect(find('Round ended: 1b')?.slice(1, 4)).toEqual(['Facilitator', '', 'Room']);
    expect(find('Draft posted to the wall (1b): Library, open evenings')?.slice(1, 4)).toEqual(['Anna', 'Municipality', 'Notes of Anna']);
    expect(find('Note added (1b): =Gym "after school"')?.slice(1, 4)).toEqual(['Ben', 'School', 'Notes of Ben']);
    expect(find('Note added (4a): Timetables do not match')?.slice(1, 4)).toEqual(['Anna', 'Municipality', 'Notes of Anna']);
    for (const name of ['Anna', 'Ben', 'Cleo']) expect(find(`Joined: ${name}`)?.[1]).toBe('Server');
    // Nobody's drafts leave the server, not even for the facilitator.
    expect(rows.some((r) => r[3]?.startsWith('Drafts of'))).toBe(false);
    // Rows in time order.
    const times = rows.slice(1).map((r) => Date.parse(r[0]!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  test('a refused history shows an error and no CSV', async () => {
    const created = await createWorkshop(suite.server.url);
    const { page } = await suite.person();
    await page.route('**/history?**', (route) => route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { code: 'forbidden', message: 'no' } }) }));
    await openReview(page, suite.server.url, created.id, created.facilitatorToken);
    await page.getByTestId('review-error').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('review-error').innerText()).toContain('403');
    expect(await page.getByTestId('review-csv').isDisabled()).toBe(true);
  });
  test('a generated 3-hour workshop (30 participants, 8 rounds, ~1,900 notes) reads right', async () => {
    const now = Date.now();
    const workshop = generateWorkshop({ seed: 1, start: now - 5 * 3600_000 });
    const { silent } = addReviewMaterial(workshop, now);
    const dataDir = tempDir();
    const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
    await importIntoStore(store, workshop);
    await store.close();
    const big = await suite.extraServer({}, dataDir);
    const tokens = createTokenService(resolveSecret(big.config.secret, dataDir), DAY / 1000);
    const token = await tokens.issue({ workshopId: workshop.workshopId, participantId: workshop.facilitatorId, role: 'facilitator', actorId: null });
    const { page } = await suite.person();
    const opened = Date.now();
    await openReview(page, big.url, workshop.workshopId, token);
    await page.locator('[data-testid="review"][data-state="ready"]').waitFor({ timeout: 20_000 });
    console.log(`review of ${workshop.entries.length} log entries ready in ${Date.now() - opened} ms`);

    // Every note on the wall is in one actor's bar; the rounds table has the eight rounds.
    await expect.poll(async () => (await page.getByTestId('review-actor-bars').locator('li').evaluateAll((items) => items.map((li) => Number(li.getAttribute('data-count'))))).reduce((a, b) => a + b, 0)).toBe(workshop.stats.wallNotesAtEnd);
    const rows = page.getByTestId('review-rounds').locator('tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-question-id')))).toEqual(['1a', '1b', '2a', '2b', '3a', '3b', '4a', '4b']);
    expect(await page.getByTestId('review-silent').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-participant-id')))).toEqual(silent);
    expect(await page.getByTestId('review-unsolved').innerText()).toContain('Tiedonkulku organisaatioiden välillä');
    expect(await page.getByTestId('review-overdue').locator('li').count()).toBe(2);
    await page.waitForTimeout(300);
    const shot = await screenshot(page, 'review-generated');
    if (process.env.ARVO_DOCS_SCREENSHOTS === '1') {
      fs.copyFileSync(shot, path.resolve('docs/screenshots/review.png'));
      console.log('copied to docs/screenshots/review.png');
    }
  });
});
