import * as Y from 'yjs';
import type { DocRef } from '../protocol/docNames';
import { noteRef, notesRoots, roomRoots } from '../schema/layout';
import { PHASES, type Phase } from '../schema/meta';
import { postRequestSchema, roundSchema, type PostRequest, type Round } from '../schema/session';
import type { NotePlace, NoteVersion, ReplayEvent } from './types';

/**
 * Derives the timeline while the engine applies the log: observers on the documents' roots see
 * exactly which keys an update touched, and small shadows (the last known value of each note,
 * the round, the phase, …) turn that into events. Nothing is diffed wholesale.
 */
export interface ApplyContext {
  index: number;
  ts: number;
  by: string | null;
}

interface NoteShadow extends NotePlace {
  text: string;
}

const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The timeline's lenient view of a note record: scalar fields only, anything else read as empty. */
function readNoteShadow(value: unknown): NoteShadow | null {
  if (!(value instanceof Y.Map)) return null;
  const about = value.get('aboutActorId');
  return {
    text: str(value.get('text')).slice(0, 2000),
    x: num(value.get('x')),
    y: num(value.get('y')),
    questionId: str(value.get('questionId')).slice(0, 64),
    aboutActorId: typeof about === 'string' ? about.slice(0, 64) : null,
  };
}

const samePlace = (a: NotePlace, b: NotePlace) => a.x === b.x && a.y === b.y && a.questionId === b.questionId && a.aboutActorId === b.aboutActorId;
const place = (n: NoteShadow): NotePlace => ({ x: n.x, y: n.y, questionId: n.questionId, aboutActorId: n.aboutActorId });

export class TimelineRecorder {
  readonly events: ReplayEvent[] = [];
  readonly history = new Map<string, NoteVersion[]>();
  /** Set by the engine before each update is applied. */
  context: ApplyContext = { index: -1, ts: 0, by: null };

  /** Installs the observers for one document (its head copy in the engine). */
  attach(name: string, ref: DocRef | null, doc: Y.Doc): void {
    if (ref?.kind === 'room') this.attachRoom(name, doc);
    else if (ref?.kind === 'notes' || ref?.kind === 'drafts') this.attachNotes(name, ref.kind, ref.participantId, doc);
  }

  private push(doc: string, docKind: ReplayEvent['docKind'], event: Omit<ReplayEvent, 'index' | 'ts' | 'by' | 'doc' | 'docKind'>): void {
    const { index, ts, by } = this.context;
    this.events.push({ index, ts, by, doc, docKind, ...event });
  }

  private attachNotes(name: string, docKind: 'notes' | 'drafts', author: string, doc: Y.Doc): void {
    const { notes } = notesRoots(doc);
    const shadow = new Map<string, NoteShadow>();
    notes.observeDeep((events) => {
      const touched = new Set<string>();
      for (const event of events) {
        if (event.target === notes) for (const key of event.keys.keys()) touched.add(key);
        else {
          // A change inside a note record (a direct child of `notes`). Changes deeper down are
          // inside something nested into a record, which no reader reads: ignored, and no
          // unbounded walk up a hostile chain of parents.
          const key = event.target.parent === notes ? event.target._item?.parentSub : null;
          if (key) touched.add(key);
        }
      }
      for (const noteId of touched) {
        const before = shadow.get(noteId) ?? null;
        const after = readNoteShadow(notes.get(noteId));
        const ref = noteRef(author, noteId);
        const base = { author, noteId, noteRef: ref };
        const version = (change: NoteVersion['change'], n: NoteShadow) => this.version(ref, change, docKind, n);
        if (after) shadow.set(noteId, after);
        else shadow.delete(noteId);
        if (!before && after) {
          this.push(name, docKind, { kind: 'note-added', ...base, questionId: after.questionId, text: after.text, to: place(after) });
          version('added', after);
        } else if (before && !after) {
          this.push(name, docKind, { kind: 'note-deleted', ...base, questionId: before.questionId, from: place(before) });
          version('deleted', before);
        } else if (before && after) {
          if (before.text !== after.text) {
            this.push(name, docKind, { kind: 'note-edited', ...base, questionId: after.questionId, text: after.text });
            version('edited', after);
          }
          if (!samePlace(before, after)) {
            this.push(name, docKind, { kind: 'note-moved', ...base, questionId: after.questionId, from: place(before), to: place(after) });
            version('moved', after);
          }
        }
      }
    });
  }

