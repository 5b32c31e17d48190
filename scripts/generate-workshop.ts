/**
 * A seeded, realistic workshop log for replay (issue 5): a 3-hour value-network workshop I with
 * 30 participants in 5 actors, 8 timed writing rounds (questions 1a…4b) producing about 2,000
 * notes written as private drafts and posted to the wall at each round's end, edits, moves and
 * deletes on the wall between rounds, late additions while everything is read aloud, and an
 * analysis phase clustering challenge and strength notes into themes.
 *
 * Every change is made with Arvo's real shared operations on real Y.Docs — one document per
 * room / notes / drafts, as on the server — and each document's `update` events are captured as
 * log entries with a simulated server clock and the author the server would log.
 *
 *   npx tsx scripts/generate-workshop.ts [--seed 1] [--out log.jsonl] [--data-dir ./data]
 *
 * `--out` writes the entries as JSON lines (update in base64); `--data-dir` imports the workshop
 * into an Arvo data directory (its SQLite file) and prints a facilitator token for the history API.
 * The same seed gives the same log, byte for byte (ids and Yjs client ids are seeded too).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as Y from 'yjs';
import { migrate } from '../shared/migrations';
import { assignNote, createTheme, linkStrength, mergeThemes, updateTheme } from '../shared/ops/analysis';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../shared/ops/notes';
import { addParticipant, initRoom } from '../shared/ops/room';
import { endRound, extended, paused, resumed, startRound, updateRound } from '../shared/ops/rounds';
import { markRead, setFocus, setPhase } from '../shared/ops/session';
import { LOCAL_ORIGIN, serverOrigin } from '../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../shared/protocol/docNames';
import { readNotes, readRoom } from '../shared/read/snapshot';
import { noteRef, notesRoots, roomRoots } from '../shared/schema/layout';
import type { Role } from '../shared/schema/participant';
import { compareEntries, entryToJson, type ReplayEntry } from '../shared/replay/types';
import type { DocStore } from '../server/store/port';

export interface GenerateOptions {
  seed?: number;
  participants?: number;
  actors?: number;
  /** Notes written in total (drafts posted in rounds plus late additions on the wall). */
  notes?: number;
  rounds?: number;
  /** Workshop start (server clock). */
  start?: number;
}

export interface GeneratedParticipant {
  id: string;
  name: string;
  actorId: string | null;
  role: Role;
  joinedAt: number;
}

export interface GeneratedWorkshop {
  seed: number;
  workshopId: string;
  facilitatorId: string;
  participants: GeneratedParticipant[];
  actors: Array<{ id: string; name: string }>;
  /** The log, in log order (ts, doc, seq); seq numbers from 1 per document, as a fresh store assigns them. */
  entries: ReplayEntry[];
  startTs: number;
  endTs: number;
  stats: { notesWritten: number; wallNotesAtEnd: number; draftsLeft: number; themes: number; byDocKind: Record<string, number> };
}

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ACTOR_NAMES = ['Kaupunki', 'Hyvinvointialue', 'Yhdistykset', 'Ammattikorkeakoulu', 'Seurakunta', 'Yritykset', 'Asukkaat', 'Kirjasto'];
const FIRST = ['Aino', 'Eero', 'Helmi', 'Ilkka', 'Johanna', 'Kalle', 'Liisa', 'Mikko', 'Niina', 'Olli', 'Päivi', 'Riikka', 'Sami', 'Tuula', 'Ville', 'Anna', 'Jari', 'Minna', 'Pekka', 'Sanna'];
const LAST = ['Virtanen', 'Korhonen', 'Mäkinen', 'Nieminen', 'Hämäläinen', 'Laine', 'Heikkinen', 'Koskinen', 'Järvinen', 'Lehtonen'];
const WORDS = (
  'yhteistyö verkosto asiakas palvelu osaaminen tila vapaaehtoiset nuoret ikäihmiset rahoitus viestintä kuljetus ' +
  'tieto kokemus opiskelijat harjoittelu tapahtumat luottamus resurssit aikataulu kumppanuus hanke koulutus tuki ' +
  'saavutettavuus kohtaaminen paikallistuntemus joustavuus byrokratia vastuu verkostot yhteinen kehittäminen'
).split(' ');
const QUESTIONS = ['1a', '1b', '2a', '2b', '3a', '3b', '4a', '4b'];
const PER_ACTOR = new Set(['1a', '2a']);
const MIN = 60_000;

