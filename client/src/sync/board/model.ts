import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { tallyVotes, type ParticipantVotes, type VoteTally } from '../../../../shared/derive/votes';
import { methodRules } from '../../../../shared/rules';
import type { AnalysisSnapshot } from '../../../../shared/read/analysis';
import type { RoomSnapshot } from '../../../../shared/read/snapshot';
import type { AuthoredNote, BoardSnapshot, PresenceEntry } from '../types';
import { authorContext } from './author';
import { boardOrder, type BoardEntry, type BoardUi, type Me, type Warn } from './inputs';
import { NotesDocCache } from './notesDoc';
import type { NotesSource } from './notesSource';
import { readPresence } from './presence';
import { RoomCache } from './roomCache';

/**
 * The board, kept read incrementally. Each document has a cache fed by its Yjs events (only the
 * notes or room parts a transaction touched are re-read); `snapshot()` puts the parts together,
 * reusing every part that did not change, and returns the previous snapshot itself when nothing
 * did. Presence is a part of its own: a moving cursor re-reads the awareness, never a note.
 *
 * Snapshots are frozen (the snapshot, its note list, each note, presence): views share them by
 * identity, so `===` says "unchanged" and nobody may edit one in place.
 *
 * `onChange(local)` fires after every transaction that touched something the board reads (and
 * after presence changes, with local = false); the caller decides when to take a snapshot.
 */
export interface BoardModelOptions {
  room: Y.Doc;
  awareness: Awareness | null;
  me: Me;
  /** Connection, undo and refusal state, read at each snapshot (cheap fields). */
  ui: () => BoardUi;
  onChange?: (local: boolean) => void;
  warn?: Warn;
}

interface Composed {
  room: RoomSnapshot;
  lists: ReadonlyArray<readonly AuthoredNote[]>;
  notes: AuthoredNote[];
}

export class BoardModel {
  private readonly roomCache: RoomCache;
  private readonly docs: NotesSource[] = [];
  /** Each document's source, and what stops watching it. */
  private readonly sources = new Map<string, { source: NotesSource; stop: () => void }>();
  private readonly me: Me;
  private presenceDirty = true;
  private docsChanged = true;
  private current: BoardSnapshot | null = null;
  private composed: Composed | null = null;
  private tally: { inputs: unknown[]; value: VoteTally } | null = null;
  private presence: { room: RoomSnapshot; value: readonly PresenceEntry[] } | null = null;
  private readonly cleanup: Array<() => void> = [];
  private readonly warn: Warn;

  constructor(private readonly options: BoardModelOptions) {
    this.me = Object.freeze({ ...options.me });
    this.warn = options.warn ?? (() => undefined);
    this.roomCache = new RoomCache(options.room);
    this.watch(options.room, () => this.roomCache.changed);
    if (options.awareness) {
      const awareness = options.awareness;
      const onPresence = () => {
        this.presenceDirty = true;
        this.options.onChange?.(false);
      };
      awareness.on('change', onPresence);
      this.cleanup.push(() => awareness.off('change', onPresence));
    }
  }

  /**
   * Starts reading a participant's notes or drafts: from its document, or from its records (the
   * workshop channel's records mode). Idempotent by name and kind; the other kind for a name read
   * already replaces it in place (records → document when the server cannot send records).
   */
  addDoc(entry: BoardEntry): void {
    const existing = this.sources.get(entry.name);
    if (existing && ('doc' in entry ? existing.source instanceof NotesDocCache : existing.source === entry.records)) return;
    const source: NotesSource = 'doc' in entry ? new NotesDocCache(entry) : entry.records;
    const watching = source.watch((local) => this.options.onChange?.(local));
    const stop = () => {
      watching();
      source.destroy();
    };
    if (existing) {
      existing.stop();
      this.docs[this.docs.indexOf(existing.source)] = source;
    } else {
      this.docs.push(source);
    }
    this.sources.set(entry.name, { source, stop });
    this.docsChanged = true;
    if (existing) this.options.onChange?.(false);
  }