  private version(ref: string, change: NoteVersion['change'], docKind: 'notes' | 'drafts', n: NoteShadow): void {
    const { index, ts, by } = this.context;
    let list = this.history.get(ref);
    if (!list) this.history.set(ref, (list = []));
    list.push({ index, ts, by, change, docKind, text: n.text, questionId: n.questionId, x: n.x, y: n.y, aboutActorId: n.aboutActorId });
  }

  private attachRoom(name: string, doc: Y.Doc): void {
    const roots = roomRoots(doc);
    const push = (event: Omit<ReplayEvent, 'index' | 'ts' | 'by' | 'doc' | 'docKind'>) => this.push(name, 'room', event);

    let phase: Phase | null = null;
    roots.meta.observe((event) => {
      if (!event.keysChanged.has('phase')) return;
      const value = roots.meta.get('phase');
      const next = (PHASES as readonly unknown[]).includes(value) ? (value as Phase) : null;
      if (next !== phase) push({ kind: 'phase', phase: { from: phase, to: next } });
      phase = next;
    });

    let round: Round | null = null;
    let postId: string | null = null;
    let locked = false;
    roots.session.observe((event) => {
      if (event.keysChanged.has('round')) {
        const parsed = roundSchema.safeParse(roots.session.get('round'));
        const next = parsed.success ? parsed.data : null;
        const prev = round;
        if (next) {
          const base = { questionId: next.questionId };
          const sameRound = prev !== null && prev.startedAt === next.startedAt && prev.questionId === next.questionId;
          if (!sameRound) {
            push({ kind: 'round-start', ...base });
            if (next.endedAt !== null) push({ kind: 'round-end', ...base });
          } else {
            if (prev.pausedAt === null && next.pausedAt !== null) push({ kind: 'round-pause', ...base });
            if (prev.pausedAt !== null && next.pausedAt === null && next.endedAt === null) push({ kind: 'round-resume', ...base });
            if (prev.endedAt === null && next.endedAt !== null) push({ kind: 'round-end', ...base });
          }
        }
        round = next;
      }
      if (event.keysChanged.has('postRequest')) {
        const parsed = postRequestSchema.safeParse(roots.session.get('postRequest'));
        const request: PostRequest | null = parsed.success ? parsed.data : null;
        if (request && request.id !== postId) push({ kind: 'post', questionId: request.questionId });
        postId = request?.id ?? null;
      }
      if (event.keysChanged.has('locked')) {
        const next = roots.session.get('locked') === true;
        if (next !== locked) push({ kind: 'wall-lock', locked: next });
        locked = next;
      }
    });

    roots.participants.observe((event) => {
      for (const key of event.keysChanged) {
        if (roots.participants.has(key) && event.changes.keys.get(key)?.action === 'add') push({ kind: 'participant-joined', participantId: key });
      }
    });

    const themeNames = new Map<string, string>();
    roots.themes.observeDeep((events) => {
      const touched = new Set<string>();
      for (const event of events) {
        if (event.target === roots.themes) for (const key of event.keys.keys()) touched.add(key);
        else {
          // Only a theme's own fields count (see the notes observer above).
          const target = event.target as Y.AbstractType<unknown>;
          const key = target.parent === roots.themes ? target._item?.parentSub : null;
          if (key) touched.add(key);
        }
      }
      for (const themeId of touched) {
        const value = roots.themes.get(themeId);
        const had = themeNames.has(themeId);
        if (value instanceof Y.Map) {
          const themeName = str(value.get('name'));
          themeNames.set(themeId, themeName);
          push({ kind: had ? 'theme-changed' : 'theme-added', themeId, themeName });
        } else if (had) {
          const themeName = themeNames.get(themeId)!;
          themeNames.delete(themeId);
          push({ kind: 'theme-removed', themeId, themeName });
        }
      }
    });

    roots.themeNotes.observe((event) => {
      for (const key of event.keysChanged) {
        const value = roots.themeNotes.get(key);
        push({ kind: 'note-themed', noteRef: key, themeId: typeof value === 'string' ? value : null });
      }
    });
  }
}