/**
 * Generates the workshop. Synchronous and self-contained: seeded ids are produced by giving
 * `crypto.getRandomValues` (which Arvo's `newId` uses) a seeded source for the duration of the
 * call, restored afterwards; Yjs client ids are set from the seed.
 */
export function generateWorkshop(options: GenerateOptions = {}): GeneratedWorkshop {
  const seed = options.seed ?? 1;
  const rng = prng(seed);
  const idRng = prng(seed ^ 0x5eed);
  const cryptoObject = globalThis.crypto as Crypto & { getRandomValues: Crypto['getRandomValues'] };
  Object.defineProperty(cryptoObject, 'getRandomValues', {
    configurable: true,
    writable: true,
    value: <T extends ArrayBufferView | null>(array: T): T => {
      if (array) {
        const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(idRng.next() * 256);
      }
      return array;
    },
  });
  try {
    return generate(seed, rng, options);
  } finally {
    delete (cryptoObject as { getRandomValues?: unknown }).getRandomValues;
  }
}

function generate(seed: number, rng: ReturnType<typeof prng>, options: GenerateOptions): GeneratedWorkshop {
  const participantCount = options.participants ?? 30;
  const actorCount = options.actors ?? 5;
  const noteTarget = options.notes ?? 2000;
  const roundCount = Math.min(options.rounds ?? 8, QUESTIONS.length);
  const start = options.start ?? Date.UTC(2025, 2, 12, 7, 0, 0);
  const newIdSeeded = () => Array.from({ length: 16 }, () => ALPHABET[rng.int(0, ALPHABET.length - 1)]).join('');
  const sentence = (min: number, max: number) => {
    const n = rng.int(min, max);
    const words = Array.from({ length: n }, () => rng.pick(WORDS));
    return words.join(' ').replace(/^./, (c) => c.toUpperCase());
  };

  // ——— the log: every document's update events, with the current clock and author ———
  const entries: ReplayEntry[] = [];
  const seqs = new Map<string, number>();
  let clock = start;
  let author: string | null = null;
  const docs = new Map<string, Y.Doc>();
  const open = (name: string) => {
    let doc = docs.get(name);
    if (!doc) {
      doc = new Y.Doc();
      // Yjs takes client ids from a crypto source bound at import: seed them here instead, below
      // 2^30 as Arvo's client picks them (client/src/sync/newDoc.ts: unboxed in V8).
      doc.clientID = rng.int(1, 2 ** 30 - 1);
      doc.on('update', (update: Uint8Array) => {
        const seq = (seqs.get(name) ?? 0) + 1;
        seqs.set(name, seq);
        entries.push({ doc: name, seq, ts: clock, participantId: author, update });
      });
      docs.set(name, doc);
    }
    return doc;
  };
  const as = <T>(ts: number, who: string | null, change: () => T): T => {
    clock = Math.max(clock, Math.round(ts));
    author = who;
    return change();
  };

  const workshopId = newIdSeeded();
  const facilitatorId = newIdSeeded();
  const room = open(roomDocName(workshopId));
  const facilitatorOrigin = LOCAL_ORIGIN;
  const engineOrigin = serverOrigin('round-engine');

  // ——— 0:00 the facilitator creates the workshop (the server logs it as one change) ———
  const actorNames = ACTOR_NAMES.slice(0, actorCount);
  as(start, facilitatorId, () =>
    room.transact(() => {
      initRoom(room, { title: 'Arvoverkkotyöpaja I — hyvinvointipalvelut', template: 'value-network', language: 'fi', actors: actorNames.map((name) => ({ name })) }, start, serverOrigin('create-workshop'));
      addParticipant(room, { id: facilitatorId, name: 'Fasilitaattori', actorId: null, role: 'facilitator', joinedAt: start }, serverOrigin('create-workshop'));
    }),
  );
  const actors = readRoom(room).actors.map((a) => ({ id: a.id, name: a.name }));

  // ——— 0:02–0:10 everyone joins; their documents are created (migrated) when first opened ———
  const participants: GeneratedParticipant[] = [{ id: facilitatorId, name: 'Fasilitaattori', actorId: null, role: 'facilitator', joinedAt: start }];
  const writers: GeneratedParticipant[] = [];
  const productivity = new Map<string, number>();
  for (let i = 0; i < participantCount; i++) {
    const joinedAt = start + 2 * MIN + Math.round((i / participantCount) * 8 * MIN) + rng.int(0, 10_000);
    const p: GeneratedParticipant = { id: newIdSeeded(), name: `${rng.pick(FIRST)} ${rng.pick(LAST)}`, actorId: actors[i % actors.length]!.id, role: 'participant', joinedAt };
    as(joinedAt, null, () => addParticipant(room, { id: p.id, name: p.name, actorId: p.actorId, role: 'participant', joinedAt }, serverOrigin('join')));
    as(joinedAt + 800, null, () => {
      migrate(open(notesDocName(workshopId, p.id)), 'notes');
      migrate(open(draftsDocName(workshopId, p.id)), 'drafts');
    });
    participants.push(p);
    writers.push(p);
    productivity.set(p.id, 0.4 + rng.next() * 1.2);
  }
  const observer: GeneratedParticipant = { id: newIdSeeded(), name: 'Päättäjä Tarkkailija', actorId: null, role: 'observer', joinedAt: start + 9 * MIN };
  as(observer.joinedAt, null, () => addParticipant(room, { id: observer.id, name: observer.name, actorId: null, role: 'observer', joinedAt: observer.joinedAt }, serverOrigin('join')));
  participants.push(observer);
  const notesOf = (p: GeneratedParticipant) => open(notesDocName(workshopId, p.id));
  const draftsOf = (p: GeneratedParticipant) => open(draftsDocName(workshopId, p.id));

  // Notes per (round, participant): productivity-weighted; ~3 % are kept for late additions.
  const late = Math.round(noteTarget * 0.03);
  const quota = new Map<string, number>();
  const weights = writers.map((p) => productivity.get(p.id)!);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  for (let n = 0; n < noteTarget - late; n++) {
    const r = rng.int(0, roundCount - 1);
    let w = rng.next() * weightSum;
    let k = 0;
    while (w > weights[k]! && k < writers.length - 1) w -= weights[k++]!;
    const key = `${r}:${k}`;
    quota.set(key, (quota.get(key) ?? 0) + 1);
  }

  type Action = { t: number; run: () => void };
  const runAll = (actions: Action[]) => {
    actions.sort((a, b) => a.t - b.t);
    for (const action of actions) action.run();
  };
  const otherActor = (p: GeneratedParticipant) => rng.pick(actors.filter((a) => a.id !== p.actorId)).id;
  let notesWritten = 0;

  // ——— 0:10 … 2:10 eight timed rounds: 10 minutes of writing, then the post and a break ———
  let t = start + 10 * MIN;
  for (let r = 0; r < roundCount; r++) {
    const questionId = QUESTIONS[r]!;
    const roundStart = t;
    as(roundStart, facilitatorId, () => startRound(room, questionId, 10 * MIN, roundStart, facilitatorOrigin));
    let roundEnd = roundStart + 10 * MIN;
    const actions: Action[] = [];
    if (r === 2) {
      // The facilitator pauses a round for a question from the floor, then resumes.
      const pauseAt = roundStart + 4 * MIN;
      actions.push({ t: pauseAt, run: () => as(pauseAt, facilitatorId, () => updateRound(room, (x) => paused(x, pauseAt), facilitatorOrigin)) });
      actions.push({ t: pauseAt + 90_000, run: () => as(pauseAt + 90_000, facilitatorId, () => updateRound(room, (x) => resumed(x, pauseAt + 90_000), facilitatorOrigin)) });
      roundEnd += 90_000;
    }
    if (r === 5) {
      const at = roundStart + 8 * MIN;
      actions.push({ t: at, run: () => as(at, facilitatorId, () => updateRound(room, (x) => extended(x, 2 * MIN), facilitatorOrigin)) });
      roundEnd += 2 * MIN;
    }
    writers.forEach((p, k) => {
      const count = quota.get(`${r}:${k}`) ?? 0;
      const drafts = draftsOf(p);
      for (let n = 0; n < count; n++) {
        const id = newIdSeeded();
        const written = roundStart + 15_000 + rng.next() * (roundEnd - roundStart - 40_000);
        const onPhone = rng.chance(0.4);
        const text = sentence(2, 9);
        const aboutActorId = PER_ACTOR.has(questionId) ? otherActor(p) : null;
        const x = rng.int(0, 560);
        const y = rng.int(0, 600);
        notesWritten++;
        actions.push({
          t: written,
          run: () => as(written, p.id, () => addNote(drafts, { questionId, text: onPhone ? text : '', x, y, aboutActorId }, Math.round(written), LOCAL_ORIGIN, id)),
        });
        let last = written;
        if (!onPhone) {
          last = Math.min(roundEnd - 3000, written + rng.int(8_000, 60_000));
          const at = last;
          actions.push({ t: at, run: () => as(at, p.id, () => updateNote(drafts, id, { text }, Math.round(at), LOCAL_ORIGIN)) });
        }
        if (rng.chance(0.15)) {
          const at = Math.min(roundEnd - 2000, last + rng.int(5_000, 90_000));
          last = Math.max(last, at);
          actions.push({ t: at + 1, run: () => as(at + 1, p.id, () => notesRoots(drafts).notes.has(id) && updateNote(drafts, id, { text: `${text}, ${rng.pick(WORDS)}` }, Math.round(at + 1), LOCAL_ORIGIN)) });
        }
        if (rng.chance(0.1)) {
          const at = Math.min(roundEnd - 1500, last + rng.int(2_000, 30_000));
          last = Math.max(last, at);
          const to = { x: rng.int(0, 560), y: rng.int(0, 600) };
          actions.push({ t: at + 2, run: () => as(at + 2, p.id, () => notesRoots(drafts).notes.has(id) && updateNote(drafts, id, to, Math.round(at + 2), LOCAL_ORIGIN)) });
        }
        if (rng.chance(0.04)) {
          const at = Math.min(roundEnd - 1000, last + rng.int(2_000, 60_000));
          actions.push({ t: at + 3, run: () => as(at + 3, p.id, () => notesRoots(drafts).notes.has(id) && deleteNote(drafts, id, LOCAL_ORIGIN)) });
        }
      }
    });
    runAll(actions);

    // Time is up: the facilitator ends the round (which requests the post); the server's round
    // engine moves each participant's drafts of the question to the wall, then records the request.
    as(roundEnd, facilitatorId, () => endRound(room, roundEnd, facilitatorOrigin));
    const postAt = roundEnd + rng.int(200, 900);
    const byActor = new Map<string, number>();
    for (const p of writers) {
      const drafts = draftsOf(p);
      const notes = notesOf(p);
      const mine = readNotes(drafts).notes.filter((n) => n.questionId === questionId);
      if (mine.length === 0) continue;
      as(postAt, null, () =>
        notes.transact(
          () =>
            drafts.transact(() => {
              for (const draft of mine) {
                const slot = byActor.get(`${p.actorId}:${draft.aboutActorId ?? ''}`) ?? 0;
                byActor.set(`${p.actorId}:${draft.aboutActorId ?? ''}`, slot + 1);
                moveNoteBetweenDocs(drafts, notes, draft.id, postAt, engineOrigin, { x: 16 + (slot % 3) * 196, y: 16 + Math.floor(slot / 3) * 136 });
              }
            }, engineOrigin),
          engineOrigin,
        ),
      );
    }
    const requestId = (roomRoots(room).session.get('postRequest') as { id: string } | null)?.id;
    as(postAt + 5, null, () => {
      const done = roomRoots(room).session.get('postedRequests');
      room.transact(() => roomRoots(room).session.set('postedRequests', [...(Array.isArray(done) ? done : []), requestId]), engineOrigin);
    });

    // The break: people tidy their notes on the wall — moves, a few edits and deletions; the
    // facilitator straightens a few notes too.
    const breakStart = postAt + 10_000;
    const breakEnd = roundEnd + 5 * MIN;
    const wall: Action[] = [];
    for (const p of writers) {
      const moves = rng.int(0, 3);
      for (let m = 0; m < moves; m++) {
        const at = breakStart + rng.next() * (breakEnd - breakStart - 5_000);
        const kind = rng.next();
        const who = rng.chance(0.1) ? facilitatorId : p.id;
        wall.push({
          t: at,
          run: () =>
            as(at, who, () => {
              const notes = notesOf(p);
              const current = readNotes(notes).notes;
              if (current.length === 0) return;
              const note = rng.pick(current);
              if (kind < 0.72) updateNote(notes, note.id, { x: Math.max(0, note.x + rng.int(-150, 150)), y: Math.max(0, note.y + rng.int(-100, 100)) }, Math.round(at), LOCAL_ORIGIN);
              else if (kind < 0.95) updateNote(notes, note.id, { text: `${note.text} (${rng.pick(WORDS)})`.slice(0, 500) }, Math.round(at), LOCAL_ORIGIN);
              else deleteNote(notes, note.id, LOCAL_ORIGIN);
            }),
        });
      }
    }
    runAll(wall);
    t = breakEnd;
  }

  // ——— 2:10 read-aloud: the facilitator steps through every note; a few late additions ———
  const readingStart = t;
  as(readingStart, facilitatorId, () => setPhase(room, 'reading', facilitatorOrigin));
  const wallNotes = writers.flatMap((p) => readNotes(notesOf(p)).notes.map((n) => ({ p, n })));
  wallNotes.sort((a, b) => QUESTIONS.indexOf(a.n.questionId) - QUESTIONS.indexOf(b.n.questionId) || (a.p.actorId! < b.p.actorId! ? -1 : 1) || a.n.createdAt - b.n.createdAt);
  const readingMs = 25 * MIN;
  const reading: Action[] = wallNotes.map(({ p, n }, i) => {
    const at = readingStart + 5_000 + (i / wallNotes.length) * (readingMs - 10_000);
    return {
      t: at,
      run: () =>
        as(at, facilitatorId, () =>
          room.transact(() => {
            setFocus(room, { participantId: p.id, noteId: n.id }, facilitatorOrigin);
            markRead(room, noteRef(p.id, n.id), true, Math.round(at), facilitatorOrigin);
          }, facilitatorOrigin),
        ),
    };
  });
  for (let i = 0; i < late; i++) {
    const p = rng.pick(writers);
    const at = readingStart + 30_000 + rng.next() * (readingMs - 60_000);
    const questionId = QUESTIONS[rng.int(0, roundCount - 1)]!;
    const text = sentence(2, 8);
    const aboutActorId = PER_ACTOR.has(questionId) ? otherActor(p) : null;
    const spot = { x: rng.int(0, 560), y: 700 + rng.int(0, 200) };
    const id = newIdSeeded();
    const saved = at + rng.int(5_000, 40_000);
    reading.push({ t: at, run: () => as(at, p.id, () => addNote(notesOf(p), { questionId, text: '', ...spot, aboutActorId }, Math.round(at), LOCAL_ORIGIN, id)) });
    reading.push({ t: saved, run: () => as(saved, p.id, () => notesRoots(notesOf(p)).notes.has(id) && updateNote(notesOf(p), id, { text }, Math.round(saved), LOCAL_ORIGIN)) });
    notesWritten++;
  }
  runAll(reading);
  as(readingStart + readingMs, facilitatorId, () => setFocus(room, null, facilitatorOrigin));

  // ——— 2:35 analysis: challenge and strength themes, notes clustered, strengths linked ———
  const analysisStart = readingStart + readingMs + MIN;
  as(analysisStart, facilitatorId, () => setPhase(room, 'analysis', facilitatorOrigin));
  let at = analysisStart + 20_000;
  const step = () => (at += rng.int(1_000, 3_500));
  const themeNames = {
    challenge: ['Yhteistyön johtaminen', 'Asenteet ja viestintä', 'Palvelujen saavutettavuus', 'Resurssit ja rahoitus', 'Tiedonkulku'],
    strength: ['Verkostot ja paikallistuntemus', 'Joustavuus ja luotettavuus', 'Osaaminen ja oppimisympäristöt', 'Vapaaehtoisten voima'],
  };
  const themes: Record<'challenge' | 'strength', string[]> = { challenge: [], strength: [] };
  for (const kind of ['challenge', 'strength'] as const) {
    for (const name of themeNames[kind]) themes[kind].push(as(step(), facilitatorId, () => createTheme(room, { name, kind }, facilitatorOrigin)).id);
  }
  const clusterable = writers.flatMap((p) => readNotes(notesOf(p)).notes.filter((n) => /^[34]/.test(n.questionId)).map((n) => ({ p, n })));
  for (const { p, n } of clusterable) {
    if (!rng.chance(0.4)) continue;
    const kind = n.questionId.startsWith('4') ? 'challenge' : 'strength';
    as(step() - 1_000, facilitatorId, () => assignNote(room, noteRef(p.id, n.id), rng.pick(themes[kind]), facilitatorOrigin));
  }
  as(step(), facilitatorId, () => updateTheme(room, themes.challenge[0]!, { name: 'Yhteistyö ja sen johtaminen', need: 'Yhteinen koordinaattori ja sovitut pelisäännöt' }, facilitatorOrigin));
  as(step(), facilitatorId, () => mergeThemes(room, themes.challenge[4]!, themes.challenge[1]!, facilitatorOrigin));
  for (let i = 0; i < 4; i++) {
    const challenge = themes.challenge[i]!;
    if (!roomRoots(room).themes.has(challenge)) continue;
    for (const strength of [themes.strength[i % 4]!, themes.strength[(i + 1) % 4]!]) {
      as(step(), facilitatorId, () => linkStrength(room, challenge, `theme:${strength}`, at, facilitatorOrigin));
    }
  }
  const endTs = Math.max(at + 2 * MIN, start + 3 * 60 * MIN);
  as(endTs, facilitatorId, () => setPhase(room, 'closed', facilitatorOrigin));

  entries.sort(compareEntries);
  const byDocKind: Record<string, number> = { room: 0, notes: 0, drafts: 0 };
  for (const e of entries) byDocKind[e.doc.includes('/drafts/') ? 'drafts' : e.doc.includes('/p/') ? 'notes' : 'room']!++;
  const stats = {
    notesWritten,
    wallNotesAtEnd: writers.reduce((sum, p) => sum + readNotes(notesOf(p)).notes.length, 0),
    draftsLeft: writers.reduce((sum, p) => sum + readNotes(draftsOf(p)).notes.length, 0),
    themes: roomRoots(room).themes.size,
    byDocKind,
  };
  for (const doc of docs.values()) doc.destroy();
  return { seed, workshopId, facilitatorId, participants, actors, entries, startTs: start, endTs, stats };
}

