import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { linkkuNoteText, type LinkkuNoteKey } from '../fixtures/linkku';
import { expiresAt, extended, remainingMs, updateRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import { connect, waitSynced } from '../helpers/clients';
import {
  addAction,
  areaKeyOf,
  assignToTheme,
  createTheme,
  endRound,
  expectInItsArea,
  linkStrengthInMatrix,
  markdownMatrix,
  offCentre,
  openView,
  phoneNotes,
  readActionsTable,
  readMatrix,
  readMemoMatrix,
  roundClockSeconds,
  startRound,
  viewOrigin,
  waitCentredOn,
  waitForPosted,
  wallNotes,
  writeOnPhone,
  type AgreedAction,
  type MatrixRow,
  type NoteWhere,
} from './facilitation';
import { screenshot, startBrowserSuite, waitForWall, writeByDoubleClick, writeWithButton, writeWithKey, type Person } from './harness';

/**
 * The LINKKU pilot of METHOD.md run through end to end (issue 4, "Tests"): in real headless
 * Chromium against a real server, a facilitator and three actors' representatives — Associations
 * and LINKKU at laptops (the wall), Students on a phone — go through workshop I (a timed round per
 * question, private drafts posted at the end, read-aloud that the others follow), the analysis
 * (the three challenge themes of the METHOD.md table and the strengths linked to them), the
 * current value map, workshop II's actions and the memo. The note texts are the pilot's
 * (tests/fixtures/linkku.ts, the METHOD.md table's wording).
 *
 * The steps share one workshop and run in order; a failed step skips the rest. Screenshots of the
 * matrix and the map go to test-results/ (with ARVO_DOCS_SCREENSHOTS=1 also to docs/screenshots/).
 *
 * Rounds 1a–4a are ended with the facilitator's "End round". The last one, 4b, is started from
 * the dock with its shortest duration (one minute: the field takes no less) and runs out by
 * itself, so the server's clock ends it and posts the drafts. Once everyone has written, the
 * facilitator's client (a stock provider with the facilitator's token, as -1 min would) shortens
 * it to run out a few seconds later: waiting out the whole minute was most of the file's time.
 */

type ActorName = 'Associations' | 'LINKKU' | 'Students';
const ACTOR_NAMES: readonly ActorName[] = ['Associations', 'LINKKU', 'Students'];
type WriterKey = 'aino' | 'sanna' | 'laura';
const WRITERS: Record<WriterKey, { name: string; actor: ActorName; device: 'wall' | 'phone' }> = {
  aino: { name: 'Aino Virtanen', actor: 'Associations', device: 'wall' },
  sanna: { name: 'Sanna Koskinen', actor: 'LINKKU', device: 'wall' },
  laura: { name: 'Laura Nieminen', actor: 'Students', device: 'phone' },
};
const WRITER_KEYS = Object.keys(WRITERS) as WriterKey[];

interface Planned {
  key: LinkkuNoteKey;
  about?: ActorName;
}
const n = (key: LinkkuNoteKey, about?: ActorName): Planned => ({ key, ...(about ? { about } : {}) });

/** Workshop I: the rounds held, and what each representative writes in them. */
const ROUNDS: ReadonlyArray<{ questionId: string; minutes: number; expires?: boolean; notes: Record<WriterKey, Planned[]> }> = [
  {
    questionId: '1a',
    minutes: 5,
    notes: {
      aino: [n('assoc.1a.villageVolunteers', 'LINKKU'), n('assoc.1a.meetingPlaces', 'LINKKU'), n('assoc.1a.realProjects', 'Students')],
      sanna: [n('linkku.1a.spaceOnBus', 'Associations')],
      laura: [n('students.1a.checkUps', 'LINKKU')],
    },
  },
  {
    questionId: '1b',
    minutes: 5,
    notes: { aino: [n('assoc.1b.peerSupport')], sanna: [n('linkku.1b.servicesToVillage')], laura: [n('students.1b.wellbeing')] },
  },
  {
    questionId: '3a',
    minutes: 10,
    notes: {
      aino: [n('assoc.3a.networks'), n('assoc.3a.willingness'), n('assoc.3a.flexibility'), n('assoc.3a.communication')],
      sanna: [n('linkku.3a.networks'), n('linkku.3a.learningEnvironments')],
      laura: [n('students.3a.commitment'), n('students.3a.keenTeachers'), n('students.3a.pedagogicalPolicy')],
    },
  },
  {
    questionId: '3b',
    minutes: 10,
    notes: {
      aino: [n('assoc.3b.reliability'), n('assoc.3b.approachable'), n('assoc.3b.localKnowledge')],
      sanna: [n('linkku.3b.expertiseAnywhere')],
      laura: [n('students.3b.freshIdeas')],
    },
  },
  {
    questionId: '4a',
    minutes: 10,
    notes: {
      aino: [n('assoc.4a.publicOrganisations')],
      sanna: [n('linkku.4a.networkKnowHow'), n('linkku.4a.suspicion')],
      laura: [n('students.4a.experience'), n('students.4a.communication')],
    },
  },
  {
    questionId: '4b',
    // The one round that runs out by itself (the dock's shortest, one minute): the server ends it
    // on its clock and posts the drafts, without the facilitator.
    minutes: 1,
    expires: true,
    notes: { aino: [n('assoc.4b.targetGroup')], sanna: [n('linkku.4b.scheduling')], laura: [n('students.4b.studyTimetable')] },
  },
];
const TOTAL_NOTES = ROUNDS.reduce((sum, r) => sum + Object.values(r.notes).flat().length, 0);

const text = (key: LinkkuNoteKey) => linkkuNoteText(key, 'en');

/** How long the round that runs out by itself still has once it is shortened. */
const SHORTENED_TO_MS = 3_000;

/**
 * The running round, shortened through the room document by a stock provider holding the
 * facilitator's token (read from the facilitator's browser) to run out `leftMs` from now on the
 * server's clock; returns that moment.
 */
async function shortenRound(facilitatorPage: Page, leftMs: number): Promise<number> {
  const stored = await facilitatorPage.evaluate((id) => localStorage.getItem(`arvo:token:${id}`), workshopId);
  const { token } = JSON.parse(stored!) as { token: string };
  const room = connect(suite.server.wsUrl, roomDocName(workshopId), token);
  await waitSynced(room);
  const now = ((await (await fetch(`${suite.server.url}/api/time`)).json()) as { now: number }).now;
  const round = readRoom(room.doc).session.round!;
  const shortened = updateRound(room.doc, (r) => extended(r, leftMs - remainingMs(r, now)), LOCAL_ORIGIN);
  expect(round.endedAt).toBeNull();
  return expiresAt(shortened)!;
}

/** The METHOD.md table (Kuvio 7): challenge themes with their notes, and whose strengths solve them, in the table's order. */
const TABLE: ReadonlyArray<{ theme: string; need: string; challenges: Array<[ActorName, LinkkuNoteKey]>; strengths: Array<[ActorName, LinkkuNoteKey[]]> }> = [
  {
    theme: 'Collaboration and its management',
    need: "A shared way of leading the network's collaboration",
    challenges: [['Students', 'students.4a.experience'], ['LINKKU', 'linkku.4a.networkKnowHow'], ['Associations', 'assoc.4a.publicOrganisations']],
    strengths: [
      ['Associations', ['assoc.3a.networks', 'assoc.3a.willingness', 'assoc.3a.flexibility']],
      ['LINKKU', ['linkku.3a.networks', 'linkku.3a.learningEnvironments']],
      ['Students', ['students.3a.commitment', 'students.3a.keenTeachers', 'students.3a.pedagogicalPolicy']],
    ],
  },
  {
    theme: 'Attitudes',
    need: 'Trust, and clear and regular communication',
    challenges: [['LINKKU', 'linkku.4a.suspicion'], ['Students', 'students.4a.communication']],
    strengths: [['Associations', ['assoc.3b.reliability', 'assoc.3b.approachable', 'assoc.3a.communication']]],
  },
  {
    theme: 'Availability of services',
    need: 'Routes and timetables planned together with the villages',
    challenges: [['LINKKU', 'linkku.4b.scheduling'], ['Associations', 'assoc.4b.targetGroup']],
    strengths: [
      ['Associations', ['assoc.3b.localKnowledge']],
      ['LINKKU', ['linkku.3b.expertiseAnywhere']],
    ],
  },
];

const suite = startBrowserSuite({ people: 'file' });
let facilitator: Person;
const writers = {} as Record<WriterKey, Person>;
const everyone = () => [facilitator, ...WRITER_KEYS.map((k) => writers[k])].filter(Boolean);
let workshopId = '';
let participantLink = '';
const actorIds = {} as Record<ActorName, string>;
const themeIds: string[] = [];
let agreedActions: Array<AgreedAction & { id: string }> = [];
const timings: Array<[string, number]> = [];
let failed: string | null = null;

/** One step of the scenario: skipped once an earlier one failed (they build on each other). */
function step(name: string, timeout: number, body: () => Promise<void>) {
  test(name, { timeout }, async (context) => {
    if (failed) context.skip(`an earlier step failed: ${failed}`);
    context.onTestFailed(() => {
      failed ??= name;
    });
    const started = Date.now();
    try {
      await body();
    } finally {
      timings.push([name, Date.now() - started]);
    }
    const errors = everyone().flatMap((p) => p.errors);
    expect(errors, 'uncaught exceptions in the pages').toEqual([]);
  });
}

const whereOf = (writer: WriterKey, questionId: string, planned: Planned): NoteWhere => ({
  text: text(planned.key),
  actorId: actorIds[WRITERS[writer].actor],
  questionId,
  aboutActorId: planned.about ? actorIds[planned.about] : null,
});
const wallWriters = WRITER_KEYS.filter((k) => WRITERS[k].device === 'wall');

function copyToDocs(file: string, name: string) {
  if (process.env.ARVO_DOCS_SCREENSHOTS !== '1') return;
  const target = path.resolve('docs/screenshots', name);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
  console.log(`copied to ${target}`);
}

/** A screenshot of the page down to the bottom of `bottomOf`: the window is made tall enough for it, then restored. */
async function tallScreenshot(page: Page, name: string, bottomOf: string): Promise<string> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(0, 0);
  const size = page.viewportSize()!;
  // Twice: what is sized by the window (the map) grows with it.
  for (let i = 0; i < 2; i++) {
    const needed = await page.evaluate((selector) => {
      document.querySelector('main.content')?.scrollTo(0, 0);
      return Math.ceil(document.querySelector(selector)!.getBoundingClientRect().bottom + 16);
    }, bottomOf);
    await page.setViewportSize({ width: size.width, height: Math.min(1800, Math.max(size.height, needed)) });
  }
  await page.evaluate(() => document.querySelector('main.content')?.scrollTo(0, 0));
  const file = await screenshot(page, name);
  await page.setViewportSize(size);
  return file;
}

