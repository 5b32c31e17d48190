import { describe, expect, it } from 'vitest';
import type { Board, BoardDiff, BoardNote, ReplayEvent } from '../../shared/replay';
import type { RoomSnapshot } from '../../shared/read/snapshot';
import type { AnalysisSnapshot } from '../../shared/read/analysis';
import { GAP_COLLAPSE_MS, GAP_SHOWN_MS, MAX_FRAME_MS, TimeScale, advance, distinctTimes, histogram, nextChange, placeMarkers, previousChange, recentEvents } from '../../client/src/replay/timeline';
import { differentDays, formatClock, formatDuration, formatMoment } from '../../client/src/replay/format';
import { NoteConverter, countsByActor, diffMarks, nameMap, refOfWallKey, signed, toSnapshot, wallKey, type Me } from '../../client/src/replay/board';
import { ROUND_SETTLE_MS, defaultPair, namedMoments } from '../../client/src/replay/moments';
import { describeEvent } from '../../client/src/replay/describe';
import { HistoryError, loadHistory } from '../../client/src/replay/history';

/**
 * The replay view's pure helpers (client/src/replay): the timeline scale with long gaps drawn
 * short, stepping between changes, playback frames, marker placement, time formatting, the
 * board-to-snapshot conversion (own drafts only), compare marks and counts, named moments, event
 * lines and the history pager.
 */
const T0 = Date.UTC(2026, 10, 28, 8, 0, 0);
const MIN = 60_000;

