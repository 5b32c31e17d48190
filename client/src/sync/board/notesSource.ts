import type { Note } from '../../../../shared/schema/note';
import type { AuthoredNote } from '../types';
import { authored, sameContext, type AuthorContext } from './author';
import type { Warn } from './inputs';

const byCreation = (a: Note, b: Note) => a.createdAt - b.createdAt || a.id.localeCompare(b.id);

/**
 * One participant's notes (or drafts) as the board reads them, whatever they come from: a Y.Doc
 * read incrementally (./notesDoc.ts) or the plain records the workshop channel sends for a
 * document this tab only reads (./notesRecords.ts). The board model treats both alike.
 *
 * Valid notes are kept by key; once the board has read a note, its record is replaced by its
 * board object (the note with its author context): one object per note is held, not a record and
 * its board copy (heap, docs/client-benchmark.md). A note that did not change keeps its object,
 * and so does the list when nothing in it changed, so views can compare by identity.
 */
export abstract class NotesSource {
  readonly name: string;
  readonly participantId: string;
  readonly draft: boolean;
  protected readonly records = new Map<string, Note | AuthoredNote>();
  private context: AuthorContext | null = null;
  private list: readonly AuthoredNote[] = Object.freeze([]);
  private ids: ReadonlySet<string> = new Set();

  constructor(entry: { name: string; participantId: string; draft: boolean }) {
    this.name = entry.name;
    this.participantId = entry.participantId;
    this.draft = entry.draft;
  }

  /** Something the board reads changed since it last read (notes or votes). */
  abstract get changed(): boolean;
  /** Brings `records` up to date; true when the set of valid notes changed. */
  protected abstract refresh(warn: Warn): boolean;
  abstract votes(): Readonly<Record<string, number>>;
  /** Tells `listener` after each change the board may read (`local`: made in this tab). */
  abstract watch(listener: (local: boolean) => void): () => void;
  abstract destroy(): void;

  /**
   * The document's notes with their author context (new context: every note gets a new object;
   * otherwise only re-read notes do). Returns the same array while nothing changed.
   */
  notes(context: AuthorContext, warn: Warn): readonly AuthoredNote[] {
    const contextChanged = this.context === null || !sameContext(this.context, context);
    const recordsChanged = this.refresh(warn);
    if (!recordsChanged && !contextChanged) return this.list;
    this.context = context;
    const list: AuthoredNote[] = [];
    for (const [key, note] of this.records) {
      // A board object made with this context is kept (a note re-read unchanged keeps it, `keep`).
      const value = !contextChanged && isAuthored(note) ? note : authored(note, context);
      if (value !== note) this.records.set(key, value);
      list.push(value);
    }
    list.sort(byCreation);
    this.ids = new Set(list.map((note) => note.id));
    this.list = Object.freeze(list);
    return this.list;
  }

  /** Ids of the notes read (a draft with a public copy is left out of the board). */
  noteIds(): ReadonlySet<string> {
    return this.ids;
  }

  /** Sets a valid note; an unchanged one keeps its previous object (`previous`: what the key held). */
  protected keep(key: string, note: Note, previous: Note | undefined): void {
    this.records.set(key, previous && isSameNote(previous, note) ? previous : note);
  }
}

/** Made by `authored` (a record as read has none of the author fields: readers keep known fields only). */
const isAuthored = (note: Note | AuthoredNote): note is AuthoredNote => 'authorName' in note;

/** Field-by-field equality of the note part (the author context is compared separately). */
function isSameNote(a: Note, b: Note): boolean {
  return (
    a.id === b.id &&
    a.questionId === b.questionId &&
    a.text === b.text &&
    a.x === b.x &&
    a.y === b.y &&
    a.createdAt === b.createdAt &&
    a.updatedAt === b.updatedAt &&
    a.aboutActorId === b.aboutActorId &&
    a.late === b.late &&
    'updatedAt' in a === 'updatedAt' in b &&
    'aboutActorId' in a === 'aboutActorId' in b &&
    'late' in a === 'late' in b
  );
}