  snapshot(): BoardSnapshot {
    const room = this.roomCache.room();
    const analysis = this.roomCache.analysis();
    const { notes } = this.composeNotes(room);
    const votes = this.votes(room, analysis);
    const presence = this.readPresence(room);
    const ui = this.options.ui();
    const me = this.me;
    const myVotes = me.role === 'participant' ? (this.docs.find((d) => !d.draft && d.participantId === me.participantId)?.votes() ?? EMPTY) : EMPTY;
    // The method's rules (shared/rules) say whether the wall takes my edits; the server enforces it.
    const canWriteWall = methodRules({ room, me }).canWriteWall;
    this.docsChanged = false;
    const previous = this.current;
    const next: BoardSnapshot = { room, notes, me, presence: presence as PresenceEntry[], analysis, votes, myVotes, canWriteWall, ...ui };
    if (previous && (Object.keys(next) as Array<keyof BoardSnapshot>).every((key) => previous[key] === next[key])) return previous;
    this.current = Object.freeze(next);
    return this.current;
  }

  destroy(): void {
    for (const off of this.cleanup.splice(0)) off();
    for (const { stop } of this.sources.values()) stop();
    this.sources.clear();
  }

  /** Tells the owner after each transaction of `doc` that changed something the board reads. */
  private watch(doc: Y.Doc, changed: () => boolean): void {
    const after = (transaction: Y.Transaction) => {
      if (changed()) this.options.onChange?.(transaction.local);
    };
    doc.on('afterTransaction', after);
    this.cleanup.push(() => doc.off('afterTransaction', after));
  }

  /** Every document's notes in board order; the same array while no list and no author changed. */
  private composeNotes(room: RoomSnapshot): Composed {
    const previous = this.composed;
    const participants = new Map(room.participants.map((p) => [p.id, p]));
    const ordered = boardOrder(this.docs);
    const lists: Array<readonly AuthoredNote[]> = [];
    for (const cache of ordered) {
      const context = authorContext(cache.participantId, cache.draft, room, participants.get(cache.participantId), this.me);
      try {
        lists.push(cache.notes(context, this.warn));
      } catch (error) {
        // Readers do not throw on any content; should one ever, that document is left out, not the board.
        this.warn(`read:${cache.name}`, `arvo: could not read ${cache.name}; the board is shown without it`, error);
        lists.push(EMPTY_LIST);
      }
    }
    if (previous && previous.lists.length === lists.length && previous.lists.every((list, i) => list === lists[i])) return previous;
    const publicIds = new Map(ordered.filter((cache) => !cache.draft).map((cache) => [cache.participantId, cache.noteIds()]));
    const notes: AuthoredNote[] = [];
    ordered.forEach((cache, i) => {
      const list = lists[i]!;
      // One note per participant and id: a draft whose public copy exists (a move cut short, or a
      // hostile copy) is left out, so views keyed by participant/id never see it twice.
      const shadow = cache.draft ? publicIds.get(cache.participantId) : undefined;
      for (const note of list) if (!shadow?.has(note.id)) notes.push(note);
    });
    this.composed = { room, lists, notes: Object.freeze(notes) as AuthoredNote[] };
    return this.composed;
  }

  private votes(room: RoomSnapshot, analysis: AnalysisSnapshot): VoteTally {
    const ballots: ParticipantVotes[] = boardOrder(this.docs)
      .filter((d) => !d.draft)
      .map((d) => ({ participantId: d.participantId, votes: d.votes() }));
    const inputs = [room.session.voting, analysis.themes, analysis.actions, ...ballots.map((b) => b.votes)];
    if (this.tally && this.tally.inputs.length === inputs.length && this.tally.inputs.every((input, i) => input === inputs[i])) return this.tally.value;
    const live = new Set([...analysis.themes.map((t) => `theme:${t.id}`), ...analysis.actions.map((a) => `action:${a.id}`)]);
    const value = Object.freeze(tallyVotes(ballots, room.session.voting, (key) => live.has(key)));
    this.tally = { inputs, value };
    return value;
  }

  private readPresence(room: RoomSnapshot): readonly PresenceEntry[] {
    const previous = this.presence;
    const sameRoom = previous && previous.room.participants === room.participants && previous.room.actors === room.actors && previous.room.session === room.session;
    if (previous && sameRoom && !this.presenceDirty) return previous.value;
    this.presenceDirty = false;
    this.presence = { room, value: readPresence(this.options.awareness, room) };
    return this.presence.value;
  }
}

const EMPTY: Readonly<Record<string, number>> = Object.freeze({});
const EMPTY_LIST: readonly AuthoredNote[] = Object.freeze([]);