describe('TimeScale', () => {
  it('is the identity (from the first change) when there are no long gaps', () => {
    const scale = new TimeScale([T0, T0 + 1000, T0 + 1000, T0 + 5 * MIN]);
    expect(scale.start).toBe(T0);
    expect(scale.end).toBe(T0 + 5 * MIN);
    expect(scale.length).toBe(5 * MIN);
    expect(scale.gaps).toEqual([]);
    for (const ts of [T0, T0 + 1, T0 + 1234, T0 + 5 * MIN]) {
      expect(scale.toValue(ts)).toBe(ts - T0);
      expect(scale.toTs(ts - T0)).toBe(ts);
    }
    expect(scale.fraction(T0 + 150_000)).toBe(0.5);
  });

  it('draws a long quiet stretch short, exactly at the changes on both sides', () => {
    const lunch = 2 * 60 * MIN;
    const times = [T0, T0 + 10_000, T0 + 10_000 + lunch, T0 + 20_000 + lunch];
    const scale = new TimeScale(times);
    expect(scale.gaps).toEqual([{ from: T0 + 10_000, to: T0 + 10_000 + lunch, value: 10_000 }]);
    expect(scale.length).toBe(10_000 + GAP_SHOWN_MS + 10_000);
    expect(scale.toValue(T0 + 10_000)).toBe(10_000);
    expect(scale.toValue(T0 + 10_000 + lunch)).toBe(10_000 + GAP_SHOWN_MS);
    // Every change maps to an exact (integer) value and back, so a step lands on its millisecond.
    for (const ts of times) expect(scale.toTs(scale.toValue(ts))).toBe(ts);
    // Inside the gap: proportionally.
    expect(scale.toValue(T0 + 10_000 + lunch / 2)).toBeCloseTo(10_000 + GAP_SHOWN_MS / 2, 6);
    // Clamped outside the timeline.
    expect(scale.toValue(T0 - 5000)).toBe(0);
    expect(scale.toTs(scale.length + 1000)).toBe(times.at(-1));
  });

  it('keeps order (increasing) across several gaps, and a gap just over the limit counts', () => {
    const times = [T0, T0 + GAP_COLLAPSE_MS + 1, T0 + GAP_COLLAPSE_MS + 2, T0 + 3 * GAP_COLLAPSE_MS, T0 + 10 * 86_400_000];
    const scale = new TimeScale(times);
    expect(scale.gaps.length).toBe(3);
    let previous = -1;
    for (let ts = T0; ts <= times.at(-1)!; ts += 3_600_000) {
      const v = scale.toValue(ts);
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
    expect(scale.length).toBe(3 * GAP_SHOWN_MS + 1);
  });

  it('handles an empty history and a single change', () => {
    const empty = new TimeScale([]);
    expect(empty.length).toBe(0);
    expect(empty.fraction(123)).toBe(0);
    const one = new TimeScale([T0]);
    expect(one.length).toBe(0);
    expect(one.toTs(0)).toBe(T0);
  });
});

describe('stepping between changes', () => {
  const times = distinctTimes([T0, T0, T0 + 100, T0 + 100, T0 + 250, T0 + 900]);
  it('distinct times', () => expect(times).toEqual([T0, T0 + 100, T0 + 250, T0 + 900]));

  it('next: the first change after the moment', () => {
    expect(nextChange(times, T0 - 1)).toBe(T0);
    expect(nextChange(times, T0)).toBe(T0 + 100);
    expect(nextChange(times, T0 + 150)).toBe(T0 + 250);
    expect(nextChange(times, T0 + 900)).toBeNull();
  });

  it('previous: the change before the one shown (the board at a moment shows every change up to it)', () => {
    expect(previousChange(times, T0 + 250)).toBe(T0 + 100);
    // Between two changes the one shown is the earlier: one step back goes before it.
    expect(previousChange(times, T0 + 300)).toBe(T0 + 100);
    expect(previousChange(times, T0 + 100)).toBe(T0);
    expect(previousChange(times, T0)).toBeNull();
    expect(previousChange(times, T0 - 5)).toBeNull();
  });

  it('next then previous comes back', () => {
    for (const ts of times.slice(1)) expect(previousChange(times, nextChange(times, ts - 1)!)).toBe(times[times.indexOf(ts) - 1]);
  });
});

describe('playback', () => {
  it('moves frameMs × speed of workshop time per frame and stops at the end', () => {
    expect(advance(0, 16, 60, 100_000)).toEqual({ value: 960, ended: false });
    expect(advance(99_500, 16, 60, 100_000)).toEqual({ value: 100_000, ended: true });
    // A long frame (the tab slept) jumps no further than MAX_FRAME_MS × speed.
    expect(advance(0, 5000, 10, 1e9).value).toBe(MAX_FRAME_MS * 10);
    expect(advance(10, -20, 10, 1e9).value).toBe(10);
  });

  it('plays a 3-hour workshop with a lunch gap at 60× in 3 minutes plus the gap shown', () => {
    // A change every 30 s, but nothing over lunch (from 90 to 150 min).
    const times: number[] = [];
    for (let t = 0; t <= 240 * MIN; t += 30_000) if (t <= 90 * MIN || t >= 150 * MIN) times.push(T0 + t);
    const scale = new TimeScale(times);
    expect(scale.gaps.length).toBe(1);
    let value = 0;
    let frames = 0;
    for (let ended = false; !ended; frames++) ({ value, ended } = advance(value, 1000 / 60, 60, scale.length));
    const seconds = frames / 60;
    expect(seconds).toBeCloseTo((180 * MIN + GAP_SHOWN_MS) / 60 / 1000, 0);
    expect(scale.toTs(value)).toBe(T0 + 240 * MIN);
  });
});

const event = (kind: ReplayEvent['kind'], ts: number, extra: Partial<ReplayEvent> = {}): ReplayEvent => ({ index: 0, ts, kind, doc: 'W', docKind: 'room', by: 'Facilitator00001', ...extra });

describe('markers', () => {
  const scale = new TimeScale([T0, T0 + 1000]);
  it('places the marker kinds along the timeline, merging one thing repeated at one moment', () => {
    const events = [
      event('round-start', T0, { questionId: '1a' }),
      event('note-added', T0 + 100),
      event('post', T0 + 500, { questionId: '1a' }),
      event('post', T0 + 500, { questionId: '1a' }),
      event('post', T0 + 500, { questionId: '1b' }),
      event('round-end', T0 + 1000, { questionId: '1a' }),
    ];
    const markers = placeMarkers(events, ['round-start', 'round-end', 'post'], scale);
    expect(markers.map((m) => [m.kind, m.at, m.events.length])).toEqual([
      ['round-start', 0, 1],
      ['post', 0.5, 2],
      ['post', 0.5, 1],
      ['round-end', 1, 1],
    ]);
  });

  it('counts activity per slice', () => {
    expect(histogram([T0, T0 + 10, T0 + 499, T0 + 500, T0 + 1000], scale, 4)).toEqual([2, 1, 1, 1]);
  });
});

describe('recent events', () => {
  const events = [0, 1, 1, 2, 3, 5].map((index, i) => ({ index, ts: T0 + i, kind: i % 2 ? 'a' : 'b' }));
  it('the latest at or before an index, newest first, filtered and limited', () => {
    expect(recentEvents(events, 2, 10).map((e) => e.ts - T0)).toEqual([3, 2, 1, 0]);
    expect(recentEvents(events, 4, 2).map((e) => e.ts - T0)).toEqual([4, 3]);
    expect(recentEvents(events, 9, 10, (e) => e.kind === 'a').map((e) => e.ts - T0)).toEqual([5, 3, 1]);
    expect(recentEvents(events, -1, 10)).toEqual([]);
  });
});

describe('formatting', () => {
  it('time of day in the local time zone', () => {
    const local = new Date(2026, 10, 28, 9, 5, 7).getTime();
    expect(formatClock(local)).toBe('09:05:07');
    expect(formatClock(local, false)).toBe('09:05');
    expect(formatMoment(local, false)).toBe('09:05:07');
    expect(formatMoment(local, true)).toBe('28.11. 09:05:07');
  });

  it('durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_432)).toBe('1:05');
    expect(formatDuration(3 * 3_600_000 + 2 * MIN + 3000)).toBe('3:02:03');
    expect(formatDuration(2 * 86_400_000 + 3_600_000)).toBe('2 d 1:00:00');
    expect(formatDuration(-5)).toBe('0:00');
  });

  it('days', () => {
    expect(differentDays(new Date(2026, 0, 1, 9).getTime(), new Date(2026, 0, 1, 23).getTime())).toBe(false);
    expect(differentDays(new Date(2026, 0, 1, 23).getTime(), new Date(2026, 0, 2, 1).getTime())).toBe(true);
  });
});