/**
 * Imports a generated workshop into a store as the server would have written it: the workshop
 * and participant records, and the log (sequence numbers are assigned by the store and match).
 */
export async function importIntoStore(store: DocStore, workshop: GeneratedWorkshop, batch = 500): Promise<void> {
  const facilitator = workshop.participants.find((p) => p.role === 'facilitator')!;
  const record = (p: GeneratedParticipant) => ({ workshopId: workshop.workshopId, participantId: p.id, role: p.role, actorId: p.actorId, name: p.name, createdAt: p.joinedAt });
  await store.createWorkshop({ id: workshop.workshopId, createdAt: workshop.startTs, participantKeyHash: '0'.repeat(64), observerKeyHash: '1'.repeat(64) }, record(facilitator));
  for (const p of workshop.participants) if (p !== facilitator) await store.addParticipant(record(p));
  for (let i = 0; i < workshop.entries.length; i += batch) {
    const slice = workshop.entries.slice(i, i + batch);
    const seqs = await store.appendUpdates(slice.map((e) => ({ docName: e.doc, ts: e.ts, participantId: e.participantId, update: e.update })));
    slice.forEach((e, k) => {
      if (seqs[k] !== e.seq) throw new Error(`store assigned seq ${seqs[k]} to ${e.doc}#${e.seq}: import into a fresh store`);
    });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seed = Number(arg('--seed') ?? 1);
  const started = performance.now();
  const workshop = generateWorkshop({ seed });
  const ms = performance.now() - started;
  const bytes = workshop.entries.reduce((sum, e) => sum + e.update.byteLength, 0);
  console.log(`workshop ${workshop.workshopId} (seed ${seed}) generated in ${ms.toFixed(0)} ms`);
  console.log(`  ${workshop.participants.length} people, ${workshop.actors.length} actors, ${((workshop.endTs - workshop.startTs) / 3_600_000).toFixed(2)} h`);
  console.log(`  ${workshop.entries.length} log entries (${(bytes / 1024).toFixed(0)} KiB of updates): ${JSON.stringify(workshop.stats.byDocKind)}`);
  console.log(`  notes written ${workshop.stats.notesWritten}, on the wall at the end ${workshop.stats.wallNotesAtEnd}, drafts left ${workshop.stats.draftsLeft}, themes ${workshop.stats.themes}`);
  const out = arg('--out');
  if (out) {
    fs.writeFileSync(out, workshop.entries.map((e) => JSON.stringify(entryToJson(e))).join('\n') + '\n');
    console.log(`  wrote ${out}`);
  }
  const dataDir = arg('--data-dir');
  if (dataDir) {
    const { openSqliteStore } = await import('../server/store/sqlite');
    const { resolveSecret } = await import('../server/auth/secret');
    const { createTokenService } = await import('../server/auth/tokens');
    fs.mkdirSync(dataDir, { recursive: true });
    const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
    await importIntoStore(store, workshop);
    await store.close();
    const tokens = createTokenService(resolveSecret(process.env.SECRET, dataDir), 120 * 86_400);
    const token = await tokens.issue({ workshopId: workshop.workshopId, participantId: workshop.facilitatorId, role: 'facilitator', actorId: null });
    console.log(`  imported into ${path.join(dataDir, 'arvo.sqlite')}`);
    console.log(`  facilitator token: ${token}`);
    console.log(`  try: curl -H "Authorization: Bearer <token>" "http://localhost:8080/api/workshops/${workshop.workshopId}/history?limit=10"`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