afterAll(() => {
  if (timings.length) console.log(`LINKKU pilot steps (ms): ${timings.map(([name, ms]) => `${name.split(':')[0]} ${ms}`).join(', ')}`);
});

describe('the LINKKU pilot of METHOD.md, from the first round to the memo', () => {
  step('1: the facilitator creates the workshop on the start page and gets the join link', 20_000, async () => {
    facilitator = await suite.person();
    // A step that waits in vain fails with the locator's name rather than the step's timeout.
    facilitator.context.setDefaultTimeout(10_000);
    const { page } = facilitator;
    await page.goto(suite.server.url);
    await page.locator('#title').fill('LINKKU service bus, associations and students');
    await page.locator('#facilitator-name').fill('Riikka Mäkelä');
    await page.locator('label:has(input[name="language"][value="en"])').click();
    await page.locator('label:has(input[name="template"][value="value-network"])').click();
    for (const name of ACTOR_NAMES) {
      await page.locator('#actor-add').click();
      const field = page.locator('input[id^="actor-name-"]').last();
      await field.waitFor();
      await field.fill(name);
    }
    await page.locator('form button[type="submit"]').click();
    await page.waitForURL(/\/w\/[0-9A-Za-z]{16}$/, { timeout: 10_000 });
    workshopId = new URL(page.url()).pathname.split('/')[2]!;
    // The invite panel opens by itself after creation.
    const link = page.locator('dialog.share[open] #share-participant-input');
    await link.waitFor({ timeout: 10_000 });
    participantLink = await link.inputValue();
    expect(participantLink).toMatch(new RegExp(`^${suite.server.url}/w/${workshopId}/join\\?k=[^&]+$`));
    await page.getByRole('button', { name: 'Done' }).click();
    await waitForWall(page);

    const key = new URL(participantLink).searchParams.get('k')!;
    const preview = (await (await fetch(`${suite.server.url}/api/workshops/${workshopId}/preview?k=${encodeURIComponent(key)}`)).json()) as { actors: Array<{ id: string; name: string }> };
    expect(preview.actors.map((a) => a.name)).toEqual(ACTOR_NAMES);
    for (const actor of preview.actors) actorIds[actor.name as ActorName] = actor.id;
    // One flipchart per actor, in the order given; the facilitator writes on none of them.
    expect((await page.evaluate(() => window.__arvoWall!.flipcharts.map((f) => f.actorId)))).toEqual(ACTOR_NAMES.map((a) => actorIds[a]));
    await page.getByTestId('facilitator-controls').waitFor();
  });

  step('2: one representative per actor joins through the link — two at the wall, Students on a phone', 30_000, async () => {
    const joined = await Promise.all(
      WRITER_KEYS.map((k) =>
        suite.join(participantLink, WRITERS[k].name, WRITERS[k].actor, WRITERS[k].device === 'phone' ? { width: 390, height: 780, mobile: true } : { width: 1440, height: 900 }),
      ),
    );
    WRITER_KEYS.forEach((k, i) => {
      writers[k] = joined[i]!;
      writers[k].context.setDefaultTimeout(10_000);
    });
    await Promise.all(wallWriters.map((k) => waitForWall(writers[k].page)));
    // The phone opens the phone view by itself: no canvas, the big text box.
    await writers.laura.page.locator('.phone-view #phone-text').waitFor();
    expect(await writers.laura.page.locator('[data-testid="wall"]').count()).toBe(0);
    await expect.poll(() => writers.laura.page.locator('.writing-as strong').textContent()).toBe('Students');
    // The facilitator sees everyone present.
    await expect
      .poll(async () => (await facilitator.page.locator('.presence .name').allTextContents()).map((name) => name.trim()).filter((name) => !name.includes('Riikka')).sort())
      .toEqual(WRITER_KEYS.map((k) => WRITERS[k].name).sort());
  });

  step('3: workshop I — a timed round per question; drafts stay private and go to the wall when the round ends', 150_000, async () => {
    const fac = facilitator.page;
    for (const [index, round] of ROUNDS.entries()) {
      const q = round.questionId;
      const roundStarted = Date.now();
      await startRound(fac, q, round.minutes);

      // Everyone sees the question and the same countdown (the server's clock).
      for (const person of WRITER_KEYS.map((k) => writers[k])) {
        await person.page.getByTestId('round-bar').waitFor({ timeout: 5_000 });
        expect(await person.page.getByTestId('round-bar').textContent()).toContain(`Question ${q}`);
      }
      let clocks: number[] = [];
      if (index === 0 || round.expires) {
        clocks = (await Promise.all(everyone().map((p) => roundClockSeconds(p.page)))) as number[];
        for (const seconds of clocks) {
          expect(seconds).toBeLessThanOrEqual(round.minutes * 60);
          expect(seconds).toBeGreaterThan(round.minutes * 60 - 15);
        }
        expect(Math.max(...clocks) - Math.min(...clocks), `the same countdown everywhere: ${clocks.join(', ')}`).toBeLessThanOrEqual(2);
      }

      // Each writes independently, one answer per note, at the same time.
      await Promise.all(
        WRITER_KEYS.map(async (k) => {
          const { page } = writers[k];
          let lastArea: string | null = null;
          for (const planned of round.notes[k]) {
            const where = whereOf(k, q, planned);
            if (WRITERS[k].device === 'phone') {
              await writeOnPhone(page, q, where.text, planned.about);
            } else {
              // A double-click in an empty area (per actor: the one it is about); the next note in
              // the same area with the New note button (Aino) or the N key (Sanna): both take the
              // area last written in, or the round's question.
              const area = areaKeyOf(where);
              const written =
                where.aboutActorId && area !== lastArea
                  ? await writeByDoubleClick(page, area, where.text)
                  : k === 'aino'
                    ? await writeWithButton(page, where.text)
                    : await writeWithKey(page, where.text);
              lastArea = area;
              expect(written.note).toMatchObject({ actorId: where.actorId, questionId: q, aboutActorId: where.aboutActorId, mine: true, draft: true });
            }
          }
        }),
      );

      // Drafts are private: after the others' would have arrived, each author sees only their own
      // (as drafts), and the facilitator sees none.
      await fac.waitForTimeout(index === 0 ? 600 : 250);
      for (const k of wallWriters) {
        const shown = (await wallNotes(writers[k].page)).filter((x) => x.questionId === q);
        expect(shown.filter((x) => !x.mine).map((x) => x.text), `${k} sees nobody else's ${q} drafts`).toEqual([]);
        expect(shown.every((x) => x.draft), `${k}'s own ${q} notes are drafts`).toBe(true);
        expect(shown.map((x) => x.text).sort()).toEqual(round.notes[k].map((p) => text(p.key)).sort());
        if (index === 0) expect(await writers[k].page.getByTestId('post-my-drafts').textContent()).toContain(`Post my ${round.notes[k].length} drafts`);
      }
      expect((await wallNotes(fac)).filter((x) => x.questionId === q), 'the facilitator sees no drafts').toEqual([]);
      const onPhone = (await phoneNotes(writers.laura.page)).filter((x) => x.questionId === q);
      expect(onPhone.map((x) => x.text).sort()).toEqual(round.notes.laura.map((p) => text(p.key)).sort());
      expect(onPhone.every((x) => x.draft), 'the phone lists its notes as drafts').toBe(true);
      if (index === 0) {
        // The countdown runs.
        const later = (await roundClockSeconds(writers.aino.page))!;
        expect(later).toBeLessThan(clocks[1]!);
      }

      // Time is up: the facilitator ends the round (or it runs out), and the drafts go to the
      // authors' flipcharts.
      if (round.expires) {
        const runsOutAt = await shortenRound(fac, SHORTENED_TO_MS);
        await fac.getByTestId('start-round').waitFor({ timeout: SHORTENED_TO_MS + 15_000 });
        expect(Date.now() - runsOutAt, 'ended when its time ran out, not before').toBeGreaterThanOrEqual(-500);
        expect(runsOutAt - roundStarted).toBeLessThan(round.minutes * 60_000);
      } else {
        await endRound(fac);
      }
      for (const k of WRITER_KEYS) {
        for (const planned of round.notes[k]) {
          const where = whereOf(k, q, planned);
          for (const viewer of ['facilitator', ...wallWriters] as const) {
            const page = viewer === 'facilitator' ? fac : writers[viewer].page;
            const shown = await waitForPosted(page, where, viewer === k);
            if (viewer === 'facilitator') await expectInItsArea(fac, shown, where);
          }
        }
      }
      await expect.poll(async () => (await phoneNotes(writers.laura.page)).filter((x) => x.questionId === q && x.draft).length, { message: 'no drafts left on the phone' }).toBe(0);
      for (const k of WRITER_KEYS) await expect.poll(() => writers[k].page.getByTestId('round-bar').count()).toBe(0);
    }
    expect((await wallNotes(fac)).length).toBe(TOTAL_NOTES);
    expect((await wallNotes(writers.aino.page)).filter((x) => x.draft)).toEqual([]);
  });

  step('4: read-aloud — the facilitator steps through the notes and the participants’ views follow', 30_000, async () => {
    const fac = facilitator.page;
    const aino = writers.aino.page;
    const sanna = writers.sanna.page;
    // Reading order: actor by actor, question by question; 1a by the actor it is about, then as written.
    const order = ROUNDS[0]!.notes.aino.map((p) => whereOf('aino', '1a', p));
    const focused = fac.getByTestId('focused-note');

    for (const note of order.slice(0, 2)) {
      await fac.getByTestId('read-next').click();
      await expect.poll(() => focused.locator('p').textContent()).toBe(note.text);
      expect(await focused.locator('footer').textContent()).toBe('Aino Virtanen · Associations');
      // Both followers glide to it and zoom in to read it (LINKKU's view leaves its own flipchart).
      for (const page of [aino, sanna]) {
        const view = await waitCentredOn(page, note);
        expect(view.scale).toBeGreaterThanOrEqual(1.1);
      }
    }
    await expect.poll(() => fac.locator('[data-testid="facilitator-controls"]').textContent()).toContain(`1 of ${TOTAL_NOTES} notes read`);

    // Aino pans away: she detaches, and the next note moves only Sanna's view.
    await aino.getByTestId('wall').focus();
    await aino.keyboard.press('ArrowRight');
    await aino.getByTestId('follow-back').waitFor({ timeout: 3_000 });
    await aino.waitForTimeout(300);
    const detached = await viewOrigin(aino);
    const third = order[2]!;
    await fac.getByTestId('read-next').click();
    await expect.poll(() => focused.locator('p').textContent()).toBe(third.text);
    await waitCentredOn(sanna, third);
    await aino.waitForTimeout(600);
    expect(await viewOrigin(aino), 'a detached view stays where it is').toEqual(detached);
    expect((await offCentre(aino, third))!.distance).toBeGreaterThan(40);
    // "Back to the facilitator" re-attaches her at the note being read. (The button floats over
    // the wall, so its going away does not resize the wall and shift the view.)
    await aino.getByTestId('follow-back').click();
    await waitCentredOn(aino, third, 3_000);
    expect(await aino.getByTestId('follow-back').count()).toBe(0);
    await expect.poll(() => fac.locator('[data-testid="facilitator-controls"]').textContent()).toContain(`2 of ${TOTAL_NOTES} notes read`);
  });

  step('5: analysis — the three challenge themes of METHOD.md built, and the strengths linked to them in the matrix', 45_000, async () => {
    const page = facilitator.page;
    await openView(page, 'Analysis');
    await page.locator('section.column.challenge').waitFor();
    expect(await page.locator('section.column.challenge li.card').count()).toBe(ROUNDS.filter((r) => r.questionId.startsWith('4')).reduce((s, r) => s + Object.values(r.notes).flat().length, 0));

    // Themes, in the table's order; each challenge note moved in with its card's menu (the keyboard path).
    for (const row of TABLE) themeIds.push(await createTheme(page, 'challenge', row.theme));
    for (const [i, row] of TABLE.entries()) {
      for (const [actor, key] of row.challenges) await assignToTheme(page, 'challenge', text(key), actor, themeIds[i]!);
    }
    for (const [i, row] of TABLE.entries()) {
      const inTheme = await page.locator(`section.theme[data-theme-id="${themeIds[i]}"] li.card p.text`).allTextContents();
      expect(inTheme.sort()).toEqual(row.challenges.map(([, key]) => text(key)).sort());
    }
    // The one challenge the pilot left out of the themes stays in the pool.
    expect(await page.locator('section.column.challenge section.pool li.card p.text').allTextContents()).toEqual([text('students.4b.studyTimetable')]);

    await page.locator('#analysis-tab-matrix').click();
    await page.waitForURL((url) => url.searchParams.get('tab') === 'matrix');
    await page.getByTestId('matrix').waitFor();
    expect((await readMatrix(page)).every((row) => row.unsolved), 'rows without strengths are flagged').toBe(true);
    for (const [i, row] of TABLE.entries()) {
      for (const [actor, keys] of row.strengths) for (const key of keys) await linkStrengthInMatrix(page, themeIds[i]!, actor, text(key));
      // What is needed to solve it (saved with Ctrl+Enter, like leaving the field).
      await page.locator(`#matrix-need-${themeIds[i]}`).fill(row.need);
      await page.locator(`#matrix-need-${themeIds[i]}`).press('Control+Enter');
    }

    const expected: MatrixRow[] = TABLE.map((row) => ({
      theme: row.theme,
      challenges: row.challenges.map(([actor, key]) => `${text(key)} — ${actor}`).sort(),
      need: row.need,
      strengths: row.strengths.map(([actor, keys]) => ({ actor, items: keys.map(text) })),
      unsolved: false,
    }));
    await expect.poll(async () => (await readMatrix(page)).map((row) => ({ ...row, challenges: row.challenges.sort() }))).toEqual(expected);
    expect(await page.getByTestId('matrix').locator('tbody > tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-theme-id')))).toEqual(themeIds);
    await expect.poll(() => page.locator('.summary').textContent()).toBe('Strengths are linked to 3 of 3 challenge themes.');
    // Counts per actor: linked strengths and challenge notes in the themes.
    const counts = await page.locator('section.counts tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())));
    expect(counts).toEqual([
      ['Associations', '2', '7'],
      ['LINKKU', '3', '3'],
      ['Students', '2', '3'],
    ]);

    copyToDocs(await tallScreenshot(page, 'linkku-matrix', '.analysis-view'), 'matrix.png');
  });

  step('6: the current value map shows the flows of the 1a/1b notes', 30_000, async () => {
    const page = facilitator.page;
    await openView(page, 'Value map');
    const map = page.getByTestId('value-map');
    await map.waitFor();
    expect(await map.locator('[data-flow-id]').count(), 'an empty map before the facilitator adds flows').toBe(0);

    await page.getByRole('button', { name: 'Suggest flows from the notes' }).click();
    const id = (name: ActorName | 'clients') => (name === 'clients' ? 'clients' : actorIds[name]);
    const expectedFlows: Array<[ActorName, ActorName | 'clients', LinkkuNoteKey[]]> = [
      ['Associations', 'LINKKU', ['assoc.1a.villageVolunteers', 'assoc.1a.meetingPlaces']],
      ['Associations', 'Students', ['assoc.1a.realProjects']],
      ['LINKKU', 'Associations', ['linkku.1a.spaceOnBus']],
      ['Students', 'LINKKU', ['students.1a.checkUps']],
      ['Associations', 'clients', ['assoc.1b.peerSupport']],
      ['LINKKU', 'clients', ['linkku.1b.servicesToVillage']],
      ['Students', 'clients', ['students.1b.wellbeing']],
    ];
    await page.getByRole('button', { name: `Add all (${expectedFlows.length})` }).click();
    await expect.poll(() => map.locator('[data-flow-id]').count()).toBe(expectedFlows.length);

    const edges = await map.locator('[data-flow-id]').evaluateAll((list) => list.map((e) => ({ id: e.getAttribute('data-flow-id')!, from: e.getAttribute('data-from')!, to: e.getAttribute('data-to')! })));
    const pairs = (list: Array<{ from: string; to: string }>) => list.map((e) => `${e.from}->${e.to}`).sort();
    expect(pairs(edges)).toEqual(pairs(expectedFlows.map(([from, to]) => ({ from: id(from), to: id(to) }))));

    // Services that come to the village are tangible: the facilitator types that flow.
    const services = edges.find((e) => e.from === id('LINKKU') && e.to === 'clients')!;
    await map.locator(`[data-label-for="${services.id}"]`).click();
    await page.locator('.flow-panel input[name="map-flow-kind"][value="tangible"]').check();
    await expect.poll(() => map.locator(`[data-flow-id="${services.id}"]`).getAttribute('data-kind')).toBe('tangible');

    // Each arrow lists the notes behind it.
    for (const [from, to, keys] of expectedFlows) {
      const edge = edges.find((e) => e.from === id(from) && e.to === id(to))!;
      await map.locator(`[data-label-for="${edge.id}"]`).click();
      const panel = page.locator('.flow-panel');
      await expect.poll(() => panel.locator('h2').textContent()).toBe(`${from} → ${to === 'clients' ? 'Clients / residents' : to}`);
      for (const key of keys) expect(await panel.locator('ul.notes').textContent()).toContain(text(key));
    }
    await page.locator('.flow-panel').getByRole('button', { name: 'Close' }).click();
    await page.locator('.flow-panel').waitFor({ state: 'detached' });
    await page.mouse.move(0, 0);
    copyToDocs(await tallScreenshot(page, 'linkku-map', '.map-view .main'), 'map.png');
  });

  step('7: workshop II — an action agreed for each challenge theme, with owner and check date', 30_000, async () => {
    const page = facilitator.page;
    await openView(page, 'Actions');
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const agreed: AgreedAction[] = [
      { themeId: themeIds[0]!, what: 'Set up a steering group of the bus, the associations and the university that meets every two months', ownerActorName: 'LINKKU', person: 'Sanna Koskinen', checkDate: inDays(42) },
      { themeId: themeIds[1]!, what: 'The associations introduce the bus at their own events and in their newsletters', ownerActorName: 'Associations', person: 'Aino Virtanen', checkDate: inDays(70) },
      { themeId: themeIds[2]!, what: 'Plan the autumn routes and timetables together with the village associations', ownerActorName: 'LINKKU', person: 'Sanna Koskinen', checkDate: inDays(21) },
      { themeId: themeIds[0]!, what: 'Build a project-based course around the bus for the autumn term', ownerActorName: 'Students', person: 'Laura Nieminen', checkDate: inDays(56) },
    ];
    const ids: string[] = [];
    for (const action of agreed) ids.push(await addAction(page, action));
    agreedActions = agreed.map((a, i) => ({ ...a, id: ids[i]! }));

    const table = page.getByTestId('actions');
    await table.waitFor();
    // Sorted by check date (the follow-up order), not in the order agreed.
    const byDate = agreed.map((a, i) => ({ ...a, id: ids[i]! })).sort((a, b) => a.checkDate.localeCompare(b.checkDate));
    const themeLabel = (themeId: string | null) => `${themeIds.indexOf(themeId!) + 1}. ${TABLE[themeIds.indexOf(themeId!)]!.theme}`;
    await expect
      .poll(() => readActionsTable(page))
      .toEqual(byDate.map((a) => ({ id: a.id, checkDate: a.checkDate, what: a.what, theme: themeLabel(a.themeId), owner: a.ownerActorName, person: a.person, status: 'planned' })));
    expect(await table.locator('tr.overdue').count()).toBe(0);

    // Everyone can read what was agreed: Aino opens the actions from her laptop.
    await openView(writers.aino.page, 'Actions');
    for (const themeId of themeIds) {
      const cards = writers.aino.page.locator(`section.theme-block[data-theme-id="${themeId}"] li.card .what`);
      await expect.poll(() => cards.allTextContents()).toEqual(agreed.filter((a) => a.themeId === themeId).map((a) => a.what));
    }
  });

  step('8: the memo’s matrix section lists exactly the three themes with the strengths by actor', 30_000, async () => {
    const page = facilitator.page;
    await openView(page, 'Memo');
    await page.getByTestId('memo-preview').waitFor();

    const expectedRows = TABLE.map((row, i) => ({
      theme: `${i + 1}. ${row.theme}`,
      need: row.need,
      strengths: row.strengths.map(([actor, keys]) => ({ actor, items: keys.map(text) })),
    }));
    const shown = await readMemoMatrix(page);
    expect(shown.heading).toBe('Challenges and strengths');
    expect(shown.rows.map(({ theme, need, strengths }) => ({ theme, need, strengths }))).toEqual(expectedRows);
    expect(shown.rows.map((r) => [...r.challenges].sort())).toEqual(TABLE.map((row) => row.challenges.map(([actor, key]) => `${text(key)} (${actor})`).sort()));

    // The Markdown download says the same.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('memo-md').click()]);
    expect(download.suggestedFilename()).toMatch(/\.md$/);
    const markdown = fs.readFileSync((await download.path())!, 'utf8');
    expect(markdownMatrix(markdown)).toEqual(expectedRows);
    // …and its actions table the agreements, by check date, with owners.
    const actionsSection = markdown.slice(markdown.indexOf('\n## Actions'));
    const actionRows = actionsSection
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Check date'))
      .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
    expect(actionRows.map(([, what, theme, owner, person, status]) => ({ what, theme, owner, person, status }))).toEqual(
      [...agreedActions]
        .sort((a, b) => a.checkDate.localeCompare(b.checkDate))
        .map((a) => ({ what: a.what, theme: TABLE[themeIds.indexOf(a.themeId!)]!.theme, owner: a.ownerActorName, person: a.person, status: 'planned' })),
    );
  });
});