// ——— the board ———

const ME = 'Participant0000A';
const OTHER = 'Participant0000B';
const room = (participants: Array<[string, string, string | null]>): RoomSnapshot => ({
  meta: null,
  actors: [],
  questions: [],
  participants: participants.map(([id, name, actorId]) => ({ id, name, actorId, role: 'participant', joinedAt: T0 })),
  session: { round: null, focus: null, locked: false, lockedActors: [], postRequest: null },
  problems: [],
});
const analysis: AnalysisSnapshot = { themes: [], themeOf: {}, matrix: [], flows: [], actions: [], readMarks: {}, mapLayout: {} };
const bnote = (participantId: string, id: string, extra: Partial<BoardNote> = {}): BoardNote => ({
  id: id.padEnd(16, '0'), questionId: '3a', text: `text ${id}`, x: 16, y: 16, createdAt: T0,
  ref: `${participantId}/${id.padEnd(16, '0')}`, participantId, actorId: participantId === ME ? 'ActorMunicipalty' : 'ActorSchool00000', ...extra,
});
const me: Me = { workshopId: 'Workshop00000001', participantId: ME, role: 'participant', actorId: 'ActorMunicipalty', name: 'Anna' };

describe('the board of a moment as a snapshot', () => {
  const names = nameMap(room([[ME, 'Anna', 'ActorMunicipalty'], [OTHER, 'Ben', 'ActorSchool00000']]));

  it('authors, mine, and only my own drafts, marked as drafts', () => {
    const board: Board = {
      room: room([]), analysis,
      notes: [bnote(ME, 'n1'), bnote(OTHER, 'n2')],
      drafts: [bnote(ME, 'd1'), bnote(OTHER, 'd2')],
    };
    const snapshot = toSnapshot(board, me, names, new NoteConverter());
    expect(snapshot.notes.map((n) => [n.text, n.authorName, n.mine, n.draft])).toEqual([
      ['text n1', 'Anna', true, false],
      ['text n2', 'Ben', false, false],
      ['text d1', 'Anna', true, true],
    ]);
    expect(snapshot.canWriteWall).toBe(false);
    expect(snapshot.me).toBe(me);
  });

  it('a draft being posted (on the wall already) is drawn once, as the wall note', () => {
    const posted = bnote(ME, 'p1');
    const board: Board = { room: room([]), analysis, notes: [posted], drafts: [{ ...posted }] };
    expect(toSnapshot(board, me, names, new NoteConverter()).notes.map((n) => n.draft)).toEqual([false]);
  });

  it('keeps the converted note of an unchanged board note (playback does not rebuild them)', () => {
    const converter = new NoteConverter();
    const n1 = bnote(ME, 'n1');
    const first = converter.convert([n1], false, ME, names)[0];
    expect(converter.convert([n1, bnote(OTHER, 'n2')], false, ME, names)[0]).toBe(first);
    // New names: converted again.
    expect(converter.convert([n1], false, ME, new Map([[ME, 'Anna K.']]))[0]!.authorName).toBe('Anna K.');
  });

  it('ghosts (removed notes in a comparison) are drawn too', () => {
    const board: Board = { room: room([]), analysis, notes: [bnote(ME, 'n1')], drafts: [] };
    expect(toSnapshot(board, me, names, new NoteConverter(), [bnote(OTHER, 'gone')]).notes.map((n) => n.text)).toEqual(['text n1', 'text gone']);
  });

  it('names: the first room that knows a participant wins', () => {
    const names2 = nameMap(room([[ME, 'Anna', null]]), room([[ME, 'Old', null], [OTHER, 'Ben', null]]));
    expect([...names2]).toEqual([[ME, 'Anna'], [OTHER, 'Ben']]);
  });

  it('wall keys and refs', () => {
    expect(wallKey(ME, 'Note')).toBe(`${ME}:Note`);
    expect(refOfWallKey(`${ME}:Note`)).toBe(`${ME}/Note`);
  });
});

describe('compare', () => {
  it('marks by note key', () => {
    const a = bnote(ME, 'a');
    const b = bnote(OTHER, 'b');
    const c = bnote(ME, 'c');
    const d = bnote(ME, 'd');
    const diff: BoardDiff = {
      added: [a], removed: [b], moved: [{ ref: c.ref, before: c, after: { ...c, x: 99 } }], edited: [{ ref: d.ref, before: d, after: { ...d, text: 'new' } }],
      themes: { added: [], removed: [], changed: [], membership: [] },
    };
    expect([...diffMarks(diff)]).toEqual([
      [wallKey(ME, d.id), 'edited'],
      [wallKey(ME, c.id), 'moved'],
      [wallKey(OTHER, b.id), 'removed'],
      [wallKey(ME, a.id), 'added'],
    ]);
  });

  it('notes per actor side by side, in actor order, then others', () => {
    const a = [bnote(ME, '1'), bnote(ME, '2'), bnote(OTHER, '3')];
    const b = [bnote(ME, '1'), bnote(OTHER, '3'), bnote(OTHER, '4'), { ...bnote(OTHER, '5'), actorId: null }];
    expect(countsByActor(a, b, ['ActorSchool00000', 'ActorMunicipalty', 'ActorEmpty000000'])).toEqual([
      { actorId: 'ActorSchool00000', a: 1, b: 2 },
      { actorId: 'ActorMunicipalty', a: 2, b: 1 },
      { actorId: 'ActorEmpty000000', a: 0, b: 0 },
      { actorId: null, a: 0, b: 1 },
    ]);
    expect([signed(3), signed(-2), signed(0)]).toEqual(['+3', '−2', '0']);
  });

  it('named moments: round ends (with the drafts the server posts just after), phase changes, start and end', () => {
    const events = [
      event('round-start', T0, { questionId: '1a' }),
      event('round-end', T0 + 10 * MIN, { questionId: '1a' }),
      event('note-added', T0 + 10 * MIN + 300, { by: null, docKind: 'notes' }),
      event('note-added', T0 + 10 * MIN + 900, { by: null, docKind: 'notes' }),
      event('note-added', T0 + 10 * MIN + 2000, { by: 'Participant0000A', docKind: 'notes' }),
      event('note-added', T0 + 10 * MIN + 3000, { by: null, docKind: 'notes' }),
      event('phase', T0 + 20 * MIN, { phase: { from: 'reading', to: 'analysis' } }),
      event('phase', T0 + 30 * MIN, { phase: { from: null, to: 'setup' } }),
    ];
    const moments = namedMoments(events, T0, T0 + 40 * MIN);
    expect(moments.map((m) => [m.kind, m.ts - T0])).toEqual([
      ['start', 0],
      ['round-end', 10 * MIN + 900],
      ['phase', 20 * MIN - 1],
      ['end', 40 * MIN],
    ]);
    expect(ROUND_SETTLE_MS).toBeGreaterThan(1000);
    // No workshop II: the last round's end against the end.
    expect(defaultPair(moments)).toMatchObject({ a: { kind: 'round-end' }, b: { kind: 'end' } });
    // With workshop II: the end of workshop I.
    const two = namedMoments([...events, event('phase', T0 + 35 * MIN, { phase: { from: 'analysis', to: 'workshop2' } })], T0, T0 + 40 * MIN);
    expect(defaultPair(two).a).toMatchObject({ kind: 'phase', ts: T0 + 35 * MIN - 1 });
    // Nothing but the start and end.
    expect(defaultPair(namedMoments([], T0, T0 + 1)).a.kind).toBe('start');
  });
});

describe('event lines', () => {
  const ctx = { name: (id: string | null | undefined) => (id === ME ? 'Anna' : id ? 'Ben' : 'Arvo'), phase: (p: string | null | undefined) => `phase ${p}`, theme: () => 'Attitudes' };
  it('say who did what', () => {
    expect(describeEvent(event('note-added', T0, { docKind: 'notes', by: ME, author: ME, text: 'a  long\n text' }), ctx)).toEqual({ key: 'replay.event.noteAdded', params: { who: 'Anna', text: 'a long text' } });
    expect(describeEvent(event('note-added', T0, { docKind: 'notes', by: null, author: OTHER, text: 'x' }), ctx).key).toBe('replay.event.notePosted');
    expect(describeEvent(event('note-added', T0, { docKind: 'drafts', by: ME, author: ME, text: 'x' }), ctx).key).toBe('replay.event.draftAdded');
    expect(describeEvent(event('note-deleted', T0, { docKind: 'drafts', by: null, author: ME }), ctx).key).toBe('replay.event.draftPosted');
    expect(describeEvent(event('round-end', T0, { questionId: '4a' }), ctx)).toEqual({ key: 'replay.event.roundEnd', params: { question: '4a' } });
    expect(describeEvent(event('phase', T0, { phase: { from: 'setup', to: 'writing' } }), ctx).params).toEqual({ phase: 'phase writing' });
    expect(describeEvent(event('note-themed', T0, { noteRef: `${ME}/N`, themeId: 'T' }), ctx)).toEqual({ key: 'replay.event.noteThemed', params: { who: 'Anna', theme: 'Attitudes' } });
    expect(describeEvent(event('wall-lock', T0, { locked: false }), ctx).key).toBe('replay.event.wallUnlocked');
    expect(describeEvent(event('note-edited', T0, { author: ME, text: 'x'.repeat(100) }), ctx).params.text).toHaveLength(60);
  });
});

describe('loadHistory', () => {
  const entry = (seq: number) => ({ doc: 'Workshop00000001', seq, ts: T0 + seq, participantId: null, update: 'AAA=' });

  it('pages with the token until next is null, handing over each page', async () => {
    const calls: Array<{ url: string; auth: string | null }> = [];
    const pages = [
      { entries: [entry(1), entry(2)], next: 'c2', last: 'c2' },
      { entries: [entry(3)], next: null, last: 'c3' },
    ];
    const fake = (async (url: string, init?: RequestInit) => {
      calls.push({ url, auth: new Headers(init?.headers).get('authorization') });
      return new Response(JSON.stringify(pages[calls.length - 1]), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const got: number[][] = [];
    const result = await loadHistory({ workshopId: 'Workshop00000001', token: 'tok', limit: 2, fetch: fake, onPage: (entries) => got.push(entries.map((e) => e.seq)) });
    expect(got).toEqual([[1, 2], [3]]);
    expect(result).toEqual({ last: 'c3', entries: 3 });
    expect(calls).toEqual([
      { url: '/api/workshops/Workshop00000001/history?limit=2', auth: 'Bearer tok' },
      { url: '/api/workshops/Workshop00000001/history?limit=2&after=c2', auth: 'Bearer tok' },
    ]);
  });

  it('continues after a cursor, and reports refusals with their status', async () => {
    const urls: string[] = [];
    const ok = (async (url: string) => (urls.push(url), new Response(JSON.stringify({ entries: [], next: null, last: 'c9' })))) as typeof fetch;
    expect(await loadHistory({ workshopId: 'W', token: 't', after: 'c9', fetch: ok, onPage: () => {} })).toEqual({ last: 'c9', entries: 0 });
    expect(urls[0]).toContain('&after=c9');
    const refused = (async () => new Response(JSON.stringify({ error: { code: 'forbidden', message: 'not yours' } }), { status: 403 })) as typeof fetch;
    const error = await loadHistory({ workshopId: 'W', token: 't', fetch: refused, onPage: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', message: 'not yours' });
  });
});
